import {
  type Account,
  emptyTierCounts,
  type MonitorStats,
  type Snapshot,
  TIERS,
  type Tier,
  type TieredPosition,
} from '../src/index.ts';

/** Test data shaped exactly like the protocol (every fixture passes the zod schemas). */

export const ACCOUNTS: Account[] = [
  { name: 'main', role: 'main', mirrorOf: null, mirrorRatio: 1, exchange: 'bybit', mode: 'paper' },
  { name: 'mirror1', role: 'mirror', mirrorOf: 'main', mirrorRatio: 0.5, exchange: 'bybit', mode: 'paper' },
  { name: 'mirror2', role: 'mirror', mirrorOf: 'main', mirrorRatio: 2, exchange: 'bybit', mode: 'paper' },
];

export function position(over: Partial<TieredPosition> = {}): TieredPosition {
  return {
    account: 'main',
    symbol: 'BTCUSDT',
    side: 'long',
    size: 0.1,
    entryPrice: 60_000,
    markPrice: 61_000,
    takeProfit: 66_000,
    stopLoss: 58_000,
    liquidationPrice: null,
    unrealisedPnl: 100,
    leverage: 10,
    positionValue: 6_000,
    lastActivityAt: null,
    tier: 'STABLE',
    distanceToTpPct: 8.2,
    distanceToSlPct: 4.9,
    flags: [],
    ...over,
  };
}

export function stats(over: Partial<MonitorStats> = {}): MonitorStats {
  const cadence = { intervalMs: 1000, p50GapMs: null, p99GapMs: null };
  return {
    at: 1_000,
    windowMs: 60_000,
    positions: 0,
    tierCounts: emptyTierCounts(),
    profile: 'large',
    callsPerSec: 3.2,
    callsPerSecByEndpoint: {},
    callsPerSecByAccount: {},
    naiveCallsPerSec: 160,
    reductionVsNaive: 0.98,
    cadence: Object.fromEntries(TIERS.map((t) => [t, cadence])) as MonitorStats['cadence'],
    stretched: false,
    detectionP99Ms: 120,
    guardMode: 'normal',
    accounts: [],
    subscriberErrors: 0,
    ...over,
  };
}

export function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  const positions = over.positions ?? [position()];
  const tierCounts = emptyTierCounts();
  for (const p of positions) tierCounts[p.tier] += 1;
  return {
    type: 'snapshot',
    protocol: 1,
    seq: 10,
    at: 1_000,
    instance: 'run-1',
    accounts: ACCOUNTS,
    positions,
    tierCounts,
    stats: stats({ positions: positions.length, tierCounts }),
    guardMode: 'normal',
    alerts: [],
    ...over,
  };
}

const SYMBOLS = ['BTC', 'ETH', 'SOL', 'XRP', 'DOGE', 'ADA', 'AVAX', 'LINK', 'DOT', 'LTC', 'BCH', 'ATOM', 'NEAR', 'APT'];
/** Roughly a real book: few CRITICAL, more STABLE/DORMANT. */
const TIER_MIX: Tier[] = [
  'CRITICAL',
  'URGENT',
  'URGENT',
  'ACTIVE',
  'ACTIVE',
  'ACTIVE',
  'BUILDING',
  'BUILDING',
  'STABLE',
  'STABLE',
  'STABLE',
  'STABLE',
  'DORMANT',
  'DORMANT',
  'DORMANT',
  'DORMANT',
];

/**
 * `count` positions across main and two mirrors (each main leg mirrored on mirror1, every third on
 * mirror2), deterministic so benchmarks compare like with like.
 */
export function bigSnapshot(count = 400, seq = 100): Snapshot {
  const positions: TieredPosition[] = [];
  let i = 0;
  while (positions.length < count) {
    const base = SYMBOLS[i % SYMBOLS.length];
    const symbol = `${base}${i >= SYMBOLS.length ? Math.floor(i / SYMBOLS.length) : ''}USDT`;
    const side = i % 3 === 0 ? 'short' : 'long';
    const tier = TIER_MIX[(i * 7) % TIER_MIX.length] ?? 'STABLE';
    const mark = 10 + ((i * 37) % 900);
    const sl = 0.2 + ((i * 13) % 90) / 10;
    const tp = 0.3 + ((i * 29) % 120) / 10;
    const legs: [string, number][] = [
      ['main', 1],
      ['mirror1', 0.5],
    ];
    if (i % 3 === 0) legs.push(['mirror2', 2]);
    for (const [account, ratio] of legs) {
      if (positions.length >= count) break;
      positions.push(
        position({
          account,
          symbol,
          side,
          size: Number((ratio * (1 + (i % 9))).toFixed(3)),
          entryPrice: mark * 0.99,
          markPrice: mark,
          takeProfit: side === 'long' ? mark * (1 + tp / 100) : mark * (1 - tp / 100),
          stopLoss: side === 'long' ? mark * (1 - sl / 100) : mark * (1 + sl / 100),
          unrealisedPnl: Number((((i * 53) % 400) - 200 + ratio).toFixed(2)),
          tier,
          distanceToTpPct: tp,
          distanceToSlPct: sl,
        }),
      );
    }
    i += 1;
  }
  return snapshot({ positions, seq });
}
