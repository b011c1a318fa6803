import type { ServerMessage } from '@tierwatch/shared';
import { reduce } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { snapshot, stats } from '../test-support/fixtures.ts';
import { emptySilence } from './alert-prefs.ts';
import { healthWarnings } from './health.ts';
import { decide, emptyNotifyState } from './notify.ts';
import { DEFAULT_NOTIFICATION_PREFS } from './settings.ts';

/** An account's key health, end to end in the extension: the popup's warning, the live alert, the notification. */

const acct = {
  account: 'desk',
  lastReadAt: 1_000,
  failures: 0,
  consecutiveFailures: 0,
  lastError: null,
};

describe('key health in the popup', () => {
  it.each([
    ['ok', 'warning', null],
    ['expiring', 'warning', 'desk: the key expires in 3.0 days; renew it'],
    ['read-only', 'warning', 'desk: read-only key: monitoring only'],
    ['refused', 'critical', 'desk: the exchange refuses the key now: every read fails'],
  ] as const)('%s', (status, severity, message) => {
    const warnings = message ? [message.slice('desk: '.length)] : [];
    const key = { status, canTrade: status !== 'refused', expiresAt: null, warnings };
    const out = healthWarnings(stats({ accounts: [{ ...acct, key }] }), 2_000);
    expect(out).toEqual(message ? [{ account: 'desk', severity, message }] : []);
  });
});

describe('a key-health event', () => {
  it('becomes a live alert and one notification, shown whatever the per-kind choices', () => {
    const snap = snapshot();
    const start = reduce(null, snap).state;
    const ev: ServerMessage = {
      type: 'key-health',
      seq: snap.seq + 1,
      at: 5_000,
      account: 'mirror1',
      status: 'refused',
      expiresAt: null,
      message: 'mirror1: the exchange refuses the key now (API key is invalid.): every read fails; create a new key',
    };
    const step = reduce(start, ev);
    expect(step.state?.alerts[0]).toMatchObject({ severity: 'critical', kind: 'key-health', account: 'mirror1' });
    expect(step.notices).toHaveLength(1);
    // Shown even with every per-kind notification off and the family muted: it is about the whole account.
    const prefs = { ...DEFAULT_NOTIFICATION_PREFS, nearSl: 'off', slHit: 'off', tpHit: 'off' } as const;
    const silence = { ...emptySilence(), muted: { 'main|BTCUSDT|long': true as const } };
    const toasts = (ctx: { prefs: typeof DEFAULT_NOTIFICATION_PREFS }) =>
      decide(emptyNotifyState(), step.notices[0]!, { ...ctx, silence, now: 5_000 })
        .commands.filter((c) => c.type === 'show')
        .map((c) => (c.type === 'show' ? c.toast : null));
    expect(toasts({ prefs })).toEqual([
      expect.objectContaining({
        title: 'KEY REFUSED: mirror1',
        priority: 2,
        requireInteraction: true,
        message: ev.message,
      }),
    ]);
    expect(toasts({ prefs: { ...prefs, enabled: false } })).toEqual([]);
  });
});
