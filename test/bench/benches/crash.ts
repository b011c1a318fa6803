import { runCrashLoop } from '../../execution/crash-loop.ts';
import { summarize } from '../stats.ts';

/**
 * SIGKILL at random points during executions, CRASH_ITERATIONS times (default 20), restarting the real CLI
 * on the same data dir against a paper exchange that outlives it (see test/execution/crash-loop.ts).
 */
export default async function run(): Promise<Record<string, unknown>> {
  const t0 = Date.now();
  const f = await runCrashLoop(Number(process.env.CRASH_ITERATIONS ?? 20), 11);
  return {
    ...f,
    restartToSettledMs: summarize(f.restartToSettledMs),
    seconds: Math.round((Date.now() - t0) / 1000),
  };
}
