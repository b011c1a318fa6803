import { startCompanionProcess } from '../../support/companion-process.ts';
import { summarize } from '../stats.ts';

/** Start-up time of the CLI: process spawn → ready line, over several runs (median and spread). */
export default async function run(): Promise<Record<string, unknown>> {
  const runs = 5;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const companion = await startCompanionProcess();
    times.push(performance.now() - t0);
    const health = await fetch(`${companion.ready.url}/health`);
    if (health.status !== 200) throw new Error(`/health answered ${health.status}`);
    await companion.kill();
  }
  const s = summarize(times);
  return { startupMs: s.median, startupMinMs: s.min, startupMaxMs: s.max, runs: s.runs };
}
