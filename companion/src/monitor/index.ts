/**
 * The tiered monitor: public entry. The companion builds one `Monitor` from its account clients, the
 * market data, the bus and the clock; the `monitor:` section of its config is `MonitorConfig`.
 */
export { Monitor, type AccountHealth, type MonitorOptions } from './monitor.ts';
export { MonitorConfig, type MonitorConfigInput, DEFAULT_PROFILES, type IntervalProfile, type Thresholds } from './config.ts';
export { classify, crossing, distancePct, type ClassifyInput } from './classify.ts';
export { selectProfile, effectiveIntervals, type EffectiveIntervals } from './profiles.ts';
export { checkBudget, projectCallsPerSec, type Load, type BudgetDecision } from './budget.ts';
export { planTick, summarize, type Plan, type Mode } from './scheduler.ts';
export { PUBLIC_ACCOUNT, FAILED_ENDPOINT } from './stats.ts';
