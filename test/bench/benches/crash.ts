import { runJournalFaults } from '../../execution/crash-disk.ts';
import { runCrashLoop } from '../../execution/crash-loop.ts';
import { summarize } from '../stats.ts';

/**
 * SIGKILL at random points during executions, CRASH_ITERATIONS times (default 20), restarting the real CLI
 * on the same data dir against a paper exchange that outlives it (see test/execution/crash-loop.ts); then
 * CRASH_DISK_ROUNDS (6) rounds on a full disk and CRASH_TORN_ROUNDS (6) with a torn journal
 * (test/execution/crash-disk.ts).
 */
export default async function run(): Promise<Record<string, unknown>> {
  const t0 = Date.now();
  const f = await runCrashLoop(Number(process.env.CRASH_ITERATIONS ?? 20), 11);
  const j = await runJournalFaults({
    diskRounds: Number(process.env.CRASH_DISK_ROUNDS ?? 6),
    tornRounds: Number(process.env.CRASH_TORN_ROUNDS ?? 6),
  });
  return {
    ...f,
    restartToSettledMs: summarize(f.restartToSettledMs),
    diskFullRounds: j.diskFull?.rounds ?? 0,
    diskFull: j.diskFull,
    tornJournalRounds: j.tornJournalRounds,
    tornKinds: j.tornKinds,
    ordersWithoutIntent: j.ordersWithoutIntent,
    adoptedMismatched: j.adoptedMismatched,
    journalFaultLostLegs: j.lostLegs,
    journalFaultDuplicateOrders: j.duplicateOrders,
    startFailures: j.startFailures,
    journalFaultSamples: j.samples,
    seconds: Math.round((Date.now() - t0) / 1000),
  };
}
