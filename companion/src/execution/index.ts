/**
 * The execution guard and one-click execute: public entry. The companion opens one `ExecutionService`
 * (journal in its data dir), calls `recover()` once at start, and hands it to createApp's `execution`
 * dep (http/execution-routes.ts serves it). The `execution:` section of its config is `ExecutionConfig`.
 */

export { ExecutionConfig, type ExecutionConfigInput } from './config.ts';
export { ExecutionGuard, type ReleaseReason } from './guard.ts';
export { clientOrderId, requestHash } from './ids.ts';
export { type JournaledExecution, JournalRecord, loadJournal } from './journal/index.ts';
export { statusOf } from './legs.ts';
export type { RecoveryReport } from './recovery.ts';
export { ExecutionService, type ExecutionServiceDeps } from './service.ts';
export { checkBalances, type ExecutionPlan, marginNeeded, planExecution, preflight } from './validate.ts';
