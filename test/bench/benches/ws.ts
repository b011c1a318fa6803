import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type Frame, isEvent, startHubServer, TestClient, tierChanged } from '../../../companion/test-support/hub.ts';
import { percentile, round } from '../stats.ts';

/**
 * The WebSocket hub over real loopback sockets (the companion's app, front door and hub; a real bus):
 *  1. latency: publish on the bus → frame parsed by each of 50 clients, which run in a worker thread (the
 *     extension is another process too), timed on the shared timeline performance.timeOrigin + now();
 *  2. loss: 50 clients dropped at random mid-stream (and all at once, server-side, twice), each reconnecting
 *     with `lastSeq` the way the extension does; every seq must be seen once (or covered by a snapshot).
 */
const CLIENTS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function latencyRound(): Promise<{ p50: number; p99: number; max: number; samples: number; publishP99: number }> {
  const server = await startHubServer();
  const events = 1_000;
  const worker = new Worker(new URL('../ws-clients.mjs', import.meta.url), {
    workerData: { urls: Array.from({ length: CLIENTS }, () => server.wsUrl()), events },
  });
  try {
    const messages: { ready?: true; received?: Float64Array[] }[] = [];
    const next = () =>
      new Promise<(typeof messages)[number]>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    await next(); // every client has its snapshot
    const now = () => performance.timeOrigin + performance.now();
    const publishedAt = new Float64Array(events + 1);
    const done = next();
    const publishMs: number[] = [];
    for (let i = 1; i <= events; i++) {
      publishedAt[i] = now();
      server.bus.publish(tierChanged(i));
      publishMs.push(now() - publishedAt[i]!);
      await sleep(4);
    }
    const { received } = await done;
    const samples: number[] = [];
    for (const times of received!)
      for (let seq = 1; seq <= events; seq++) samples.push(times[seq]! - publishedAt[seq]!);
    return {
      p50: percentile(samples, 50),
      p99: percentile(samples, 99),
      max: Math.max(...samples),
      samples: samples.length,
      publishP99: percentile(publishMs, 99),
    };
  } finally {
    await worker.terminate();
    await server.close();
  }
}

/** Several rounds, reported as the median round with its spread: the machine is shared and noisy. */
async function latency(rounds = 5): Promise<Record<string, unknown>> {
  const results = [];
  for (let i = 0; i < rounds; i++) results.push(await latencyRound());
  const p99s = results.map((r) => r.p99);
  return {
    eventP50Ms: round(
      percentile(
        results.map((r) => r.p50),
        50,
      ),
      2,
    ),
    eventP99Ms: round(percentile(p99s, 50), 2),
    eventP99RoundsMs: p99s.map((x) => round(x, 2)),
    eventMaxMs: round(Math.max(...results.map((r) => r.max)), 2),
    latencySamples: results.reduce((n, r) => n + r.samples, 0),
    latencyRounds: rounds,
    // What the hub costs the publisher (the monitor): bus.publish → returned, fan-out to 50 sockets included.
    publishP99Ms: round(
      percentile(
        results.map((r) => r.publishP99),
        50,
      ),
      3,
    ),
  };
}

/** One logical client (the extension's view): the newest seq reflected, reconnecting with it. */
class ResumingClient {
  lastSeq = 0;
  lost = 0;
  duplicates = 0;
  reconnects = 0;
  stopped = false;
  snapshots = 0;
  conn: TestClient | null = null;

  constructor(private readonly url: (lastSeq: number | null) => string) {}

  async connect(): Promise<void> {
    const conn = await TestClient.open(this.url(this.snapshots === 0 ? null : this.lastSeq));
    this.conn = conn;
    // hello and the snapshot may have arrived in the same read as the upgrade answer, before `open` resolved.
    for (const f of conn.frames) this.apply(f);
    conn.onFrame = (f) => this.apply(f);
    void conn.closed.then(() => {
      if (this.conn === conn) void this.reconnect();
    });
  }

  async reconnect(): Promise<void> {
    this.conn = null;
    if (this.stopped) return;
    this.reconnects++;
    await sleep(Math.random() * 10);
    if (!this.stopped) await this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.conn?.terminate();
  }

  drop(): void {
    this.conn?.terminate(); // its close handler reconnects
  }

  private apply(f: Frame): void {
    if (f.type === 'snapshot') {
      this.snapshots++;
      this.lastSeq = f.seq;
      return;
    }
    if (!isEvent(f)) return;
    if (f.seq <= this.lastSeq) this.duplicates++;
    else {
      if (f.seq > this.lastSeq + 1) this.lost += f.seq - this.lastSeq - 1;
      this.lastSeq = f.seq;
    }
  }
}

async function reconnects(): Promise<Record<string, unknown>> {
  const server = await startHubServer();
  const clients: ResumingClient[] = [];
  try {
    clients.push(
      ...Array.from(
        { length: CLIENTS },
        () => new ResumingClient((lastSeq) => server.wsUrl(lastSeq === null ? {} : { lastSeq })),
      ),
    );
    await Promise.all(clients.map((c) => c.connect()));
    await sleep(50);
    const events = 3_000;
    let forcedDrops = 0;
    for (let i = 1; i <= events; i++) {
      server.bus.publish(tierChanged(i));
      if (i % 5 === 0) {
        clients[Math.floor(Math.random() * CLIENTS)]!.drop();
        forcedDrops++;
      }
      if (i === 1_000 || i === 2_000) {
        server.hub.disconnectAll(1012, 'bench: forced reconnect');
        forcedDrops += CLIENTS;
      }
      if (i % 10 === 0) await sleep(1);
    }
    const deadline = Date.now() + 15_000;
    while (clients.some((c) => c.lastSeq < events) && Date.now() < deadline) await sleep(20);
    const stats = server.hub.stats();
    return {
      lostEvents: clients.reduce((n, c) => n + c.lost + (events - c.lastSeq), 0),
      duplicateEvents: clients.reduce((n, c) => n + c.duplicates, 0),
      reconnectEvents: events,
      forcedDrops,
      reconnects: clients.reduce((n, c) => n + c.reconnects, 0),
      resumedFromRing: stats.replays,
      resnapshots: stats.resnapshots,
    };
  } finally {
    for (const c of clients) c.stop();
    await server.close();
  }
}

export default async function run(): Promise<Record<string, unknown>> {
  const lat = await latency();
  const loss = await reconnects();
  return { clients: CLIENTS, ...lat, targetP99Ms: 10, ...loss, loadAvg1m: round(loadavg()[0]!, 1) };
}
