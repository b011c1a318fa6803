import { describe, expect, it } from 'vitest';
import { decide, emptyNotifyState, focusKeyOf, type NotifyState, SUMMARY_ID, type Toast } from './notify.ts';
import { DEFAULT_NOTIFICATION_PREFS, type NotificationPrefs } from './settings.ts';
import type { Notice } from './stream.ts';

const ref = (symbol: string) => ({ account: 'main', symbol, side: 'long' as const });
const crit = (symbol: string, at = 0): Notice => ({
  kind: 'critical',
  key: `main:${symbol}:long`,
  ref: ref(symbol),
  at,
  reason: 'near-sl',
});
const cleared = (symbol: string): Notice => ({
  kind: 'critical-cleared',
  key: `main:${symbol}:long`,
  ref: ref(symbol),
  at: 0,
});
const sl = (symbol: string): Notice => ({
  kind: 'sl-hit',
  key: `main:${symbol}:long`,
  ref: ref(symbol),
  at: 0,
  price: 99,
  level: 100,
});

function play(steps: [number, Notice][], prefs: NotificationPrefs = DEFAULT_NOTIFICATION_PREFS) {
  let state: NotifyState = emptyNotifyState();
  const shown: Toast[] = [];
  for (const [now, notice] of steps) {
    const d = decide(state, notice, { prefs, now });
    state = d.state;
    shown.push(...d.toasts);
  }
  return shown.map((t) => t.id);
}

describe('notification policy', () => {
  it.each<{ name: string; steps: [number, Notice][]; ids: string[]; prefs?: Partial<NotificationPrefs> }>([
    { name: 'one critical', steps: [[0, crit('BTCUSDT')]], ids: ['tw|critical|main:BTCUSDT:long'] },
    {
      name: 'repeat within the quiet period is dropped',
      steps: [
        [0, crit('BTCUSDT')],
        [60_000, crit('BTCUSDT')],
      ],
      ids: ['tw|critical|main:BTCUSDT:long'],
    },
    {
      name: 'repeat after the quiet period shows again',
      steps: [
        [0, crit('BTCUSDT')],
        [11 * 60_000, crit('BTCUSDT')],
      ],
      ids: ['tw|critical|main:BTCUSDT:long', 'tw|critical|main:BTCUSDT:long'],
    },
    {
      name: 'leaving CRITICAL re-arms',
      steps: [
        [0, crit('BTCUSDT')],
        [1_000, cleared('BTCUSDT')],
        [2_000, crit('BTCUSDT')],
      ],
      ids: ['tw|critical|main:BTCUSDT:long', 'tw|critical|main:BTCUSDT:long'],
    },
    {
      name: 'kinds dedupe separately',
      steps: [
        [0, crit('BTCUSDT')],
        [1, sl('BTCUSDT')],
      ],
      ids: ['tw|critical|main:BTCUSDT:long', 'tw|sl-hit|main:BTCUSDT:long'],
    },
    { name: 'disabled', steps: [[0, crit('BTCUSDT')]], ids: [], prefs: { enabled: false } },
    { name: 'kind turned off', steps: [[0, sl('BTCUSDT')]], ids: [], prefs: { slHit: false } },
    {
      name: 'rate limit: the rest becomes one summary, updated at most every 10 s',
      prefs: { maxPerMinute: 2 },
      steps: [
        [0, crit('A1USDT')],
        [1, crit('A2USDT')],
        [2, crit('A3USDT')],
        [3, crit('A4USDT')],
        [10_003, crit('A5USDT')],
      ],
      ids: ['tw|critical|main:A1USDT:long', 'tw|critical|main:A2USDT:long', SUMMARY_ID, SUMMARY_ID],
    },
    {
      name: 'rate window slides',
      prefs: { maxPerMinute: 1 },
      steps: [
        [0, crit('A1USDT')],
        [61_000, crit('A2USDT')],
      ],
      ids: ['tw|critical|main:A1USDT:long', 'tw|critical|main:A2USDT:long'],
    },
  ])('$name', ({ steps, ids, prefs }) => {
    expect(play(steps, { ...DEFAULT_NOTIFICATION_PREFS, ...prefs })).toEqual(ids);
  });

  it('summary counts what was held back', () => {
    let state = emptyNotifyState();
    const prefs = { ...DEFAULT_NOTIFICATION_PREFS, maxPerMinute: 1 };
    let last: Toast | undefined;
    for (const [i, s] of ['A1USDT', 'A2USDT', 'A3USDT'].entries()) {
      const d = decide(state, crit(s), { prefs, now: i * 11_000 });
      state = d.state;
      last = d.toasts[0] ?? last;
    }
    expect(last?.title).toBe('Tierwatch: 2 more alerts');
  });

  it('ids carry the position to focus', () => {
    expect(focusKeyOf('tw|critical|main:BTCUSDT:long')).toBe('main:BTCUSDT:long');
    expect(focusKeyOf(SUMMARY_ID)).toBeNull();
    expect(focusKeyOf('other')).toBeNull();
  });
});
