import type { AccountFreshness, TieredPosition } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { freshnessChanged, viewChange, viewSlot } from './view-change.ts';

const served = (o: Partial<TieredPosition> = {}): TieredPosition => ({
  account: 'main',
  symbol: 'BTCUSDT',
  side: 'long',
  size: 0.5,
  entryPrice: 40_000,
  markPrice: 41_000,
  takeProfit: 45_000,
  stopLoss: 38_000,
  liquidationPrice: 30_000,
  unrealisedPnl: 500,
  leverage: 10,
  positionValue: 20_000,
  lastActivityAt: 1_000,
  tier: 'STABLE',
  distanceToTpPct: 9.7561,
  distanceToSlPct: 7.3171,
  flags: [],
  ...o,
});

const STEP = 0.0005; // 0.05 %, the default

describe('viewChange: what a socket is sent again', () => {
  it.each<[string, Partial<TieredPosition>, 'none' | 'figures' | 'full']>([
    ['nothing moved', {}, 'none'],
    ['mark moved less than the step', { markPrice: 41_000 * (1 + STEP * 0.99) }, 'none'],
    ['mark moved exactly the step', { markPrice: 41_000 * (1 + STEP) }, 'figures'],
    ['mark moved the step downwards', { markPrice: 41_000 * (1 - STEP * 1.01) }, 'figures'],
    ['only PnL moved (same mark)', { unrealisedPnl: 501 }, 'none'],
    // A level far beyond the mark: its distance moves several times faster than the mark does.
    [
      'a distance moved the step in points, the mark less than the step',
      { markPrice: 41_000 * (1 + STEP * 0.5), distanceToTpPct: 9.7561 + STEP * 100 },
      'figures',
    ],
    ['a distance moved just under the step in points', { distanceToSlPct: 7.3171 + STEP * 100 * 0.99 }, 'none'],
    ['tier changed on a tiny move', { tier: 'ACTIVE', markPrice: 41_000.01 }, 'figures'],
    ['TP distance vanished', { distanceToTpPct: null }, 'figures'],
    ['size changed', { size: 0.6 }, 'full'],
    ['TP moved', { takeProfit: 46_000 }, 'full'],
    ['SL removed', { stopLoss: null }, 'full'],
    ['liquidation moved', { liquidationPrice: 31_000 }, 'full'],
    ['leverage changed', { leverage: 5 }, 'full'],
    ['a flag appeared', { flags: ['LIQ_BEFORE_SL'] }, 'full'],
    ['a fill (activity) and a mark move', { lastActivityAt: 2_000, markPrice: 42_000 }, 'full'],
  ])('%s → %s', (_name, change, want) => {
    expect(viewChange(served(), served(change), STEP)).toBe(want);
  });

  it('a shown distance is never further behind than about the step in points', () => {
    const sent = served();
    // Just below the step: not sent, and the distance the socket shows is off by less than 0.05 points.
    const mark = 41_000 * (1 - STEP * 0.999);
    const now = served({ markPrice: mark, distanceToSlPct: ((mark - 38_000) / mark) * 100 });
    expect(viewChange(sent, now, STEP)).toBe('none');
    expect(Math.abs((now.distanceToSlPct ?? 0) - (sent.distanceToSlPct ?? 0))).toBeLessThan(0.05);
  });
});

describe('freshnessChanged', () => {
  const f = (o: Partial<AccountFreshness> = {}): AccountFreshness => ({
    account: 'main',
    status: 'live',
    dataAt: 1,
    problem: null,
    ...o,
  });
  it.each<[string, Partial<AccountFreshness>, boolean]>([
    ['only dataAt moved', { dataAt: 2 }, false],
    ['went stale', { status: 'stale', problem: 'cannot reach the exchange' }, true],
    ['problem changed', { problem: 'the exchange is limiting requests' }, true],
  ])('%s → %s', (_name, change, want) => {
    expect(freshnessChanged(f(), f(change))).toBe(want);
  });
});

describe('viewSlot: at most one update per slot, leading edge', () => {
  const SLOT = 250;
  it.each<
    [
      string,
      { lastViewAt: number; caughtUp: boolean; behind: boolean },
      number,
      { send: boolean; wakeAt: number | null },
    ]
  >([
    ['nothing owed', { lastViewAt: -Infinity, caughtUp: true, behind: false }, 1_000, { send: false, wakeAt: null }],
    [
      'first change: at once',
      { lastViewAt: -Infinity, caughtUp: true, behind: true },
      1_000,
      { send: true, wakeAt: null },
    ],
    [
      'after a quiet spell: at once',
      { lastViewAt: 0, caughtUp: true, behind: true },
      1_000,
      { send: true, wakeAt: null },
    ],
    ['slot just opened', { lastViewAt: 750, caughtUp: true, behind: true }, 1_000, { send: true, wakeAt: null }],
    [
      'inside the slot: waits for it',
      { lastViewAt: 900, caughtUp: true, behind: true },
      1_000,
      { send: false, wakeAt: 1_150 },
    ],
    [
      'lagging or behind on events: never',
      { lastViewAt: 0, caughtUp: false, behind: true },
      1_000,
      { send: false, wakeAt: null },
    ],
  ])('%s', (_name, state, now, want) => {
    expect(viewSlot(state, now, SLOT)).toEqual(want);
  });
});
