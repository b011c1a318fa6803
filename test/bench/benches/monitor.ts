import { fork } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { BusEvent, Position, Tier } from '@tierwatch/shared';
import { bundle } from '../../../companion/scripts/bundle.mjs';
import { EventBus } from '../../../companion/src/core/bus.ts';
import { type Clock, ScaledClock } from '../../../companion/src/core/clock.ts';
import { silentLogger } from '../../../companion/src/core/logger.ts';
import { type Bybit, createBybit } from '../../../companion/src/exchange/bybit.ts';
import { createExchangeLayer, ExchangeConfig, paperSetups } from '../../../companion/src/exchange/index.ts';
import { classify, crossing, Monitor, MonitorConfig } from '../../../companion/src/monitor/index.ts';
import { type PaperExchange, startPaperExchange } from '../../../companion/src/paper/index.ts';
import { percentile, round } from '../stats.ts';

/**
 * The tiered monitor against the paper exchange (Bybit v5 through ccxt, 100 ms latency, prices on a
 * random walk), 400 positions on one account and 4,000 over ten (one main, nine mirrors), three schemes:
 *
 * - naive: every position every 5 s, two calls each (its position by symbol, its ticker by symbol),
 *   staggered evenly over the 5 s;
 * - seed: the seed document's loop: every position, two calls each, in batches of 50 with 100 ms between
 *   batches, then a sleep of the shortest interval among the tiers present (its extreme table, 2 s for
 *   CRITICAL), so one CRITICAL position drags all of them to that cadence;
 * - ours: the real Monitor on the real exchange layer, in a child process (the companion's monitoring
 *   alone: its rss and CPU are not mixed with the paper exchange's).
 *
 * Calls are counted by the paper exchange, per simulated second. Time is a ScaledClock shared by the
 * paper exchange and the scheme; naive and seed run on slower scales (their call volume in real time is
 * what a 2-core machine can serve) and with the exchange's limits lifted, so their demand is measured.
 * Detection: prices pushed through the paper exchange's control into CRITICAL or across the SL of a
 * position that was neither critical nor urgent, at random moments; latency = push → event on the bus.
 */

/** One-way latency of every REST answer and every stream push (issue 16: 50 ms). */
const LATENCY_MS = 50;
const PUSHES = 20;
const SIZES = [
  { key: '400x1', accounts: 1, perAccount: 400 },
  { key: '4000x10', accounts: 10, perAccount: 400 },
] as const;
type Size = (typeof SIZES)[number];

/** Ours: simulated minutes at 5x; real lateness of the event loop counts 5x in simulated ms (reported). */
const OURS = { scale: 5, warmupMs: 20_000, spanMs: 120_000 };
/**
 * Stream: in real time (the exchange pushes every ticker every 100 ms of its clock; at 5x the child would
 * parse five times a real market's push volume, and the floor, one push plus the latency, would shrink).
 */
const STREAM = { scale: 1, warmupMs: 10_000, spanMs: 60_000 };
/**
 * The paper market's step in the stream and fault runs: it pushes a ticker only when it changed, so at
 * its default 1 s step it pushed each ticker once a second, a tenth of what the issue asks ("pushing
 * tickers every 100 ms", as Bybit does for a moving market), and a CRITICAL position on a live stream was
 * heard only as often as its price moved. The poll runs keep 1 s: a REST read sees whatever the price is.
 */
const STREAM_STEP_MS = 100;
/** The fault run (400 x 1, stream): public dropped and refused for 30 s, then main's private stalled 30 s. */
const FAULT = { scale: 1, warmupMs: 10_000, publicAt: 5000, privateAt: 40_000, ms: 30_000, spanMs: 80_000 };
type Scheme = 'poll' | 'stream' | 'fault';
/** The seed's extreme interval table (seconds → ms); its CRITICAL is 2 s. */
const SEED_INTERVALS: Record<Tier, number> = {
  CRITICAL: 2000,
  URGENT: 5000,
  ACTIVE: 20_000,
  BUILDING: 60_000,
  STABLE: 300_000,
  DORMANT: 900_000,
};
const SEED_BATCH = 50;
const SEED_BATCH_PAUSE_MS = 100;
const NAIVE_INTERVAL_MS = 5000;
/** Real calls per second the baselines are paced to, through the scale (client and exchange share this process). */
const BASELINE_REAL_CALLS_PER_SEC = 300;

const thresholds = MonitorConfig.parse({}).thresholds;

class Rng {
  constructor(private s: number) {}
  next(): number {
    this.s = (this.s * 1103515245 + 12345) & 0x7fffffff;
    return this.s / 0x7fffffff;
  }
}

const wallNow = () => performance.timeOrigin + performance.now();

function startPaper(size: Size, clock: Clock, limits: boolean, stepMs = 1000): Promise<PaperExchange> {
  return startPaperExchange({
    accounts: size.accounts,
    positionsPerAccount: size.perAccount,
    symbols: size.perAccount,
    seed: 7,
    stepMs,
    latency: { fixedMs: LATENCY_MS },
    clock,
    limits: { enabled: limits },
  });
}

// ── pushes: a price moved through the exchange's control, the event awaited on the bus ─────────────

interface Pusher {
  schedule: number[];
  pushedAt: Map<string, number>;
  latencies: number[];
  /** The bus listener: the first critical / tp-hit / sl-hit for a pushed symbol after its push. */
  onEvent(e: BusEvent): void;
  push(note?: (symbol: string, at: number) => void): void;
}

function pusher(paper: PaperExchange, clock: Clock, from: number, to: number, seed: number): Pusher {
  const rng = new Rng(seed);
  const schedule = Array.from({ length: PUSHES }, () => from + rng.next() * (to - from)).sort((a, b) => a - b);
  const pushedAt = new Map<string, number>();
  const latencies: number[] = [];
  const used = new Set<string>();
  let n = 0;
  return {
    schedule,
    pushedAt,
    latencies,
    onEvent(e) {
      const symbol =
        e.type === 'critical' ? e.position.symbol : e.type === 'sl-hit' || e.type === 'tp-hit' ? e.symbol : null;
      if (symbol === null) return;
      const at = pushedAt.get(symbol);
      if (at === undefined || e.at < at) return;
      pushedAt.delete(symbol);
      latencies.push(e.at - at);
    },
    push(note) {
      // A position neither critical nor urgent now (> 3% from TP and SL), on a symbol not pushed before.
      const pick = paper.control.positions('main').find((p) => {
        if (used.has(p.symbol) || p.stopLoss === null) return false;
        const d = (lvl: number | null) => (lvl === null ? Infinity : Math.abs(lvl - p.markPrice) / p.markPrice);
        return d(p.stopLoss) > 0.03 && d(p.takeProfit) > 0.03;
      });
      if (!pick || pick.stopLoss === null) return;
      used.add(pick.symbol);
      const long = pick.side === 'long';
      // Alternately: to 0.5% short of the SL (CRITICAL), and 0.2% past it (an SL crossing).
      const price =
        n++ % 2 === 0
          ? long
            ? pick.stopLoss / (1 - 0.005)
            : pick.stopLoss / (1 + 0.005)
          : long
            ? pick.stopLoss * 0.998
            : pick.stopLoss * 1.002;
      paper.control.setPrice(pick.symbol, price);
      const at = clock.now();
      pushedAt.set(pick.symbol, at);
      note?.(pick.symbol, at);
    },
  };
}

async function runPushes(p: Pusher, clock: Clock, stop: () => boolean, note?: (s: string, at: number) => void) {
  for (const at of p.schedule) {
    const wait = at - clock.now();
    if (wait > 0) await clock.sleep(wait);
    if (stop()) return;
    p.push(note);
  }
}

// ── naive and seed: two calls per position through ccxt, classified with the monitor's classifier ───

interface Held {
  account: string;
  symbol: string;
  ex: Bybit;
  position: Position | null;
  tier: Tier | null;
  checkedAt: number | null;
  crossed: 'tp' | 'sl' | null;
  closed: boolean;
}

type Loose = Record<string, unknown>;
const list = (r: unknown): Loose[] => ((r as { result?: { list?: Loose[] } }).result?.list ?? []) as Loose[];

function toPosition(account: string, row: Loose): Position {
  const num = (k: string) => (row[k] === '' || row[k] === undefined ? null : Number(row[k]));
  const lvl = (k: string) => {
    const v = num(k);
    return v === null || v === 0 ? null : v;
  };
  return {
    account,
    symbol: String(row.symbol),
    side: row.side === 'Buy' ? 'long' : 'short',
    size: Number(row.size),
    entryPrice: Number(row.avgPrice),
    markPrice: Number(row.markPrice),
    takeProfit: lvl('takeProfit'),
    stopLoss: lvl('stopLoss'),
    liquidationPrice: lvl('liqPrice'),
    unrealisedPnl: Number(row.unrealisedPnl ?? 0),
    leverage: num('leverage'),
    positionValue: num('positionValue'),
    lastActivityAt: num('updatedTime'),
  };
}

class Baseline {
  readonly gaps: number[] = [];
  constructor(
    private readonly clock: Clock,
    private readonly bus: EventBus,
  ) {}

  /** One check: the position by symbol and its ticker by symbol, two calls. */
  async check(h: Held): Promise<void> {
    if (h.closed) return;
    const [posRes, tickRes] = await Promise.all([
      h.ex.privateGetV5PositionList({ category: 'linear', symbol: h.symbol }),
      h.ex.publicGetV5MarketTickers({ category: 'linear', symbol: h.symbol }),
    ]);
    const now = this.clock.now();
    const mark = Number(list(tickRes)[0]?.markPrice);
    const row = list(posRes).find((r) => Number(r.size) > 0);
    if (h.checkedAt !== null && h.tier === 'CRITICAL') this.gaps.push(now - h.checkedAt);
    h.checkedAt = now;
    const known = row ? toPosition(h.account, row) : h.position;
    if (known) this.cross(h, known, mark, now);
    if (!row) {
      h.closed = true;
      return;
    }
    h.position = known;
    const t = classify(
      {
        position: known as Position,
        markPrice: mark,
        pendingEntryOrders: 0,
        lastActivityAt: known?.lastActivityAt ?? null,
        now,
      },
      thresholds,
    );
    if (t.tier !== h.tier && t.tier === 'CRITICAL')
      this.bus.publish({ type: 'critical', at: now, position: t, reason: 'near-sl' });
    h.tier = t.tier;
  }

  private cross(h: Held, p: Position, mark: number, now: number): void {
    const x = crossing(p, mark);
    if (!x || h.crossed === x.kind) return;
    h.crossed = x.kind;
    this.bus.publish({
      type: x.kind === 'tp' ? 'tp-hit' : 'sl-hit',
      at: now,
      account: h.account,
      symbol: h.symbol,
      side: p.side,
      price: mark,
      level: x.level,
    });
  }
}

async function heldPositions(paper: PaperExchange): Promise<Held[]> {
  const held: Held[] = [];
  for (const c of paper.accounts) {
    const ex = createBybit({ apiKey: c.apiKey, secret: c.secret, baseUrl: paper.url, timeoutMs: 60_000 });
    for (const p of paper.control.positions(c.name))
      held.push({
        account: c.name,
        symbol: p.symbol,
        ex,
        // The bot knows what it holds from the start (as the monitor does after its first read).
        position: {
          account: c.name,
          symbol: p.symbol,
          side: p.side,
          size: p.size,
          entryPrice: p.entryPrice,
          markPrice: p.markPrice,
          takeProfit: p.takeProfit,
          stopLoss: p.stopLoss,
          liquidationPrice: null,
          unrealisedPnl: 0,
          leverage: null,
          positionValue: null,
          lastActivityAt: p.updatedTime,
        },
        tier: null,
        checkedAt: null,
        crossed: null,
        closed: false,
      });
  }
  return held;
}

interface SchemeResult {
  scale: number;
  simSpanS: number;
  calls: number;
  callsPerSec: number;
  callsPerAccountPerSec: number;
  criticalCadenceP99Ms: number | null;
  detectionP99Ms: number | null;
  detected: string;
  realS: number;
  [k: string]: unknown;
}

async function baseline(size: Size, kind: 'naive' | 'seed'): Promise<SchemeResult> {
  const positions = size.accounts * size.perAccount;
  const demand =
    kind === 'naive'
      ? (positions * 2 * 1000) / NAIVE_INTERVAL_MS
      : (positions * 2 * 1000) /
        (Math.ceil(positions / SEED_BATCH) * (LATENCY_MS + SEED_BATCH_PAUSE_MS) + SEED_INTERVALS.CRITICAL);
  const scale = Math.min(OURS.scale, BASELINE_REAL_CALLS_PER_SEC / demand);
  // Naive: two full 5 s rounds; seed: one full cycle and a fifth (a second check of every early position).
  const cycleMs = kind === 'naive' ? NAIVE_INTERVAL_MS : (positions * 2 * 1000) / demand;
  const spanMs = kind === 'naive' ? 2 * NAIVE_INTERVAL_MS + 1000 : Math.max(10_000, 1.25 * cycleMs);
  const clock = new ScaledClock(scale);
  const paper = await startPaper(size, clock, false);
  const real0 = performance.now();
  try {
    const held = await heldPositions(paper);
    const bus = new EventBus();
    const b = new Baseline(clock, bus);
    const inFlight = new Set<Promise<void>>();
    const fire = (h: Held) => {
      const p = b.check(h).catch(() => {});
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    };
    paper.control.resetStats();
    const t0 = clock.now();
    const end = t0 + spanMs;
    let stopped = false;
    const pushes = pusher(paper, clock, t0 + 500, Math.max(t0 + 1000, end - cycleMs - 500), 11);
    bus.subscribe((e) => pushes.onEvent(e));
    const pushing = runPushes(pushes, clock, () => stopped);
    if (kind === 'naive') {
      // Position i is due at t0 + i·(5 s / N), then every 5 s.
      const step = NAIVE_INTERVAL_MS / held.length;
      let k = 0;
      while (!stopped) {
        const now = clock.now();
        if (now >= end) break;
        while (t0 + k * step <= now) fire(held[k++ % held.length] as Held);
        await clock.sleep(Math.max(1, t0 + k * step - now));
      }
    } else {
      while (clock.now() < end) {
        for (let i = 0; i < held.length && clock.now() < end; i += SEED_BATCH) {
          await Promise.all(held.slice(i, i + SEED_BATCH).map((h) => b.check(h).catch(() => {})));
          await clock.sleep(SEED_BATCH_PAUSE_MS);
        }
        const present = held.map((h) => h.tier).filter((t): t is Tier => t !== null);
        const sleep = Math.min(...present.map((t) => SEED_INTERVALS[t]));
        if (clock.now() + sleep >= end) break;
        await clock.sleep(sleep);
      }
    }
    stopped = true;
    const stats = paper.control.getStats();
    await Promise.allSettled([...inFlight, pushing]);
    const simS = (stats.now - stats.since) / 1000;
    return {
      scale: round(scale, 3),
      simSpanS: round(simS, 1),
      calls: stats.total,
      callsPerSec: round(stats.total / simS, 1),
      callsPerAccountPerSec: round(stats.total / simS / size.accounts, 1),
      criticalCadenceP99Ms: b.gaps.length > 0 ? Math.round(percentile(b.gaps, 99)) : null,
      detectionP99Ms: pushes.latencies.length > 0 ? Math.round(percentile(pushes.latencies, 99)) : null,
      detected: `${pushes.latencies.length}/${pushes.latencies.length + pushes.pushedAt.size}`,
      realS: round((performance.now() - real0) / 1000, 1),
    };
  } finally {
    await paper.close();
  }
}

// ── the fault run: the public stream dropped (and refused) 30 s, then one account's private stalled 30 s ──

async function runFaults(
  paper: PaperExchange,
  clock: Clock,
  t0: number,
  w: { public: [number, number] | null; private: [number, number] | null },
): Promise<void> {
  await clock.sleep(t0 + FAULT.publicAt - clock.now());
  paper.control.refuseStreams('public', FAULT.ms);
  paper.control.dropStreams('public');
  w.public = [clock.now(), clock.now() + FAULT.ms];
  await clock.sleep(t0 + FAULT.privateAt - clock.now());
  paper.control.stallStream('main', FAULT.ms);
  w.private = [clock.now(), clock.now() + FAULT.ms];
}

interface FaultRaw {
  raw: {
    switches: { at: number; stream: string; from: string; to: string }[];
    critWindows: { at: number; p99: number | null }[];
    detections: { at: number; latency: number }[];
    missed: number[];
  };
  streams?: { switches: number };
}

function faultFigures(r: FaultRaw, w: { public: [number, number] | null; private: [number, number] | null }) {
  const within = (at: number, win: [number, number] | null) => win !== null && at >= win[0] && at <= win[1];
  const inFault = (at: number) => within(at, w.public) || within(at, w.private);
  const lat = r.raw.detections.filter((d) => inFault(d.at)).map((d) => d.latency);
  // A 1 s stats window counts when it lies inside a fault (its end at `at`).
  const gaps = r.raw.critWindows.filter((c) => inFault(c.at - 1000) && inFault(c.at) && c.p99 !== null);
  const back = (stream: string, win: [number, number] | null) => {
    const s = r.raw.switches.find((x) => x.stream === stream && x.to === 'stream' && win && x.at >= win[1]);
    return s && win ? Math.round(s.at - win[1]) : null;
  };
  const away = (stream: string, win: [number, number] | null) => {
    const s = r.raw.switches.find((x) => x.stream === stream && x.to === 'poll' && win && x.at >= win[0]);
    return s && win ? Math.round(s.at - win[0]) : null;
  };
  return {
    faultDetectionP99Ms: lat.length > 0 ? Math.round(percentile(lat, 99)) : null,
    faultDetected: `${lat.length}/${lat.length + r.raw.missed.filter(inFault).length}`,
    missedHits: r.raw.missed.length,
    faultCriticalGapP99MaxMs: gaps.length > 0 ? Math.max(...gaps.map((g) => g.p99 as number)) : null,
    faultCriticalWindows: gaps.length,
    publicToPollMs: away('public', w.public),
    publicBackToStreamMs: back('public', w.public),
    privateToPollMs: away('main', w.private),
    privateBackToStreamMs: back('main', w.private),
    switchEvents: r.raw.switches.length,
    switchesInStats: r.streams?.switches ?? null,
  };
}

const withoutRaw = (r: Record<string, unknown>) => {
  const { raw: _raw, ...rest } = r;
  return rest;
};

// ── ours: the Monitor in a child process, the paper exchange here ────────────────────────────────────

interface ChildStart {
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

type ChildMsg =
  | { type: 'measuring'; at: number }
  | { type: 'result'; result: Record<string, unknown> }
  | { type: 'error'; error: string };

async function ours(size: Size, scheme: Scheme = 'poll'): Promise<SchemeResult> {
  const run = scheme === 'poll' ? OURS : scheme === 'stream' ? STREAM : FAULT;
  const clock = new ScaledClock(run.scale);
  const paper = await startPaper(size, clock, true, scheme === 'poll' ? 1000 : STREAM_STEP_MS);
  paper.control.setStreamLatency({ fixedMs: LATENCY_MS });
  const real0 = performance.now();
  // The child runs bundled for plain node, as `pnpm start` runs the companion (tsx's loader alone would
  // add ~130 MB to the memory measured).
  // Inside the companion package, so the bundle's npm imports resolve from its node_modules.
  const childBundle = fileURLToPath(new URL(`../../../companion/dist/bench-monitor-child.mjs`, import.meta.url));
  await bundle(fileURLToPath(import.meta.url), childBundle);
  const child = fork(childBundle, [], {
    execArgv: [
      '--enable-source-maps',
      ...(process.env.TW_BENCH_MONITOR_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.TW_BENCH_MONITOR_PROF}`]
        : []),
    ],
    env: { ...process.env, TW_BENCH_MONITOR_CHILD: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
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
    let faults: Promise<void> = Promise.resolve();
    const windows: { public: [number, number] | null; private: [number, number] | null } = {
      public: null,
      private: null,
    };
    let stopped = false;
    let pushing: Promise<void> = Promise.resolve();
    let pushes: Pusher | null = null;
    const result = await new Promise<Record<string, unknown>>((resolve, reject) => {
      child.on('message', (m: ChildMsg) => {
        if (m.type === 'measuring') {
          paper.control.resetStats();
          const t0 = clock.now();
          // Pushes end 5 s before the span does, so each has time to be seen.
          pushes = pusher(paper, clock, t0 + 2000, t0 + run.spanMs - 5000, 23);
          if (scheme === 'fault') faults = runFaults(paper, clock, t0, windows);
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
    const stats = paper.control.getStats();
    await pushing;
    await faults;
    const simS = (stats.now - stats.since) / 1000;
    const tickers = stats.byEndpoint['/v5/market/tickers'] ?? 0;
    const p = pushes as Pusher | null;
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
      pushed: p?.schedule.length ?? 0,
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

/** The child: the companion's monitoring (exchange layer + Monitor), nothing else in the process. */
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
    config: { source: start.source, stats: { windowMs: start.statsMs, publishIntervalMs: start.statsMs } },
  });
  const switches: { at: number; stream: string; from: string; to: string }[] = [];
  const critWindows: { at: number; p99: number | null }[] = [];
  const detections: { at: number; latency: number }[] = [];
  const pushedAt = new Map<string, number>();
  const lastEventAt = new Map<string, number>();
  const latencies: number[] = [];
  let measuring = false;
  const windowP99: number[] = [];
  const windowDetP99: number[] = [];
  let events = 0;
  let startupTierChanges = 0;
  bus.subscribe((e) => {
    events++;
    if (e.type === 'tier-changed' && e.from === null) startupTierChanges++;
    if (e.type === 'source-changed') switches.push({ at: e.at, stream: e.stream, from: e.from, to: e.to });
    if (e.type === 'stats' && measuring) critWindows.push({ at: e.at, p99: e.stats.cadence.CRITICAL.p99GapMs });
    if (e.type === 'stats' && measuring) {
      const p = e.stats.cadence.CRITICAL.p99GapMs;
      if (p !== null) windowP99.push(p);
      if (e.stats.detectionP99Ms !== null) windowDetP99.push(e.stats.detectionP99Ms);
    }
    const symbol =
      e.type === 'critical' ? e.position.symbol : e.type === 'sl-hit' || e.type === 'tp-hit' ? e.symbol : null;
    if (symbol === null) return;
    lastEventAt.set(symbol, e.at);
    const at = pushedAt.get(symbol);
    if (at === undefined || e.at < at) return;
    pushedAt.delete(symbol);
    latencies.push(e.at - at);
    detections.push({ at, latency: e.at - at });
  });
  process.on('message', (m: { type: string; symbol: string; at: number }) => {
    if (m.type !== 'pushed') return;
    // The event may already be out if the message came later than the next ticker answer.
    const seen = lastEventAt.get(m.symbol);
    if (seen !== undefined && seen >= m.at) {
      latencies.push(seen - m.at);
      detections.push({ at: m.at, latency: seen - m.at });
    } else pushedAt.set(m.symbol, m.at);
    monitor.notePricePushed(m.symbol, m.at);
  });
  monitor.start();
  await clock.sleep(start.warmupMs);
  const cpu0 = process.cpuUsage();
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const t0 = clock.now();
  const real0 = performance.now();
  const events0 = events;
  measuring = true;
  send({ type: 'measuring', at: t0 });
  await clock.sleep(start.spanMs);
  const cpu = process.cpuUsage(cpu0);
  lag.disable();
  const simMin = (clock.now() - t0) / 60_000;
  const realS = (performance.now() - real0) / 1000;
  const mem = process.memoryUsage();
  const stats = monitor.computeStats();
  await monitor.stop();
  const sortedWin = [...windowP99].sort((a, b) => a - b);
  send({
    type: 'result',
    result: {
      criticalCadenceP99Ms: sortedWin.length > 0 ? (sortedWin[sortedWin.length - 1] as number) : null,
      criticalCadenceP99MsMedianOfWindows: sortedWin.length > 0 ? percentile(sortedWin, 50) : null,
      criticalCadenceP50Ms: stats.cadence.CRITICAL.p50GapMs,
      detectionP99Ms: latencies.length > 0 ? Math.round(percentile(latencies, 99)) : null,
      detectionP50Ms: latencies.length > 0 ? Math.round(percentile(latencies, 50)) : null,
      detectionP99MsByMonitorStats: windowDetP99.length > 0 ? Math.max(...windowDetP99) : null,
      detected: `${latencies.length}/${latencies.length + pushedAt.size}`,
      monitorCallsPerSec: stats.callsPerSec,
      tierCounts: stats.tierCounts,
      profile: stats.profile,
      stretched: stats.stretched,
      startupTierChangedFromNull: startupTierChanges,
      eventsPerSimMin: round((events - events0) / simMin, 0),
      rssMb: round(mem.rss / 2 ** 20, 1),
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
            raw: { switches, critWindows, detections, missed: [...pushedAt.values()] },
          }
        : {}),
    },
  });
  process.exit(0);
}

if (process.env.TW_BENCH_MONITOR_CHILD === '1' && process.send) {
  void childMain().catch((err) => {
    process.send?.({ type: 'error', error: String((err as Error).stack ?? err) });
    process.exit(1);
  });
}

// ── the run ──────────────────────────────────────────────────────────────────────────────────────────

export default async function run(): Promise<Record<string, unknown>> {
  const only = process.env.TW_BENCH_MONITOR_SCHEMES?.split(',') ?? ['naive', 'seed', 'poll', 'stream', 'fault'];
  const sizes: Record<string, Record<string, SchemeResult>> = {};
  const onlySizes = process.env.TW_BENCH_MONITOR_SIZES?.split(',') ?? SIZES.map((s) => s.key);
  for (const size of SIZES.filter((s) => onlySizes.includes(s.key))) {
    const row: Record<string, SchemeResult> = {};
    if (only.includes('naive')) row.naive = await baseline(size, 'naive');
    if (only.includes('seed')) row.seed = await baseline(size, 'seed');
    if (only.includes('poll') || only.includes('ours')) row.poll = await ours(size, 'poll');
    if (only.includes('stream')) row.stream = await ours(size, 'stream');
    if (only.includes('fault') && size.key === '400x1') row.fault = await ours(size, 'fault');
    const naive = row.naive?.callsPerSec;
    for (const r of Object.values(row)) r.reductionVsNaive = naive ? round(1 - r.callsPerSec / naive, 4) : null;
    sizes[size.key] = row;
  }
  const small = sizes['400x1']?.poll;
  const large = sizes['4000x10']?.poll;
  const sS = sizes['400x1']?.stream;
  const sL = sizes['4000x10']?.stream;
  const f = sizes['400x1']?.fault;
  const le = (v: unknown, max: number) => (v === undefined ? null : typeof v === 'number' && v <= max);
  const targetsMet = {
    '400x1.callsPerSec<=3.2': small ? small.callsPerSec <= 3.2 : null,
    '400x1.reductionVsNaive>=0.98': small ? (small.reductionVsNaive as number) >= 0.98 : null,
    '400x1.criticalCadenceP99Ms<=1000': small ? (small.criticalCadenceP99Ms ?? Infinity) <= 1000 : null,
    '400x1.detectionP99Ms<=1500': small ? (small.detectionP99Ms ?? Infinity) <= 1500 : null,
    '4000x10.reductionVsNaive>=0.99': large ? (large.reductionVsNaive as number) >= 0.99 : null,
    '4000x10.callsPerAccountPerSec<=400x1':
      large && small ? large.callsPerAccountPerSec <= small.callsPerAccountPerSec : null,
    '4000x10.rssMb<=300': large ? (large.rssMb as number) <= 300 : null,
    'stream.400x1.detectionP99Ms<=200': le(sS?.detectionP99Ms, 200),
    'stream.400x1.callsPerSec<=0.2': le(sS?.callsPerSec, 0.2),
    'stream.4000x10.detectionP99Ms<=200': le(sL?.detectionP99Ms, 200),
    'stream.4000x10.callsPerAccountPerSec<=0.1': le(sL?.callsPerAccountPerSec, 0.1),
    'stream.4000x10.rssMb<=300': le(sL?.rssMb, 300),
    'fault.criticalGapP99<=1000': le(f?.faultCriticalGapP99MaxMs, 1000),
    'fault.detectionP99Ms<=1500': le(f?.faultDetectionP99Ms, 1500),
    'fault.noHitMissed': f ? f.missedHits === 0 : null,
    'fault.publicBackWithin5s': le(f?.publicBackToStreamMs, 5000),
    'fault.privateBackWithin5s': le(f?.privateBackToStreamMs, 5000),
  };
  return {
    latencyMs: LATENCY_MS,
    pushesPerRun: PUSHES,
    note: 'callsPerSec counted by the paper exchange per simulated second; naive/seed with limits lifted, on slower clocks and shorter spans (see scale, simSpanS); ours in a child process (rssMb, cpuMsPerMin are that process only)',
    sizes,
    targetsMet,
  };
}
