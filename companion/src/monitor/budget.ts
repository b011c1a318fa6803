import { type Tier, tierRank } from '@tierwatch/shared';
import type { IntervalProfile, MonitorConfig } from './config.ts';
import { type EffectiveIntervals, effectiveIntervals } from './profiles.ts';

/**
 * The budget check, pure: project the monitor's call rate from what the scheduler would do with the
 * current positions, and if it exceeds the configured share of the exchange budget, find the smallest
 * stretch of the slower tiers (never CRITICAL) that fits.
 */

export interface AccountLoad {
  positions: number;
  /** Most urgent tier among the account's positions; null with none. */
  mostUrgent: Tier | null;
  hasBuilding: boolean;
}

export interface Load {
  accounts: AccountLoad[];
  /** Most urgent tier over all positions; null with none. */
  mostUrgent: Tier | null;
}

export const pages = (items: number, pageSize: number): number => Math.max(1, Math.ceil(items / pageSize));

/** Calls per second the scheduler makes at steady state with these intervals. */
export function projectCallsPerSec(
  load: Load,
  iv: EffectiveIntervals,
  cfg: Pick<MonitorConfig, 'positionsPageSize' | 'ordersPageSize'>,
): number {
  let rate = load.mostUrgent ? 1000 / iv.tiers[load.mostUrgent] : 0;
  for (const a of load.accounts) {
    const tierMs = a.mostUrgent ? Math.max(iv.stateRefreshMinMs, iv.tiers[a.mostUrgent]) : Infinity;
    rate += (pages(a.positions, cfg.positionsPageSize) * 1000) / Math.min(iv.discoveryMs, tierMs);
    const ordersMs = a.hasBuilding ? Math.min(iv.discoveryMs, iv.tiers.BUILDING) : iv.discoveryMs;
    // Open-order pages depend on the order count, which the projection does not track: one page.
    rate += 1000 / ordersMs;
  }
  return rate;
}

export interface BudgetDecision {
  intervals: EffectiveIntervals;
  projectedCallsPerSec: number;
  allowedCallsPerSec: number;
  stretched: boolean;
}

export function checkBudget(
  load: Load,
  profile: IntervalProfile,
  cfg: Pick<MonitorConfig, 'positionsPageSize' | 'ordersPageSize' | 'discoveryIntervalMs' | 'budget'>,
): BudgetDecision {
  const allowed = cfg.budget.exchangeCallsPerSec * cfg.budget.share;
  const at = (s: number) => {
    const intervals = effectiveIntervals(profile, cfg, s);
    return { intervals, rate: projectCallsPerSec(load, intervals, cfg) };
  };
  const base = at(1);
  if (base.rate <= allowed) {
    return {
      intervals: base.intervals,
      projectedCallsPerSec: base.rate,
      allowedCallsPerSec: allowed,
      stretched: false,
    };
  }
  // The rate falls as the stretch grows: bisect for the smallest stretch that fits.
  let lo = 1;
  let hi = cfg.budget.maxStretch;
  let best = at(hi);
  if (best.rate <= allowed) {
    for (let i = 0; i < 30 && hi - lo > 0.01; i++) {
      const mid = (lo + hi) / 2;
      const r = at(mid);
      if (r.rate <= allowed) {
        hi = mid;
        best = r;
      } else lo = mid;
    }
  }
  return { intervals: best.intervals, projectedCallsPerSec: best.rate, allowedCallsPerSec: allowed, stretched: true };
}

/** The more urgent of two tiers (null is "none"). */
export function moreUrgent(a: Tier | null, b: Tier | null): Tier | null {
  if (a === null) return b;
  if (b === null) return a;
  return tierRank(a) <= tierRank(b) ? a : b;
}
