import type { Position, Tier } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { type ClassifyInput, classify, crossing } from './classify.ts';
import { MonitorConfig } from './config.ts';

const th = MonitorConfig.parse({}).thresholds;
const NOW = 1_700_000_000_000;
const MIN = 60_000;

const pos = (o: Partial<Position> = {}): Position => ({
  account: 'main',
  symbol: 'BTCUSDT',
  side: 'long',
  size: 1,
  entryPrice: 100,
  markPrice: 100,
  takeProfit: 110,
  stopLoss: 90,
  liquidationPrice: null,
  unrealisedPnl: 0,
  leverage: 10,
  positionValue: 100,
  lastActivityAt: null,
  ...o,
});

type Case = [name: string, p: Partial<Position>, extra: Partial<ClassifyInput>, tier: Tier, flags?: string[]];

const cases: Case[] = [
  // distance boundaries, long: TP above, SL below
  ['TP exactly 1% away → CRITICAL', { takeProfit: 101 }, {}, 'CRITICAL'],
  ['TP just over 1% → URGENT', { takeProfit: 101.0001 }, {}, 'URGENT'],
  ['TP exactly 3% away → URGENT', { takeProfit: 103 }, {}, 'URGENT'],
  ['TP just over 3% → calmer', { takeProfit: 103.0001 }, {}, 'STABLE'],
  ['SL exactly 1% away → CRITICAL', { stopLoss: 99 }, {}, 'CRITICAL'],
  ['SL exactly 3% away → URGENT', { stopLoss: 97 }, {}, 'URGENT'],
  ['SL just over 3% → calmer', { stopLoss: 96.9999 }, {}, 'STABLE'],
  ['mark past the SL → CRITICAL', { stopLoss: 100.5 }, {}, 'CRITICAL'],
  ['mark past the TP → CRITICAL', { takeProfit: 99.5 }, {}, 'CRITICAL'],
  // short: TP below, SL above
  ['short TP exactly 1% below → CRITICAL', { side: 'short', takeProfit: 99, stopLoss: 110 }, {}, 'CRITICAL'],
  ['short SL exactly 1% above → CRITICAL', { side: 'short', takeProfit: 90, stopLoss: 101 }, {}, 'CRITICAL'],
  ['short SL exactly 3% above → URGENT', { side: 'short', takeProfit: 90, stopLoss: 103 }, {}, 'URGENT'],
  ['fresh mark from a ticker wins over the position mark', {}, { markPrice: 109 }, 'CRITICAL'],
  // missing levels
  ['missing TP, SL near → CRITICAL, flagged', { takeProfit: null, stopLoss: 99.5 }, {}, 'CRITICAL', ['NO_TP']],
  ['missing TP, SL far → by activity, flagged', { takeProfit: null }, {}, 'STABLE', ['NO_TP']],
  ['missing SL, TP within 3% → URGENT, flagged', { stopLoss: null, takeProfit: 102 }, {}, 'URGENT', ['NO_SL']],
  ['missing both → by activity, flagged', { takeProfit: null, stopLoss: null }, {}, 'STABLE', ['NO_TP', 'NO_SL']],
  // cannot be classified → URGENT
  ['NaN mark', {}, { markPrice: Number.NaN }, 'URGENT', ['UNCLASSIFIABLE']],
  ['infinite mark', {}, { markPrice: Number.POSITIVE_INFINITY }, 'URGENT', ['UNCLASSIFIABLE']],
  ['zero mark', {}, { markPrice: 0 }, 'URGENT', ['UNCLASSIFIABLE']],
  ['NaN take-profit', { takeProfit: Number.NaN }, {}, 'URGENT', ['UNCLASSIFIABLE']],
  ['negative stop-loss', { stopLoss: -1 }, {}, 'URGENT', ['UNCLASSIFIABLE']],
  ['zero entry', { entryPrice: 0 }, {}, 'URGENT', ['UNCLASSIFIABLE']],
  ['infinite entry', { entryPrice: Number.POSITIVE_INFINITY }, {}, 'URGENT', ['UNCLASSIFIABLE']],
  // a symbol missing from the instruments (or refused): never calmer than URGENT, flagged
  [
    'unknown instrument, levels far → URGENT, flagged',
    {},
    { instrumentKnown: false },
    'URGENT',
    ['UNKNOWN_INSTRUMENT'],
  ],
  [
    'unknown instrument, recent fill (else ACTIVE) → URGENT, flagged',
    {},
    { instrumentKnown: false, lastActivityAt: NOW - MIN },
    'URGENT',
    ['UNKNOWN_INSTRUMENT'],
  ],
  [
    'unknown instrument, TP within 1% → CRITICAL, flagged',
    { takeProfit: 101 },
    { instrumentKnown: false },
    'CRITICAL',
    ['UNKNOWN_INSTRUMENT'],
  ],
  ['known instrument → as usual', {}, { instrumentKnown: true }, 'STABLE'],
  [
    'unknown instrument and NaN mark → URGENT, both flags',
    {},
    { instrumentKnown: false, markPrice: Number.NaN },
    'URGENT',
    ['UNKNOWN_INSTRUMENT', 'UNCLASSIFIABLE'],
  ],
  // inverted levels: TP not beyond SL in the position's favour → URGENT, flagged (never CRITICAL)
  ['long TP below SL → URGENT, flagged', { takeProfit: 90, stopLoss: 110 }, {}, 'URGENT', ['LEVELS_INVERTED']],
  ['long TP equal to SL → URGENT, flagged', { takeProfit: 100.5, stopLoss: 100.5 }, {}, 'URGENT', ['LEVELS_INVERTED']],
  ['long TP a hair above SL, both near → CRITICAL', { takeProfit: 100.5, stopLoss: 100.4999 }, {}, 'CRITICAL'],
  [
    'short TP above SL → URGENT, flagged',
    { side: 'short', takeProfit: 110, stopLoss: 90 },
    {},
    'URGENT',
    ['LEVELS_INVERTED'],
  ],
  [
    'short TP equal to SL → URGENT, flagged',
    { side: 'short', takeProfit: 99.5, stopLoss: 99.5 },
    {},
    'URGENT',
    ['LEVELS_INVERTED'],
  ],
  [
    'short TP a hair below SL, both near → CRITICAL',
    { side: 'short', takeProfit: 99.5, stopLoss: 99.5001 },
    {},
    'CRITICAL',
  ],
  [
    'long inverted, old activity (else DORMANT) → URGENT',
    { takeProfit: 90, stopLoss: 110 },
    { lastActivityAt: NOW - 60 * MIN },
    'URGENT',
    ['LEVELS_INVERTED'],
  ],
  [
    'inverted and unknown instrument → URGENT, both flags',
    { takeProfit: 90, stopLoss: 110 },
    { instrumentKnown: false },
    'URGENT',
    ['UNKNOWN_INSTRUMENT', 'LEVELS_INVERTED'],
  ],
  ['one level only is never inverted', { takeProfit: 90, stopLoss: null }, {}, 'CRITICAL', ['NO_SL']],
  // liquidation before the SL: the SL can never fire → never calmer than URGENT, flagged
  [
    'long, liquidation above the SL, levels far → URGENT, flagged',
    { liquidationPrice: 91 },
    {},
    'URGENT',
    ['LIQ_BEFORE_SL'],
  ],
  [
    'short, liquidation below the SL, old activity (else DORMANT) → URGENT',
    { side: 'short', takeProfit: 90, stopLoss: 110, liquidationPrice: 109 },
    { lastActivityAt: NOW - 60 * MIN },
    'URGENT',
    ['LIQ_BEFORE_SL'],
  ],
  [
    'liquidation before the SL, SL within 1% → CRITICAL, flagged',
    { stopLoss: 99.5, liquidationPrice: 99.6 },
    {},
    'CRITICAL',
    ['LIQ_BEFORE_SL'],
  ],
  ['liquidation beyond the SL → as usual', { liquidationPrice: 85 }, {}, 'STABLE'],
  ['liquidation but no SL → as usual, NO_SL only', { stopLoss: null, liquidationPrice: 95 }, {}, 'STABLE', ['NO_SL']],
  // profit-taking
  ['long exactly 0.5% in profit → ACTIVE', { markPrice: 100.5, takeProfit: 120, stopLoss: 80 }, {}, 'ACTIVE'],
  ['long just under 0.5% in profit → calmer', { markPrice: 100.49, takeProfit: 120, stopLoss: 80 }, {}, 'STABLE'],
  ['short 0.5% in profit → ACTIVE', { side: 'short', markPrice: 99.5, takeProfit: 80, stopLoss: 120 }, {}, 'ACTIVE'],
  ['short in loss → calmer', { side: 'short', markPrice: 100.5, takeProfit: 80, stopLoss: 120 }, {}, 'STABLE'],
  // activity age: 10 min and 30 min
  ['fill 1 ms under 10 min ago → ACTIVE', {}, { lastActivityAt: NOW - 10 * MIN + 1 }, 'ACTIVE'],
  ['fill exactly 10 min ago → STABLE', {}, { lastActivityAt: NOW - 10 * MIN }, 'STABLE'],
  ['29:59.999 ago → STABLE', {}, { lastActivityAt: NOW - 30 * MIN + 1 }, 'STABLE'],
  ['exactly 30 min ago → DORMANT', {}, { lastActivityAt: NOW - 30 * MIN }, 'DORMANT'],
  ['activity unknown → STABLE, never DORMANT', {}, { lastActivityAt: null }, 'STABLE'],
  ['activity in the future (clock skew) → ACTIVE', {}, { lastActivityAt: NOW + 5000 }, 'ACTIVE'],
  // entry orders
  ['pending entry orders → BUILDING', {}, { pendingEntryOrders: 2, lastActivityAt: NOW - 60 * MIN }, 'BUILDING'],
  ['pending entry + recent fill → ACTIVE wins', {}, { pendingEntryOrders: 1, lastActivityAt: NOW - MIN }, 'ACTIVE'],
  ['pending entry + near SL → CRITICAL wins', { stopLoss: 99.2 }, { pendingEntryOrders: 1 }, 'CRITICAL'],
];

describe('classify', () => {
  it.each(cases)('%s', (_name, p, extra, tier, flags = []) => {
    const input: ClassifyInput = { position: pos(p), pendingEntryOrders: 0, lastActivityAt: null, now: NOW, ...extra };
    const out = classify(input, th);
    expect(out.tier).toBe(tier);
    expect(out.flags).toEqual(flags);
  });

  it('shares one frozen flags list per combination: no classification can change another one', () => {
    const classified = (p: Partial<Position>, extra: Partial<ClassifyInput> = {}) =>
      classify({ position: pos(p), pendingEntryOrders: 0, lastActivityAt: null, now: NOW, ...extra }, th).flags;
    const a = classified({ takeProfit: null }, { instrumentKnown: false });
    expect(a).toEqual(['NO_TP', 'UNKNOWN_INSTRUMENT']);
    expect(classified({ takeProfit: null, markPrice: 101 }, { instrumentKnown: false })).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => (a as string[]).push('NO_SL')).toThrow(TypeError);
    expect(classified({})).toEqual([]);
  });

  it('reports distances in percent of the mark, toward each level, 0 once past', () => {
    const out = classify(
      {
        position: pos({ takeProfit: 110, stopLoss: 95 }),
        markPrice: 100,
        pendingEntryOrders: 0,
        lastActivityAt: null,
        now: NOW,
      },
      th,
    );
    expect(out.distanceToTpPct).toBeCloseTo(10);
    expect(out.distanceToSlPct).toBeCloseTo(5);
    const past = classify(
      { position: pos({ stopLoss: 101 }), pendingEntryOrders: 0, lastActivityAt: null, now: NOW },
      th,
    );
    expect(past.distanceToSlPct).toBe(0);
    const none = classify(
      { position: pos({ takeProfit: null }), pendingEntryOrders: 0, lastActivityAt: null, now: NOW },
      th,
    );
    expect(none.distanceToTpPct).toBeNull();
  });

  it('carries the fresh mark and its PnL', () => {
    const out = classify(
      { position: pos({ size: 2 }), markPrice: 104, pendingEntryOrders: 0, lastActivityAt: null, now: NOW },
      th,
    );
    expect(out.markPrice).toBe(104);
    expect(out.unrealisedPnl).toBeCloseTo(8);
  });

  it('inverted levels: no distances (toward levels that contradict each other they mean nothing)', () => {
    const out = classify(
      { position: pos({ takeProfit: 90, stopLoss: 110 }), pendingEntryOrders: 0, lastActivityAt: null, now: NOW },
      th,
    );
    expect([out.distanceToTpPct, out.distanceToSlPct]).toEqual([null, null]);
  });

  it('honours configured thresholds', () => {
    const wide = MonitorConfig.parse({ thresholds: { criticalPct: 2, urgentPct: 5 } }).thresholds;
    const out = classify(
      { position: pos({ takeProfit: 102 }), pendingEntryOrders: 0, lastActivityAt: null, now: NOW },
      wide,
    );
    expect(out.tier).toBe('CRITICAL');
  });
});

describe('classify with hysteresis (the tier before this price)', () => {
  // Long, entry 100, SL 90, TP 120: the mark sets the SL distance (mark - 90) / mark.
  const markAtSlPct = (pct: number) => 90 / (1 - pct / 100);
  it.each<[name: string, distancePct: number, previous: Tier | null, tier: Tier]>([
    ['enters CRITICAL at exactly 1%', 1, 'URGENT', 'CRITICAL'],
    ['not CRITICAL at 1.1% from URGENT', 1.1, 'URGENT', 'URGENT'],
    ['first classification: the entry thresholds', 1.1, null, 'URGENT'],
    ['stays CRITICAL at 1.1% (inside the band)', 1.1, 'CRITICAL', 'CRITICAL'],
    ['stays CRITICAL at exactly 1.25%', 1.25, 'CRITICAL', 'CRITICAL'],
    ['leaves CRITICAL just past 1.25%', 1.2501, 'CRITICAL', 'URGENT'],
    ['enters URGENT at exactly 3%', 3, 'STABLE', 'URGENT'],
    ['not URGENT at 3.1% from STABLE', 3.1, 'STABLE', 'STABLE'],
    ['stays URGENT at 3.5%', 3.5, 'URGENT', 'URGENT'],
    ['stays URGENT at exactly 3.75%', 3.75, 'URGENT', 'URGENT'],
    ['leaves URGENT just past 3.75%', 3.7501, 'URGENT', 'STABLE'],
    ['CRITICAL falling far keeps the URGENT band', 3.5, 'CRITICAL', 'URGENT'],
    ['CRITICAL falling past both bands', 4, 'CRITICAL', 'STABLE'],
    ['ACTIVE before is no band for URGENT', 3.1, 'ACTIVE', 'STABLE'],
  ])('%s', (_name, pct, previousTier, tier) => {
    const mark = markAtSlPct(pct);
    const p = pos({ takeProfit: 200, markPrice: mark, entryPrice: mark });
    const out = classify({ position: p, pendingEntryOrders: 0, lastActivityAt: null, now: NOW, previousTier }, th);
    expect(out.tier).toBe(tier);
  });

  it.each<[name: string, favourPct: number, previous: Tier | null, tier: Tier]>([
    ['profit-taking enters at exactly 0.5%', 0.5, 'STABLE', 'ACTIVE'],
    ['not at 0.4% from STABLE', 0.4, 'STABLE', 'STABLE'],
    ['stays ACTIVE at 0.4%', 0.4, 'ACTIVE', 'ACTIVE'],
    ['stays ACTIVE at exactly 0.25%', 0.25, 'ACTIVE', 'ACTIVE'],
    ['leaves just under 0.25%', 0.2499, 'ACTIVE', 'STABLE'],
    ['in loss: never profit-taking', -0.3, 'ACTIVE', 'STABLE'],
  ])('profit-taking: %s', (_name, favour, previousTier, tier) => {
    const p = pos({ markPrice: 100 * (1 + favour / 100), takeProfit: 150, stopLoss: 50 });
    expect(
      classify({ position: p, pendingEntryOrders: 0, lastActivityAt: null, now: NOW, previousTier }, th).tier,
    ).toBe(tier);
  });

  it('a mark oscillating across 1% changes tier once on the way in', () => {
    const tiers: Tier[] = [];
    let previousTier: Tier | null = 'URGENT';
    for (const pct of [1.3, 0.95, 1.05, 0.9, 1.2, 0.99, 1.24, 1.0]) {
      const mark = markAtSlPct(pct);
      const p = pos({ takeProfit: 200, markPrice: mark, entryPrice: mark });
      previousTier = classify(
        { position: p, pendingEntryOrders: 0, lastActivityAt: null, now: NOW, previousTier },
        th,
      ).tier;
      tiers.push(previousTier);
    }
    expect(tiers).toEqual(['URGENT', ...Array(7).fill('CRITICAL')]);
  });
});

describe('crossing', () => {
  it.each([
    ['long at SL', pos(), 90, 'sl'],
    ['long below SL', pos(), 85, 'sl'],
    ['long at TP', pos(), 110, 'tp'],
    ['long between', pos(), 100, null],
    ['short at SL', pos({ side: 'short', takeProfit: 90, stopLoss: 110 }), 110, 'sl'],
    ['short at TP', pos({ side: 'short', takeProfit: 90, stopLoss: 110 }), 89, 'tp'],
    ['no levels', pos({ takeProfit: null, stopLoss: null }), 50, null],
    ['NaN mark', pos(), Number.NaN, null],
    // Inverted levels: at every mark one of them looks crossed; neither is reported.
    ['long inverted, mark between', pos({ takeProfit: 90, stopLoss: 110 }), 100, null],
    ['long inverted, mark above both', pos({ takeProfit: 90, stopLoss: 110 }), 120, null],
    ['long inverted, mark below both', pos({ takeProfit: 90, stopLoss: 110 }), 80, null],
    ['long TP equal to SL, at the level', pos({ takeProfit: 100, stopLoss: 100 }), 100, null],
    ['short inverted, mark between', pos({ side: 'short', takeProfit: 110, stopLoss: 90 }), 100, null],
    ['short inverted, mark below both', pos({ side: 'short', takeProfit: 110, stopLoss: 90 }), 80, null],
    ['one level only, past it', pos({ takeProfit: null, stopLoss: 90 }), 85, 'sl'],
  ] as const)('%s', (_n, p, mark, kind) => {
    expect(crossing(p, mark)?.kind ?? null).toBe(kind);
  });
});
