import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { BusEvent, MonitorStats } from '@tierwatch/shared';
import { EventBus } from '../../../../companion/src/core/bus.ts';
import { ScaledClock } from '../../../../companion/src/core/clock.ts';
import { silentLogger } from '../../../../companion/src/core/logger.ts';
import { createExchangeLayer, ExchangeConfig } from '../../../../companion/src/exchange/index.ts';
import { Monitor, MonitorConfig } from '../../../../companion/src/monitor/index.ts';
import { paperSetups } from '../../../../companion/test-support/paper-setups.ts';
import { percentile, round } from '../../stats.ts';
import { wallNow } from './setup.ts';

/**
 * The child: the companion's monitoring (exchange layer + Monitor), nothing else in the process (it is
 * bundled from this file alone). It measures what the monitor does for `spanMs` after `warmupMs`: the
 * events on its bus, its own stats, its CPU, memory and event-loop delay.
 */

export interface ChildStart {
  url: string;
  accounts: { name: string; apiKey: string; secret: string }[];
  scale: number;
  simAt: number;
  wallAt: number;
  warmupMs: number;
  spanMs: number;
  source: 'poll' | 'stream';
  /** Stats every this many ms (the fault run wants finer windows). */
  statsMs: number;
}

export type ChildMsg =
  | { type: 'measuring'; at: number }
  | { type: 'result'; result: Record<string, unknown> }
  | { type: 'error'; error: string };

/** What the bus says while measuring: detections of the parent's pushes, switches, stats windows. */
class Collector {
  readonly switches: { at: number; stream: string; from: string; to: string }[] = [];
  readonly critWindows: { at: number; p99: number | null }[] = [];
  readonly detections: { at: number; latency: number }[] = [];
  readonly pushedAt = new Map<string, number>();
  readonly latencies: number[] = [];
  readonly windowP99: number[] = [];
  readonly windowDetP99: number[] = [];
  private readonly lastEventAt = new Map<string, number>();
  measuring = false;
  events = 0;
  startupTierChanges = 0;

  onEvent(e: BusEvent): void {
    this.events++;
    if (e.type === 'tier-changed' && e.from === null) this.startupTierChanges++;
    if (e.type === 'source-changed') this.switches.push({ at: e.at, stream: e.stream, from: e.from, to: e.to });
    if (e.type === 'stats' && this.measuring) {
      const p = e.stats.cadence.CRITICAL.p99GapMs;
      this.critWindows.push({ at: e.at, p99: p });
      if (p !== null) this.windowP99.push(p);
      if (e.stats.detectionP99Ms !== null) this.windowDetP99.push(e.stats.detectionP99Ms);
    }
    const symbol =
      e.type === 'critical' ? e.position.symbol : e.type === 'sl-hit' || e.type === 'tp-hit' ? e.symbol : null;
    if (symbol === null) return;
    this.lastEventAt.set(symbol, e.at);
    const at = this.pushedAt.get(symbol);
    if (at === undefined || e.at < at) return;
    this.pushedAt.delete(symbol);
    this.detected(at, e.at - at);
  }

  /** The parent moved a price at `at`. */
  pushed(symbol: string, at: number): void {
    // The event may already be out if the message came later than the next ticker answer.
    const seen = this.lastEventAt.get(symbol);
    if (seen !== undefined && seen >= at) this.detected(at, seen - at);
    else this.pushedAt.set(symbol, at);
  }

  private detected(at: number, latency: number): void {
    this.latencies.push(latency);
    this.detections.push({ at, latency });
  }
}

async function childMain(): Promise<void> {
  const send = (m: ChildMsg) => process.send?.(m);
  const start = await new Promise<ChildStart>((resolve) =>
    process.once('message', (m: { type: string; start: ChildStart }) => resolve(m.start)),
  );
  // The same simulated time as the paper exchange's clock (wall clocks agree across processes to ~1 ms).
  const clock = new ScaledClock(start.scale, start.simAt + (wallNow() - start.wallAt) * start.scale);
  const rss0 = process.memoryUsage().rss;
  const layer = await createExchangeLayer({
    setups: paperSetups({ url: start.url }, start.accounts, 0.5),
    config: ExchangeConfig.parse({}),
    clock,
    logger: silentLogger,
  });
  const rssLayer = process.memoryUsage().rss;
  const bus = new EventBus();
  const monitor = new Monitor({
    clients: [...layer.accounts.values()],
    market: layer.market,
    bus,
    clock,
    streams: start.source === 'stream' ? layer.streams : undefined,
    // Non-overlapping stats windows: each holds every CRITICAL gap of its window (the sample cap is 8192).
    config: MonitorConfig.parse({
      source: start.source,
      stats: { windowMs: start.statsMs, publishIntervalMs: start.statsMs },
    }),
  });
  const c = new Collector();
  bus.subscribe((e) => c.onEvent(e));
  process.on('message', (m: { type: string; symbol: string; at: number }) => {
    if (m.type !== 'pushed') return;
    c.pushed(m.symbol, m.at);
    monitor.notePricePushed(m.symbol, m.at);
  });
  monitor.start();
  await clock.sleep(start.warmupMs);
  const alloc = await startAllocationProfile();
  const cpu0 = process.cpuUsage();
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const t0 = clock.now();
  const real0 = performance.now();
  const events0 = c.events;
  c.measuring = true;
  send({ type: 'measuring', at: t0 });
  await clock.sleep(start.spanMs);
  const cpu = process.cpuUsage(cpu0);
  lag.disable();
  const simMin = (clock.now() - t0) / 60_000;
  const realS = (performance.now() - real0) / 1000;
  const mem = process.memoryUsage();
  await alloc?.();
  const stats = monitor.computeStats();
  await monitor.stop();
  const sortedWin = [...c.windowP99].sort((a, b) => a - b);
  send({
    type: 'result',
    result: {
      criticalCadenceP99Ms: sortedWin.length > 0 ? (sortedWin[sortedWin.length - 1] as number) : null,
      criticalCadenceP99MsMedianOfWindows: sortedWin.length > 0 ? percentile(sortedWin, 50) : null,
      criticalCadenceP50Ms: stats.cadence.CRITICAL.p50GapMs,
      ...detectionFigures(c),
      ...monitorFigures(stats, c, (c.events - events0) / simMin),
      rssMb: round(mem.rss / 2 ** 20, 1),
      // The process's highest resident memory so far (start-up included), beside the figure at the end.
      peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1),
      rssAfterImportsMb: round(rss0 / 2 ** 20, 1),
      rssAfterExchangeLayerMb: round(rssLayer / 2 ** 20, 1),
      heapUsedMb: round(mem.heapUsed / 2 ** 20, 1),
      heapTotalMb: round(mem.heapTotal / 2 ** 20, 1),
      externalMb: round(mem.external / 2 ** 20, 1),
      eventLoopDelayRealP99Ms: round(lag.percentile(99) / 1e6, 1),
      eventLoopDelayRealMaxMs: round(lag.max / 1e6, 1),
      cpuMsPerMin: round((cpu.user + cpu.system) / 1000 / simMin, 0),
      cpuShareOfOneCore: round((cpu.user + cpu.system) / 1e6 / realS, 3),
      ...(start.source === 'stream'
        ? {
            streams: stats.streams,
            raw: {
              switches: c.switches,
              critWindows: c.critWindows,
              detections: c.detections,
              missed: [...c.pushedAt.values()],
            },
          }
        : {}),
    },
  });
  process.exit(0);
}

/**
 * TW_BENCH_MONITOR_ALLOC=file: every allocation of the measured span, sampled (V8's heap profiler, collected
 * objects included), written as a .heapprofile Chrome's DevTools opens. How the per-push allocations were
 * found: --heap-prof shows only what is still live at exit.
 */
async function startAllocationProfile(): Promise<(() => Promise<void>) | null> {
  const file = process.env.TW_BENCH_MONITOR_ALLOC;
  if (!file) return null;
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as never);
  return async () => {
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: unknown };
    writeFileSync(file, JSON.stringify(profile));
  };
}

function detectionFigures(c: Collector) {
  const l = c.latencies;
  return {
    detectionP99Ms: l.length > 0 ? Math.round(percentile(l, 99)) : null,
    detectionP50Ms: l.length > 0 ? Math.round(percentile(l, 50)) : null,
    detectionP99MsByMonitorStats: c.windowDetP99.length > 0 ? Math.max(...c.windowDetP99) : null,
    detected: `${l.length}/${l.length + c.pushedAt.size}`,
  };
}

function monitorFigures(stats: MonitorStats, c: Collector, eventsPerMin: number) {
  return {
    monitorCallsPerSec: stats.callsPerSec,
    tierCounts: stats.tierCounts,
    profile: stats.profile,
    stretched: stats.stretched,
    startupTierChangedFromNull: c.startupTierChanges,
    eventsPerSimMin: round(eventsPerMin, 0),
  };
}

if (process.env.TW_BENCH_MONITOR_CHILD === '1' && process.send) {
  void childMain().catch((err) => {
    process.send?.({ type: 'error', error: String((err as Error).stack ?? err) });
    process.exit(1);
  });
}
