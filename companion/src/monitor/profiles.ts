import { TIERS, type Tier } from '@tierwatch/shared';
import type { IntervalProfile, MonitorConfig, TierIntervals } from './config.ts';

/** The profile for this many open positions: the last one whose `fromPositions` is reached. */
export function selectProfile(profiles: readonly IntervalProfile[], positions: number): IntervalProfile {
  let chosen = profiles[0];
  if (!chosen) throw new Error('selectProfile: no profiles');
  for (const p of profiles) if (positions >= p.fromPositions) chosen = p;
  return chosen;
}

/** The intervals the scheduler uses now: the profile's, slower tiers stretched by the budget check. */
export interface EffectiveIntervals {
  profile: string;
  stretch: number;
  tiers: TierIntervals;
  stateRefreshMinMs: number;
  discoveryMs: number;
}

export function effectiveIntervals(
  profile: IntervalProfile,
  cfg: Pick<MonitorConfig, 'discoveryIntervalMs'>,
  stretch = 1,
): EffectiveIntervals {
  // CRITICAL is never stretched: that is the one promise the budget check may not break.
  const tiers = Object.fromEntries(
    TIERS.map((t) => [t, t === 'CRITICAL' ? profile.intervalsMs[t] : Math.round(profile.intervalsMs[t] * stretch)]),
  ) as TierIntervals;
  return {
    profile: profile.name,
    stretch,
    tiers,
    stateRefreshMinMs: Math.round(profile.stateRefreshMinMs * stretch),
    discoveryMs: Math.round(cfg.discoveryIntervalMs * stretch),
  };
}

/** The lane a call serving this tier runs in. */
export const tierLane = (tier: Tier) => tier.toLowerCase() as Lowercase<Tier>;

/** How early a check is scheduled so that jitter keeps the achieved gap within the interval. */
export const slackFor = (intervalMs: number, slackMs: number): number => Math.min(slackMs, intervalMs / 10);
