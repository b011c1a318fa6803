import type { BusEvent } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import type { KeyFacts } from '../exchange/key-check.ts';
import { assessKey } from './assess.ts';
import type { AccountCheck } from './check.ts';
import { keyHealth } from './key-health.ts';
import { KeyWatch } from './watch.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-12-01T00:00:00Z');
const facts = (key: Partial<NonNullable<KeyFacts['key']>> = {}): KeyFacts => ({
  unreachable: null,
  refused: null,
  skewMs: 0,
  hedgeMode: false,
  key: {
    readOnly: false,
    contractTrade: ['Order', 'Position'],
    wallet: [],
    ips: ['10.0.0.1'],
    expiresAt: null,
    unified: true,
    ...key,
  },
});
const checked = (account: string, f: KeyFacts): AccountCheck => ({
  account,
  index: 0,
  assessment: assessKey(f, { now: T0, allowWithdrawalKey: false }),
});

describe('keyHealth', () => {
  it.each([
    ['a healthy key', facts(), null, 0, 'ok', true],
    ['a key without an IP whitelist', facts({ ips: ['*'] }), null, 0, 'warn', true],
    ['a read-only key', facts({ readOnly: true }), null, 0, 'read-only', false],
    ['a key expiring in 10 days, now', facts({ expiresAt: T0 + 10 * DAY }), null, 0, 'ok', true],
    ['the same key 4 days later', facts({ expiresAt: T0 + 10 * DAY }), null, 4 * DAY, 'expiring', true],
    ['the same key once expired', facts({ expiresAt: T0 + 10 * DAY }), null, 11 * DAY, 'refused', false],
    ['a key the exchange now refuses', facts(), 'API key is invalid.', 0, 'refused', false],
  ] as const)('%s', (_n, f, refusedNow, later, status, canTrade) => {
    const h = keyHealth(assessKey(f, { now: T0, allowWithdrawalKey: false }), { now: T0 + later, refusedNow });
    expect(h.status).toBe(status);
    expect(h.canTrade).toBe(canTrade);
    if (status !== 'ok') expect(h.warnings.length).toBeGreaterThan(0);
  });
});

describe('KeyWatch', () => {
  it('announces an expiring key once a day from 7 days before, and a refused key once, loudly', async () => {
    const clock = new ManualClock(T0);
    const events: BusEvent[] = [];
    let refused: string | null = null;
    const watch = new KeyWatch([checked('desk', facts({ expiresAt: T0 + 9 * DAY })), checked('calm', facts())], {
      clock,
      publish: (e) => events.push(e),
      refusedNow: (a) => (a === 'calm' ? refused : null),
      logger: silentLogger,
      everyMs: 60_000,
    });
    watch.start();
    expect(events).toEqual([]);
    expect(watch.of('desk')?.status).toBe('ok');
    await clock.advance(2 * DAY + 60_000); // 7 days left: the first notice
    expect(events.map((e) => e.type === 'key-health' && [e.account, e.status])).toEqual([['desk', 'expiring']]);
    expect(watch.of('desk')?.status).toBe('expiring');
    await clock.advance(12 * 3_600_000); // same countdown day: nothing new
    expect(events).toHaveLength(1);
    await clock.advance(DAY); // the countdown reaches 6 days: announced as it turns
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ message: expect.stringMatching(/^desk: the key expires in 6\.0 days/) });

    refused = 'API key is invalid.';
    await clock.advance(60_000);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'key-health', account: 'calm', status: 'refused' });
    expect(watch.of('calm')).toMatchObject({ status: 'refused', canTrade: false });
    await clock.advance(10 * 60_000);
    expect(events.filter((e) => e.type === 'key-health' && e.account === 'calm')).toHaveLength(1);
    await watch.close();
  });
});
