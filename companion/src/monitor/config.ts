import { TIERS, type Tier } from '@tierwatch/shared';
import { z } from 'zod';

/**
 * The monitor's one config section (`monitor:` in the companion's config file). Every field has a
 * default, so `MonitorConfig.parse({})` is a complete, working configuration. No feature flags: the
 * behaviours that act on the exchange on the trader's behalf (re-placing an SL, closing a mirror) are
 * plain options, off by default.
 */

const Ms = z.number().int().positive();
const Pct = z.number().positive().max(100);

const TierIntervals = z.object(Object.fromEntries(TIERS.map((t) => [t, Ms])) as Record<Tier, typeof Ms>);
export type TierIntervals = z.infer<typeof TierIntervals>;

/** Default exit band: a tier is left a quarter further out than it is entered. */
const EXIT_BAND = 1.25;

export const Thresholds = z
  .object({
    /** Within this distance (percent of the mark price) of TP or SL, inclusive: CRITICAL. */
    criticalPct: Pct.default(1),
    /** Within this distance, inclusive: URGENT. */
    urgentPct: Pct.default(3),
    /**
     * Hysteresis: a CRITICAL position stays CRITICAL until its nearest level is further than this (so a
     * price wobbling across criticalPct changes no tier and raises no second alert). At least criticalPct;
     * default a quarter beyond it (1.25 with the default 1).
     */
    criticalExitPct: Pct.optional(),
    /** Likewise for URGENT (from CRITICAL or URGENT): it leaves only past this. Default 1.25 × urgentPct. */
    urgentExitPct: Pct.optional(),
    /**
     * "Profit-taking": the mark is at least this far in the position's favour from its entry (percent of
     * entry). 0 means any profit at all.
     */
    profitTakingPct: z.number().nonnegative().max(100).default(0.5),
    /**
     * Hysteresis for profit-taking: an ACTIVE position stays ACTIVE until its favour falls below this.
     * At most profitTakingPct; default half of it (a walk around 0.5 % was most of the demo's tier changes).
     */
    profitTakingExitPct: z.number().nonnegative().max(100).optional(),
    /** A fill or change younger than this: ACTIVE. Exactly this old: no longer recent. */
    recentActivityMs: Ms.default(10 * 60_000),
    /** No activity for at least this long: DORMANT (between recentActivityMs and this: STABLE). */
    dormantAfterMs: Ms.default(30 * 60_000),
  })
  .transform((t) => ({
    ...t,
    criticalExitPct: t.criticalExitPct ?? t.criticalPct * EXIT_BAND,
    urgentExitPct: t.urgentExitPct ?? t.urgentPct * EXIT_BAND,
    profitTakingExitPct: t.profitTakingExitPct ?? t.profitTakingPct / 2,
  }));
export type Thresholds = z.infer<typeof Thresholds>;

export const IntervalProfile = z.object({
  name: z.string().min(1),
  /** The profile applies from this many open positions (all accounts together) upwards. */
  fromPositions: z.number().int().nonnegative(),
  /** Longest time a position of each tier may go without a check (fresh price). */
  intervalsMs: TierIntervals,
  /**
   * Shortest interval between two position reads of one account: an account's positions are re-read
   * at its most urgent tier's interval, but never more often than this (prices ride on the shared
   * ticker call; position pages carry state: size, TP/SL, closes).
   */
  stateRefreshMinMs: Ms,
});
export type IntervalProfile = z.infer<typeof IntervalProfile>;

const iv = (c: number, u: number, a: number, b: number, s: number, d: number): TierIntervals => ({
  CRITICAL: c,
  URGENT: u,
  ACTIVE: a,
  BUILDING: b,
  STABLE: s,
  DORMANT: d,
});

/** The seed's 25 / 100 / 400 thresholds; its extreme table, with CRITICAL tightened from 2 s to 1 s. */
export const DEFAULT_PROFILES: IntervalProfile[] = [
  {
    name: 'small',
    fromPositions: 0,
    intervalsMs: iv(1000, 2000, 5000, 10_000, 30_000, 60_000),
    stateRefreshMinMs: 2000,
  },
  {
    name: 'medium',
    fromPositions: 25,
    intervalsMs: iv(1000, 3000, 10_000, 30_000, 120_000, 300_000),
    stateRefreshMinMs: 3000,
  },
  {
    name: 'large',
    fromPositions: 100,
    intervalsMs: iv(1000, 5000, 15_000, 45_000, 180_000, 600_000),
    stateRefreshMinMs: 5000,
  },
  {
    name: 'extreme',
    fromPositions: 400,
    intervalsMs: iv(1000, 5000, 20_000, 60_000, 300_000, 900_000),
    stateRefreshMinMs: 5000,
  },
];

export const MonitorConfig = z
  .object({
    thresholds: Thresholds.prefault({}),
    profiles: z.array(IntervalProfile).min(1).default(DEFAULT_PROFILES),
    /** Ceiling for every profile's CRITICAL interval; raise it explicitly to allow a slower one. */
    criticalMaxIntervalMs: Ms.default(1000),
    /**
     * Checks are scheduled this much before their interval runs out, so that timer and latency jitter
     * keep the achieved gap within the interval (capped at a tenth of the interval).
     */
    slackMs: z.number().int().nonnegative().default(50),
    /**
     * A TP/SL crossing seen on a ticker publishes its event at once and asks for a read of the account to
     * confirm the close; such reads of one account are at least this far apart.
     */
    confirmMinGapMs: Ms.default(1000),
    /**
     * A position a read no longer lists, while no price showed its TP or SL reached, is reported closed
     * (and its mirrors checked) only once a read starting at least this long after that one leaves it out
     * too: one empty or short page must not close mirrors or raise closed / drift alerts.
     */
    closeConfirmMs: Ms.default(1000),
    /**
     * A CRITICAL price read not answered this long after it went out (or twice recent reads' p90, if
     * longer; at most half the critical interval) is sent once more and the first answer wins (hedge.ts):
     * one held read must not cost a critical check.
     */
    hedgeMinMs: Ms.default(250),
    /** Every account's positions and open orders are read at least this often (new positions, entry orders). */
    discoveryIntervalMs: Ms.default(60_000),
    /**
     * Which symbols one ticker call asks for: 'held' = every symbol with an open position, 'due' = only
     * those of positions due. The call count is the same (one bulk call); 'held' sees every price every
     * time, so a gap across an SL is caught within one critical interval whatever the position's tier.
     */
    tickerScope: z.enum(['held', 'due']).default('held'),
    /**
     * 'stream': prices, positions and orders arrive as pushes (the exchange layer's streams) and REST only
     * reconciles; a stale or down stream falls back to the polling below for what it served. 'poll': the
     * polling monitor alone. Without streams given (tests, a poll-only exchange), 'stream' polls.
     */
    source: z.enum(['stream', 'poll']).default('stream'),
    /** While an account streams, its positions and orders are re-read this often (and after a reconnect). */
    reconcileIntervalMs: Ms.default(60_000),
    /** A stream back to live serves again only after this long live without a break. */
    streamRecoverMs: Ms.default(1000),
    /** How often the streams' health is checked (a stale stream falls back within this plus its staleMs). */
    streamCheckMs: Ms.default(100),
    /** Bybit: 200 positions per page, 50 open orders per page; used to count pages as calls. */
    positionsPageSize: z.number().int().positive().default(200),
    ordersPageSize: z.number().int().positive().default(50),
    budget: z
      .object({
        /** The exchange's budget shared by everything on this IP (Bybit: 600 requests / 5 s). */
        exchangeCallsPerSec: z.number().positive().default(120),
        /** The part of it the monitor may plan to use; the rest is for execution and the API. */
        share: z.number().positive().max(1).default(0.25),
        /** The budget check never stretches slower tiers by more than this factor. */
        maxStretch: z.number().min(1).default(20),
      })
      .prefault({}),
    missingSl: z
      .object({
        /** Re-place a missing SL with setTradingStop: the last SL seen, else fallbackDistancePct from the mark. */
        replace: z.boolean().default(false),
        fallbackDistancePct: Pct.default(2),
        /** A failed re-place is retried no sooner than this. */
        retryMs: Ms.default(60_000),
      })
      .prefault({}),
    mirror: z
      .object({
        /** Close a mirror's position when its main position closes. */
        closeOnMainClose: z.boolean().default(false),
      })
      .prefault({}),
    stats: z
      .object({
        windowMs: Ms.default(60_000),
        publishIntervalMs: Ms.default(5000),
      })
      .prefault({}),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.thresholds.criticalPct > cfg.thresholds.urgentPct) {
      ctx.addIssue({ code: 'custom', path: ['thresholds', 'criticalPct'], message: 'must not exceed urgentPct' });
    }
    for (const [exit, enter] of [
      ['criticalExitPct', 'criticalPct'],
      ['urgentExitPct', 'urgentPct'],
    ] as const) {
      if (cfg.thresholds[exit] < cfg.thresholds[enter]) {
        const message = `must be at least ${enter} (${cfg.thresholds[enter]}): a position leaves a tier further out than it enters`;
        ctx.addIssue({ code: 'custom', path: ['thresholds', exit], message });
      }
    }
    if (cfg.thresholds.profitTakingExitPct > cfg.thresholds.profitTakingPct) {
      const message = `must not exceed profitTakingPct (${cfg.thresholds.profitTakingPct})`;
      ctx.addIssue({ code: 'custom', path: ['thresholds', 'profitTakingExitPct'], message });
    }
    if (cfg.thresholds.criticalExitPct > cfg.thresholds.urgentExitPct) {
      ctx.addIssue({
        code: 'custom',
        path: ['thresholds', 'criticalExitPct'],
        message: 'must not exceed urgentExitPct',
      });
    }
    if (cfg.thresholds.recentActivityMs > cfg.thresholds.dormantAfterMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['thresholds', 'recentActivityMs'],
        message: 'must not exceed dormantAfterMs',
      });
    }
    cfg.profiles.forEach((p, i) => {
      if (i === 0 && p.fromPositions !== 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['profiles', 0, 'fromPositions'],
          message: 'the first profile must start at 0',
        });
      }
      const prev = cfg.profiles[i - 1];
      if (prev && p.fromPositions <= prev.fromPositions) {
        ctx.addIssue({
          code: 'custom',
          path: ['profiles', i, 'fromPositions'],
          message: 'profiles must be in increasing order',
        });
      }
      if (p.intervalsMs.CRITICAL > cfg.criticalMaxIntervalMs) {
        ctx.addIssue({
          code: 'custom',
          path: ['profiles', i, 'intervalsMs', 'CRITICAL'],
          message: `must be at most criticalMaxIntervalMs (${cfg.criticalMaxIntervalMs})`,
        });
      }
      for (let t = 1; t < TIERS.length; t++) {
        const tier = TIERS[t] as Tier;
        const faster = TIERS[t - 1] as Tier;
        if (p.intervalsMs[tier] < p.intervalsMs[faster]) {
          ctx.addIssue({
            code: 'custom',
            path: ['profiles', i, 'intervalsMs', tier],
            message: `must not be faster than ${faster}`,
          });
        }
      }
    });
  });
export type MonitorConfig = z.infer<typeof MonitorConfig>;
export type MonitorConfigInput = z.input<typeof MonitorConfig>;
