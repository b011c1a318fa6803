import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bundle } from '../../../../companion/scripts/bundle.mjs';
import { type Clock, ScaledClock } from '../../../../companion/src/core/clock.ts';
import type { PaperExchange } from '../../../../companion/src/paper/index.ts';
import { round } from '../../stats.ts';
import type { ChildMsg, ChildStart } from './child.ts';
import { type FaultRaw, type FaultWindows, faultFigures, runFaults, withoutRaw } from './faults.ts';
import { type Pusher, pusher, runPushes } from './pusher.ts';
import {
  FAULT,
  LATENCY_MS,
  OURS,
  type Scheme,
  type SchemeResult,
  type Size,
  STREAM,
  STREAM_STEP_MS,
  startPaper,
  wallNow,
} from './setup.ts';

/**
 * Ours: the real Monitor on the real exchange layer in a child process (the companion's monitoring alone:
 * its rss and CPU are not mixed with the paper exchange's), the paper exchange, the pushes and the faults
 * here. Calls are counted by the paper exchange, per simulated second.
 */
export async function ours(size: Size, scheme: Scheme = 'poll'): Promise<SchemeResult> {
  const run = scheme === 'poll' ? OURS : scheme === 'stream' ? STREAM : FAULT;
  const clock = new ScaledClock(run.scale);
  const paper = await startPaper(size, clock, true, scheme === 'poll' ? 1000 : STREAM_STEP_MS);
  paper.control.setStreamLatency({ fixedMs: LATENCY_MS });
  const real0 = performance.now();
  const child = await spawnChild();
  try {
    const start: ChildStart = {
      url: paper.url,
      accounts: paper.accounts,
      scale: run.scale,
      simAt: clock.now(),
      wallAt: wallNow(),
      warmupMs: run.warmupMs,
      spanMs: run.spanMs,
      source: scheme === 'poll' ? 'poll' : 'stream',
      statsMs: scheme === 'fault' ? 1000 : 10_000,
    };
    const windows: FaultWindows = { public: null, private: null };
    const { result, pushes } = await measure(child, start, paper, clock, scheme === 'fault' ? windows : null);
    const stats = paper.control.getStats();
    const simS = (stats.now - stats.since) / 1000;
    const tickers = stats.byEndpoint['/v5/market/tickers'] ?? 0;
    return {
      scale: run.scale,
      simSpanS: round(simS, 1),
      calls: stats.total,
      callsPerSec: round(stats.total / simS, 2),
      callsPerAccountPerSec: round(stats.total / simS / size.accounts, 3),
      privateCallsPerAccountPerSec: round((stats.total - tickers) / simS / size.accounts, 3),
      callsByEndpoint: stats.byEndpoint,
      violations: stats.violations.total,
      ...(withoutRaw(result) as {
        criticalCadenceP99Ms: number | null;
        detectionP99Ms: number | null;
        detected: string;
      }),
      pushed: pushes?.schedule.length ?? 0,
      realS: round((performance.now() - real0) / 1000, 1),
      ...(scheme === 'fault' ? faultFigures(result as unknown as FaultRaw, windows) : {}),
    };
  } finally {
    // The child exits by itself after its result (writing its profile when asked); kill it only if it does not.
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      const timer = setTimeout(() => child.kill(), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await paper.close();
  }
}

/**
 * The child runs bundled for plain node, as `pnpm start` runs the companion (tsx's loader alone would add
 * ~130 MB to the memory measured); inside the companion package, so the bundle's npm imports resolve from
 * its node_modules.
 */
async function spawnChild(): Promise<ChildProcess> {
  const entry = fileURLToPath(new URL('./child.ts', import.meta.url));
  const childBundle = fileURLToPath(new URL('../../../../companion/dist/bench-monitor-child.mjs', import.meta.url));
  await bundle(entry, childBundle);
  return fork(childBundle, [], {
    execArgv: [
      '--enable-source-maps',
      ...(process.env.TW_BENCH_MONITOR_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.TW_BENCH_MONITOR_PROF}`]
        : []),
    ],
    env: { ...process.env, TW_BENCH_MONITOR_CHILD: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Starts the child, and once it measures: the pushes (each told to the child) and the faults, if any. */
async function measure(
  child: ChildProcess,
  start: ChildStart,
  paper: PaperExchange,
  clock: Clock,
  windows: FaultWindows | null,
): Promise<{ result: Record<string, unknown>; pushes: Pusher | null }> {
  let faults: Promise<void> = Promise.resolve();
  let stopped = false;
  let pushing: Promise<void> = Promise.resolve();
  let pushes: Pusher | null = null;
  const result = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.on('message', (m: ChildMsg) => {
      if (m.type === 'measuring') {
        paper.control.resetStats();
        const t0 = clock.now();
        // Pushes end 5 s before the span does, so each has time to be seen.
        pushes = pusher(paper, clock, t0 + 2000, t0 + start.spanMs - 5000, 23);
        if (windows) faults = runFaults(paper, clock, t0, windows);
        pushing = runPushes(
          pushes,
          clock,
          () => stopped,
          (symbol, at) => child.send({ type: 'pushed', symbol, at }),
        );
      } else if (m.type === 'result') resolve(m.result);
      else reject(new Error(`monitor child: ${m.error}`));
    });
    child.once('exit', (code) => reject(new Error(`monitor child exited with ${code}`)));
    child.send({ type: 'start', start });
  });
  stopped = true;
  await pushing;
  await faults;
  return { result, pushes };
}
