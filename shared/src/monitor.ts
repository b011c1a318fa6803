import { z } from 'zod';
import { EpochMs } from './primitives.ts';
import { TIERS, type Tier, TierCounts } from './tier.ts';

export const GuardMode = z.enum(['normal', 'critical-only']);
export type GuardMode = z.infer<typeof GuardMode>;

export const TierCadence = z.object({
  /** The interval the scheduler is using for this tier now (after any budget stretch). */
  intervalMs: z.number().int().positive(),
  /** Achieved gap between consecutive checks of one position, over the stats window; null before two checks. */
  p50GapMs: z.number().nonnegative().nullable(),
  p99GapMs: z.number().nonnegative().nullable(),
});
export type TierCadence = z.infer<typeof TierCadence>;

/**
 * What the companion knows of an account's API key (checked at start, watched while running): the popup shows
 * every status but ok beside the account's read errors. Null for the embedded paper exchange's accounts.
 */
export const KeyHealth = z.object({
  /** refused: the exchange refuses the key (every read fails) or it expired; expiring: within 7 days. */
  status: z.enum(['ok', 'warn', 'read-only', 'expiring', 'refused']),
  canTrade: z.boolean(),
  expiresAt: EpochMs.nullable(),
  /** Secret-free, one line each: what is wrong and what to do. */
  warnings: z.array(z.string()),
});
export type KeyHealth = z.infer<typeof KeyHealth>;

/** One account's monitoring health: a failing account's positions are as old as its last good read. */
export const AccountHealth = z.object({
  account: z.string(),
  lastReadAt: EpochMs.nullable(),
  failures: z.number().int().nonnegative(),
  consecutiveFailures: z.number().int().nonnegative(),
  /** A short, secret-free description of the last failure. */
  lastError: z.string().nullable(),
  /** The account's key health; absent or null for an account whose key the companion made (embedded paper). */
  key: KeyHealth.nullable().optional(),
});
export type AccountHealth = z.infer<typeof AccountHealth>;

export const DataSource = z.enum(['stream', 'poll']);
export type DataSource = z.infer<typeof DataSource>;

/** The streams behind the monitor (absent when it polls only). */
export const StreamStats = z.object({
  /** Where each stream's data comes from now: 'public' (tickers) and every account. */
  sources: z.record(z.string(), DataSource),
  connections: z.array(
    z.object({
      key: z.string(),
      account: z.string().nullable(),
      health: z.enum(['live', 'stale', 'down']),
      /** Since the connection's last frame; null before the first. */
      ageMs: z.number().nonnegative().nullable(),
      reconnects: z.number().int().nonnegative(),
      /** Pushes per second by topic since the previous stats. */
      messagesPerSec: z.record(z.string(), z.number().nonnegative()),
    }),
  ),
  /** Source switches since start (each is also a source-changed event). */
  switches: z.number().int().nonnegative(),
  /** Positions or orders a REST reconciliation found that the streams had not said. */
  restOnlyDiscoveries: z.number().int().nonnegative(),
  /** Gaps heard in a stream's sequence (each reconciled by REST at once); older companions leave it out. */
  gaps: z.number().int().nonnegative().optional(),
});
export type StreamStats = z.infer<typeof StreamStats>;

/** Counted, never estimated: every figure comes from calls made and events emitted. */
export const MonitorStats = z.object({
  at: EpochMs,
  windowMs: z.number().int().positive(),
  positions: z.number().int().nonnegative(),
  tierCounts: TierCounts,
  /** Interval profile chosen by position count (e.g. "small", "medium", "large", "extreme"). */
  profile: z.string(),
  callsPerSec: z.number().nonnegative(),
  callsPerSecByEndpoint: z.record(z.string(), z.number().nonnegative()),
  callsPerSecByAccount: z.record(z.string(), z.number().nonnegative()),
  /** The naive scheme for the same positions: 2 calls per position every 5 s. */
  naiveCallsPerSec: z.number().nonnegative(),
  /** 1 - ours / naive, in [0, 1]; null with no positions. */
  reductionVsNaive: z.number().max(1).nullable(),
  cadence: z.object(Object.fromEntries(TIERS.map((t) => [t, TierCadence])) as Record<Tier, typeof TierCadence>),
  /** True when the budget check stretched the slower tiers. */
  stretched: z.boolean(),
  detectionP99Ms: z.number().nonnegative().nullable(),
  guardMode: GuardMode,
  accounts: z.array(AccountHealth),
  /** Event subscribers that threw (contained, logged): non-zero means some consumer missed events. */
  subscriberErrors: z.number().int().nonnegative(),
  streams: StreamStats.optional(),
});
export type MonitorStats = z.infer<typeof MonitorStats>;
