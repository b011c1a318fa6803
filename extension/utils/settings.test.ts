import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import {
  companionUrl,
  DEFAULT_COMPANION_URL,
  DEFAULT_NOTIFICATION_PREFS,
  emptySilence,
  isSilenced,
  loadSettings,
  muted,
  normaliseCompanionUrl,
  normalisePrefs,
  notificationPrefs,
  pairingToken,
  snoozed,
} from './settings.ts';

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

  it.each<[name: string, raw: Record<string, unknown>, expected: Record<string, unknown>]>([
    ['nothing stored: the defaults (near-TP quiet, no sound)', {}, { nearSl: 'on', nearTp: 'off', sound: false }],
    ['old booleans: true is on, false off', { slHit: false, tpHit: true }, { slHit: 'off', tpHit: 'on' }],
    ['old critical switch off turns both near kinds off', { critical: false }, { nearSl: 'off', nearTp: 'off' }],
    ['old critical switch on keeps the new defaults', { critical: true }, { nearSl: 'on', nearTp: 'off' }],
    ['a kind setting is kept', { nearTp: 'on', liquidation: 'silent' }, { nearTp: 'on', liquidation: 'silent' }],
    ['garbage falls back', { nearSl: 'loud', maxPerMinute: -3 }, { nearSl: 'on', maxPerMinute: 6 }],
  ])('prefs: %s', (_name, raw, expected) => {
    expect(normalisePrefs(raw)).toMatchObject(expected);
  });

  it('loads stored prefs through the normaliser', async () => {
    // What an earlier version stored.
    const old = { enabled: true, critical: false, slHit: true, tpHit: false, maxPerMinute: 6, dedupeMinutes: 10 };
    await notificationPrefs.setValue(old as never);
    expect((await loadSettings()).prefs).toEqual({
      ...DEFAULT_NOTIFICATION_PREFS,
      nearSl: 'off',
      nearTp: 'off',
      slHit: 'on',
      tpHit: 'off',
    });
  });

  it.each<[name: string, at: number, silenced: boolean]>([
    ['before the snooze ends', 999, true],
    ['when it ends', 1000, false],
  ])('snooze: %s', (_name, at, silenced) => {
    expect(isSilenced(snoozed(emptySilence(), 'f', 1000, 0), 'f', at)).toBe(silenced);
  });

  it('mute until unmuted; expired snoozes are dropped when another is set', () => {
    expect(isSilenced(muted(emptySilence(), 'f', true), 'f', 0)).toBe(true);
    expect(isSilenced(muted(muted(emptySilence(), 'f', true), 'f', false), 'f', 0)).toBe(false);
    const s = snoozed(snoozed(emptySilence(), 'old', 10, 0), 'new', 500, 20);
    expect(Object.keys(s.snoozedUntil)).toEqual(['new']);
  });
});
