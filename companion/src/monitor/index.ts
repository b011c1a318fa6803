/**
 * The tiered monitor: public entry. The companion builds one `Monitor` from its account clients, the
 * market data, the bus and the clock; the `monitor:` section of its config is `MonitorConfig`.
 */

export type { AccountHealth } from './accounts.ts';
export { type BudgetDecision, checkBudget, type Load, projectCallsPerSec } from './budget.ts';
export { type ClassifyInput, classify, crossing, distancePct } from './classify.ts';
export {
  DEFAULT_PROFILES,
  type IntervalProfile,
  MonitorConfig,
  type MonitorConfigInput,
  type Thresholds,
} from './config.ts';
export { Monitor, type MonitorOptions } from './monitor.ts';
export { type EffectiveIntervals, effectiveIntervals, selectProfile } from './profiles.ts';
export { type Mode, type Plan, planTick, summarize } from './scheduler.ts';
export { FAILED_ENDPOINT, PUBLIC_ACCOUNT } from './stats.ts';
