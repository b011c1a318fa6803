import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ExecuteRequest } from '@tierwatch/shared';
import WebSocket from 'ws';
import { clientOrderId } from '../../../companion/src/execution/index.ts';
import { HttpConfig } from '../../../companion/src/http/config.ts';
import { connectionCap, readFdLimit } from '../../../companion/src/http/server-limits.ts';
import type { RunningCompanion } from '../../../companion/src/runtime.ts';
import { isEvent } from '../../../companion/test-support/hub.ts';
import { makeCritical, marketLong, startTrio } from '../../execution/support.ts';
import { connectBurst, ResumeSpammer, startHealthProbe, startIdleFlood } from '../soak-abuse.ts';
import { percentile, round } from '../stats.ts';

/**
 * Fault soak, in real time (about two minutes): 402 positions on main + 2 mirrors, the paper exchange
 * answering 10 % of requests with a 502, holding 5 % for `faults.timeoutMs` then a 504, answering 2 % of
 * private requests 10006 plus 3-second rate-limit storms, and one 30-second outage (every request 503).
 * Meanwhile: an execution every 2 s (some retried concurrently with the same key), API reads every 200 ms,
 * and a WebSocket client checking that seq numbers never skip. From the first fault on, hostile local clients
 * too (issue 13): WebSockets that never read and spam `resume` frames (three far past the rate, one just
 * under it), an idle-connection flood of IDLE_SOCKETS TCP sockets from another process that never send a
 * byte, and CONNECT_BURST WebSockets opened at once; /health is probed on a new connection every 250 ms
 * throughout. Real time rather than a ScaledClock: ccxt's
 * own request timeout and the rate windows both run on the wall clock, and scaling one without the other
 * would test a system that does not exist.
 */
const WARMUP_MS = Number(process.env.SOAK_WARMUP_MS ?? 10_000);
const FAULTS_BEFORE_MS = Number(process.env.SOAK_BEFORE_MS ?? 35_000);
const OUTAGE_MS = Number(process.env.SOAK_OUTAGE_MS ?? 30_000);
const AFTER_MS = Number(process.env.SOAK_AFTER_MS ?? 40_000);
const PAPER_TIMEOUT_MS = 2_500; // an injected timeout holds a request this long, then 504 (ccxt gives up at 10 s)
const CCXT_TIMEOUT_MS = 10_000;
const IDLE_SOCKETS = Number(process.env.SOAK_IDLE_SOCKETS ?? 5_000);
const IDLE_REOPEN_PER_SEC = 200;
/** SOAK_ABUSE=0 runs the soak without the hostile clients: the baseline their figures compare with. */
const ABUSE = process.env.SOAK_ABUSE !== '0';
const CONNECT_BURST = Number(process.env.SOAK_CONNECT_BURST ?? 150); // the watcher and spammers take a few of ws.maxClients

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Least-squares slope of (t, y), in y per minute. */
function slopePerMin(points: readonly { t: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.y - my);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60_000;
}

/** A WebSocket client that keeps nothing but the last seq: a skipped seq is a lost event. Reconnects with lastSeq. */
class SeqWatcher {
  lastSeq = -1;
  lost = 0;
  duplicates = 0;
  events = 0;
  snapshots = 0;
  reconnects = 0;
  errors: string[] = [];
  private ws: WebSocket | null = null;
  private stopped = false;
  constructor(private readonly c: RunningCompanion) {}

  open(): void {
    const u = new URL(`${this.c.url.replace('http', 'ws')}/ws`);
    u.searchParams.set('token', this.c.token);
    if (this.lastSeq >= 0) u.searchParams.set('lastSeq', String(this.lastSeq));
    const ws = new WebSocket(u);
    this.ws = ws;
    ws.on('message', (data) => {
      const f = JSON.parse(String(data)) as { type: string; seq?: number; code?: string; message?: string };
      if (f.type === 'snapshot') {
        // A snapshot after a resume that the ring could not serve: a resnapshot, which says so; nothing is lost
        // silently, but events between the two seqs were never seen one by one.
        if (this.lastSeq >= 0 && f.seq! > this.lastSeq) this.lost += f.seq! - this.lastSeq;
        this.snapshots++;
        this.lastSeq = f.seq!;
      } else if (isEvent(f)) {
        this.events++;
        if (f.seq <= this.lastSeq) this.duplicates++;
        else {
          if (this.lastSeq >= 0 && f.seq > this.lastSeq + 1) this.lost += f.seq - this.lastSeq - 1;
          this.lastSeq = f.seq;
        }
      } else if (f.type === 'error') this.errors.push(`${f.code}: ${f.message}`);
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      if (this.stopped) return;
      this.reconnects++;
      setTimeout(() => this.open(), 200);
    });
  }
  close(): void {
    this.stopped = true;
    this.ws?.terminate();
  }
}

export default async function run(): Promise<Record<string, unknown>> {
  let crashes = 0;
  const crashNotes: string[] = [];
  const onCrash = (err: unknown) => {
    crashes++;
    if (crashNotes.length < 5) crashNotes.push(String((err as Error)?.stack ?? err).slice(0, 300));
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  const c = await startTrio({
    paper: { positionsPerAccount: 134 },
    exchange: { timeoutMs: CCXT_TIMEOUT_MS },
    // The faults here are REST's, and so is the critical check counted below (a critical-lane read carrying
    // the CRITICAL position's price): on streams those reads are reconciliation only, a price is heard by
    // push, and the figure would count the wrong thing. The streams' own faults and their fallback to these
    // reads are the monitor bench's fault run.
    monitor: { source: 'poll' },
  });
  const paper = c.paper!;
  const watcher = new SeqWatcher(c);
  const memory: { t: number; rss: number; heap: number }[] = [];
  const t0 = Date.now();
  let stop = false;
  const loops: Promise<void>[] = [];
  const every = (ms: number, fn: () => Promise<void> | void) =>
    loops.push(
      (async () => {
        while (!stop) {
          try {
            await fn();
          } catch (err) {
            apiErrors.push(String(err).slice(0, 200));
          }
          await sleep(ms);
        }
      })(),
    );
  const apiErrors: string[] = [];
  const apiStatus: Record<string, number> = {};
  const keys: string[] = [];
  const execStatus: Record<string, number> = {};
  const wsUrl = `${c.url.replace('http', 'ws')}/ws?token=${c.token}`;
  const health = startHealthProbe(c.url);
  const spammers = [
    ...Array.from({ length: 3 }, () => new ResumeSpammer(wsUrl, { intervalMs: 20, perTick: 10, reconnectMs: 250 })),
    new ResumeSpammer(wsUrl, { intervalMs: 5_000, perTick: 1, reconnectMs: 250 }), // 12 a minute: within the rate
  ];
  let flood: Awaited<ReturnType<typeof startIdleFlood>> | null = null;
  try {
    let critical = makeCritical(paper);
    watcher.open();
    every(2_000, () => {
      const m = process.memoryUsage();
      memory.push({ t: Date.now() - t0, rss: m.rss / 2 ** 20, heap: m.heapUsed / 2 ** 20 });
    });
    // Keep one position CRITICAL all along (the random walk would take it away).
    every(5_000, () => {
      critical = makeCritical(paper);
    });
    const get = async (path: string) => {
      const res = await fetch(`${c.url}${path}`, { headers: { authorization: `Bearer ${c.token}` } });
      await res.arrayBuffer();
      apiStatus[res.status] = (apiStatus[res.status] ?? 0) + 1;
      if (res.status >= 500 && res.status !== 502 && res.status !== 503 && res.status !== 504) {
        apiErrors.push(`${path} -> ${res.status}`);
      }
    };
    const paths = [
      '/api/v1/trading/positions',
      '/api/v1/trading/batch/snapshot',
      '/api/v1/trading/balances',
      '/api/v1/trading/orders/pending',
      '/api/v1/trading/positions?use_cache=false&account_name=mirror1',
      '/api/v1/trading/instruments',
      '/api/v1/trading/executions',
    ];
    let n = 0;
    every(200, () => get(paths[n++ % paths.length]!));
    let e = 0;
    const execute = async (req: ExecuteRequest) => {
      const res = await fetch(`${c.url}/api/v1/trading/execute`, {
        method: 'POST',
        headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(req),
      });
      const body = (await res.json()) as { status?: string; error?: { code: string } };
      const k = `${res.status} ${body.status ?? body.error?.code}`;
      execStatus[k] = (execStatus[k] ?? 0) + 1;
    };
    await sleep(WARMUP_MS);
    every(2_000, async () => {
      const req = marketLong(c, e % 2 === 0 ? 'BTCUSDT' : 'ETHUSDT', `soak-exec-${e}`);
      keys.push(req.idempotencyKey);
      // Every third execution: the same key three times at once (a client retrying over a slow answer).
      await Promise.all(Array.from({ length: e++ % 3 === 0 ? 3 : 1 }, () => execute(req)));
    });

    // Faults from here on; the outage in the middle.
    paper.control.setFaults({
      errorRate: 0.1,
      timeoutRate: 0.05,
      timeoutMs: PAPER_TIMEOUT_MS,
      rateLimitStormRate: 0.02,
    });
    const faultsFrom = Date.now();
    // The companion's event loop from here on: a stall shows here, a slow exchange does not.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const rssBeforeAbuseMb = process.memoryUsage().rss / 2 ** 20;
    if (ABUSE) for (const sp of spammers) sp.start();
    if (ABUSE) flood = await startIdleFlood(Number(new URL(c.url).port), IDLE_SOCKETS, IDLE_REOPEN_PER_SEC);
    const burst = ABUSE
      ? sleep(10_000).then(() => connectBurst(wsUrl, CONNECT_BURST, () => c.hub.stats().snapshotBuilds))
      : null;
    let stormAt = 0;
    every(1_000, () => {
      const now = paper.control.now();
      if (now - stormAt >= 15_000 && !paper.control.getFaults().outage) {
        stormAt = now;
        paper.control.setFaults({ rateLimitStorm: { startAt: now, endAt: now + 3_000 } });
      }
    });
    const memFrom = memory.length;
    await sleep(FAULTS_BEFORE_MS);
    const outage = paper.control.startOutage(OUTAGE_MS);
    await sleep(OUTAGE_MS + AFTER_MS);
    stop = true;
    await Promise.all(loops);
    loopDelay.disable();
    for (const sp of spammers) sp.stop();
    const floodResult = await flood?.stop();
    flood = null;
    const healthResult = await health.stop();
    const burstResult = await burst;
    paper.control.setFaults({
      errorRate: 0,
      timeoutRate: 0,
      rateLimitStormRate: 0,
      rateLimitStorm: null,
      outage: null,
    });
    await sleep(3_000); // settle: last executions finish, last events reach the socket
    await Promise.all(
      c.execution
        .list()
        .filter((r) => r.status === 'pending')
        .map(() => sleep(0)),
    );

    // Critical checks: successful critical-lane calls that carry the critical position's price.
    const checks = c.exchange.counter
      .since(faultsFrom - 5_000)
      .filter(
        (r) =>
          r.ok &&
          r.lane === 'critical' &&
          (r.endpoint === 'market/tickers' || (r.endpoint === 'position/list' && r.account === 'main')),
      )
      .map((r) => r.at)
      .sort((a, b) => a - b);
    // Critical calls that failed (an injected 502/504/10006, or a request held then timed out): a gap with
    // one inside is the fault's, not the companion's; the `NoFault` figure leaves those out.
    const failedCritical = c.exchange.counter
      .since(faultsFrom - 5_000)
      .filter((r) => !r.ok && r.lane === 'critical')
      .map((r) => r.at);
    const gapsOutside: number[] = [];
    const gapsNoFault: number[] = [];
    for (let i = 1; i < checks.length; i++) {
      const [a, b] = [checks[i - 1]!, checks[i]!];
      if (a >= faultsFrom && (b <= outage.startAt || a >= outage.endAt)) {
        gapsOutside.push(b - a);
        if (!failedCritical.some((t) => t >= a && t <= b)) gapsNoFault.push(b - a);
      }
    }
    const p99 = (gaps: number[]) => (gaps.length ? percentile(gaps, 99) : null);
    const firstAfter = checks.find((t) => t >= outage.endAt);
    const recoveryMs = firstAfter === undefined ? null : firstAfter - outage.endAt;

    // Orders on the exchange's own book: every tw- order must be a leg of one submitted key, once.
    const legIds = new Map<string, string>();
    for (const k of keys) for (const a of c.accounts) legIds.set(clientOrderId(k, a.name), `${k}/${a.name}`);
    let ordersOnExchange = 0;
    let foreign = 0;
    for (const acc of paper.engine.accounts) {
      for (const id of acc.linkIds.keys()) {
        if (!id.startsWith('tw-')) continue;
        ordersOnExchange++;
        if (!legIds.has(id)) foreign++;
      }
    }
    const creates = paper.control.getStats().byEndpoint['/v5/order/create'] ?? 0;
    // Legs the companion reports placed that the exchange does not have, and the reverse.
    const results = c.execution.list().filter((r) => keys.includes(r.idempotencyKey));
    let lostLegs = 0;
    for (const r of results) {
      for (const leg of r.legs) {
        const onExchange = paper.engine.account(leg.account)!.linkIds.has(leg.clientOrderId);
        const saysPlaced = leg.status === 'placed' || leg.status === 'filled';
        if (saysPlaced !== onExchange && leg.status !== 'unknown') lostLegs++;
      }
    }
    const stats = paper.control.getStats();
    await sleep(500);
    const hubSeq = c.hub.lastSeq;
    const after = memory.slice(memFrom);
    const hubStats = c.hub.stats();
    const fd = readFdLimit();
    const rssMbMax = Math.max(health.rssMbMax(), ...after.map((m) => m.rss));
    return {
      realSeconds: round((Date.now() - t0) / 1000),
      positions: c.monitor.positions().length,
      accounts: c.accounts.length,
      criticalSymbol: critical.symbol,
      faults: { ...stats.faults, timeoutMs: PAPER_TIMEOUT_MS, ccxtTimeoutMs: CCXT_TIMEOUT_MS, outageMs: OUTAGE_MS },
      exchangeCalls: stats.total,
      crashes,
      crashNotes,
      limitViolations: stats.violations.total,
      criticalIntervalMs: c.monitor.computeStats().cadence.CRITICAL.intervalMs,
      criticalChecks: checks.length,
      criticalGapMaxMs: gapsOutside.length ? Math.max(...gapsOutside) : null,
      criticalGapP99Ms: p99(gapsOutside),
      criticalGapP99NoFaultMs: p99(gapsNoFault),
      criticalGapsWithFault: gapsOutside.length - gapsNoFault.length,
      criticalGapsOver2s: gapsOutside.filter((g) => g > 2000).length,
      eventLoopDelayP99Ms: round(loopDelay.percentile(99) / 1e6),
      eventLoopDelayMaxMs: round(loopDelay.max / 1e6),
      recoveryMs,
      wsEvents: watcher.events,
      wsReconnects: watcher.reconnects,
      wsSnapshots: watcher.snapshots,
      lostEvents: watcher.lost + Math.max(0, hubSeq - watcher.lastSeq),
      duplicateEvents: watcher.duplicates,
      executions: keys.length,
      executeAnswers: execStatus,
      orderCreatesOnExchange: creates,
      ordersOnExchange,
      duplicateOrders: foreign + Math.max(0, ordersOnExchange - legIds.size),
      lostLegs,
      apiStatus,
      apiErrors: apiErrors.slice(0, 5),
      monitorFailedReads: c.monitor.accountHealth().reduce((s, h) => s + h.failures, 0),
      abuse: ABUSE,
      health: healthResult,
      resumeSpam: ABUSE
        ? {
            spammers: spammers.length,
            connections: spammers.reduce((n, sp) => n + sp.connections, 0),
            resumesSent: spammers.reduce((n, sp) => n + sp.resumesSent, 0),
            resumesHonoured: hubStats.resumes,
            closed: hubStats.resumeRateClosed,
            stalledClosed: hubStats.stalledClosed,
            closeCodesSeen: spammers.reduce<Record<string, number>>((all, sp) => {
              for (const [k, v] of Object.entries(sp.closes)) all[k] = (all[k] ?? 0) + v;
              return all;
            }, {}),
            underRateConnections: spammers.at(-1)!.connections,
            rssMbBefore: round(rssBeforeAbuseMb),
            rssMbMax: round(rssMbMax),
          }
        : null,
      idleFlood: floodResult
        ? {
            sockets: IDLE_SOCKETS,
            cap: connectionCap(HttpConfig.parse({}), fd.limit).cap,
            fdLimit: fd.limit,
            opened: floodResult.opened,
            peakOpen: floodResult.peakOpen,
            closedByServer: floodResult.closedByServer,
            refused: floodResult.connectErrors,
            healthFailures: healthResult.healthFailures,
          }
        : null,
      connectBurst: burstResult
        ? { ...burstResult, hubSnapshotBuilds: hubStats.snapshotBuilds, hubSnapshotsSent: hubStats.snapshots }
        : null,
      memory: {
        rssStartMb: round(memory[memFrom]?.rss ?? 0),
        rssEndMb: round(memory.at(-1)?.rss ?? 0),
        rssSlopeMbPerMin: round(slopePerMin(after.map((m) => ({ t: m.t, y: m.rss }))), 2),
        heapStartMb: round(memory[memFrom]?.heap ?? 0),
        heapEndMb: round(memory.at(-1)?.heap ?? 0),
        heapSlopeMbPerMin: round(slopePerMin(after.map((m) => ({ t: m.t, y: m.heap }))), 2),
        samples: after.length,
      },
    };
  } finally {
    stop = true;
    for (const sp of spammers) sp.stop();
    await flood?.stop().catch(() => null);
    await health.stop();
    watcher.close();
    await c.close();
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
}
