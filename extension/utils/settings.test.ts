import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { companionUrl, DEFAULT_COMPANION_URL, loadSettings, normaliseCompanionUrl, pairingToken } from './settings.ts';

describe('settings', () => {
  beforeEach(() => fakeBrowser.reset());

  it('falls back to the default companion and no token', async () => {
    expect(await loadSettings()).toMatchObject({ baseUrl: DEFAULT_COMPANION_URL, token: '', prefs: { enabled: true } });
  });

  it('reads what the options page stored', async () => {
    await companionUrl.setValue('http://127.0.0.1:9999');
    await pairingToken.setValue('  tok  ');
    expect(await loadSettings()).toMatchObject({ baseUrl: 'http://127.0.0.1:9999', token: 'tok' });
  });

  it.each([
    ['127.0.0.1:8787', 'http://127.0.0.1:8787'],
    ['http://localhost:9000/', 'http://localhost:9000'],
    ['', DEFAULT_COMPANION_URL],
  ])('normalises %s', (input, url) => expect(normaliseCompanionUrl(input)).toEqual({ ok: true, url }));

  it.each(['http://example.com:8787', 'https://127.0.0.1:8787', 'not a url at all::'])('refuses %s', (input) => {
    expect(normaliseCompanionUrl(input).ok).toBe(false);
  });
});
