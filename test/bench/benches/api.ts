import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { type CompanionProcess, startCompanionProcess } from '../../support/companion-process.ts';
import { percentile, round, summarize } from '../stats.ts';

/**
 * The trading API against the real companion CLI (a child process, so the load generator and the server
 * do not share an event loop), on its embedded paper exchange: 4 accounts, 250 ms per exchange call.
 *
 * - fresh: `use_cache=false` positions, all accounts in one request (the companion fans out concurrently)
 *   against the seed's sequential scheme, done bench-side: one `?account_name=` request per account, one
 *   after another. Each of those requests is also that account's single-account time.
 * - coalesced: 100 concurrent `use_cache=false` requests; exchange calls counted by the paper exchange
 *   (GET /sim/stats before and after). This runs on a companion whose monitor is parked (every interval
 *   10 min, so after its start-up reads it makes no call), and an equally long quiet window just before
 *   the burst shows that: whatever the counts move by in the burst window is the API's doing.
 * - cached: autocannon on `/positions` (default monitor, cache TTL 1 s, so entries turn over under load),
 *   with the pairing token, over loopback, sending the browser's Accept-Encoding (the extension's fetch
 *   always does; cached bodies then go out gzipped); interleaved runs without it are reported beside.
 *   Several runs: the machine is shared, so medians with spread. Latencies come from autocannon's
 *   per-response event (its own histogram has 1 ms resolution).
 */
const ACCOUNTS = ['main', 'mirror1', 'mirror2', 'mirror3'];
const LATENCY_MS = 250;
const POSITIONS_PER_ACCOUNT = 40; // the config default
const FRESH_ROUNDS = 5;
const BURST = 100;
const LOAD = { connections: 16, pipelining: 1, durationS: 8, runs: 3, identityRuns: 3 };
/** What Chrome's fetch sends (the extension's requests): the companion serves cached bodies gzipped. */
const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br, zstd';
const POSITIONS_ENDPOINT = '/v5/position/list';
const PARKED_MS = 600_000;

const baseEnv = (): NodeJS.ProcessEnv => ({
  COMPANION__LOG__LEVEL: 'warn',
  COMPANION__PAPER__LATENCY_MS: String(LATENCY_MS),
  COMPANION__PAPER__POSITIONS_PER_ACCOUNT: String(POSITIONS_PER_ACCOUNT),
  COMPANION__ACCOUNTS: JSON.stringify(
    ACCOUNTS.map((name, i) => (i === 0 ? { name, role: 'main' } : { name, role: 'mirror', mirrorOf: 'main' })),
  ),
});

/** A monitor that makes no exchange call after start-up: one profile, every interval 10 minutes. */
const parkedMonitorEnv = (): NodeJS.ProcessEnv => {
  const iv = Object.fromEntries(
    ['CRITICAL', 'URGENT', 'ACTIVE', 'BUILDING', 'STABLE', 'DORMANT'].map((t) => [t, PARKED_MS]),
  );
  return {
    COMPANION__MONITOR__CRITICAL_MAX_INTERVAL_MS: String(PARKED_MS),
    COMPANION__MONITOR__DISCOVERY_INTERVAL_MS: String(PARKED_MS),
    COMPANION__MONITOR__PROFILES: JSON.stringify([
      { name: 'parked', fromPositions: 0, intervalsMs: iv, stateRefreshMinMs: PARKED_MS },
    ]),
  };
};

interface Api {
  get(path: string): Promise<{ ms: number; status: number; body: PositionsBody; bytes: number }>;
  /** Paper-exchange call counts per account: position-list calls, and calls to any endpoint. */
  paperCalls(): Promise<{ positions: Record<string, number>; all: Record<string, number> }>;
}

interface PositionsBody {
  data: unknown[];
  accounts: { account: string; cached: boolean; error: unknown }[];
}

function api(c: CompanionProcess): Api {
  const auth = { Authorization: `Bearer ${c.ready.token}` };
  return {
    async get(path) {
      const t0 = performance.now();
      const res = await fetch(`${c.ready.url}${path}`, { headers: auth });
      const text = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 300)}`);
      return { ms, status: res.status, body: JSON.parse(text) as PositionsBody, bytes: Buffer.byteLength(text) };
    },
    async paperCalls() {
      const res = await fetch(`${c.ready.paperExchange!.url}/sim/stats`);
      const { stats } = (await res.json()) as {
        stats: { byAccount: Record<string, number>; byAccountEndpoint: Record<string, Record<string, number>> };
      };
      return {
        positions: Object.fromEntries(ACCOUNTS.map((a) => [a, stats.byAccountEndpoint[a]?.[POSITIONS_ENDPOINT] ?? 0])),
        all: Object.fromEntries(ACCOUNTS.map((a) => [a, stats.byAccount[a] ?? 0])),
      };
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const diff = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(ACCOUNTS.map((a) => [a, after[a]! - before[a]!]));

/** Fresh reads: per round, the sequential loop (its requests are the single-account times), then one concurrent read. */
async function fresh(a: Api) {
  const perAccount: Record<string, number[]> = Object.fromEntries(ACCOUNTS.map((n) => [n, []]));
  const sequential: number[] = [];
  const concurrent: number[] = [];
  let servedFromCache = 0;
  const count = (b: PositionsBody) => {
    servedFromCache += b.accounts.filter((p) => p.cached || p.error !== null).length;
  };
  await a.get('/api/v1/trading/positions?use_cache=false'); // warm-up: connections, ccxt, JIT
  for (let r = 0; r < FRESH_ROUNDS; r++) {
    // Gaps longer than freshJoinMs, so no request joins the previous one's exchange call.
    await sleep(300);
    const t0 = performance.now();
    for (const name of ACCOUNTS) {
      const res = await a.get(`/api/v1/trading/positions?account_name=${name}&use_cache=false`);
      perAccount[name]!.push(res.ms);
      count(res.body);
    }
    sequential.push(performance.now() - t0);
    await sleep(300);
    const res = await a.get('/api/v1/trading/positions?use_cache=false');
    concurrent.push(res.ms);
    count(res.body);
  }
  const medians = Object.fromEntries(ACCOUNTS.map((n) => [n, round(percentile(perAccount[n]!, 50))]));
  const slowest = Math.max(...Object.values(medians));
  const concurrentMedian = percentile(concurrent, 50);
  return {
    freshConcurrentMs: round(concurrentMedian),
    slowestAccountMs: slowest,
    freshSequentialMs: round(percentile(sequential, 50)),
    concurrentOverSlowest: round(concurrentMedian / slowest, 3),
    fresh: {
      rounds: FRESH_ROUNDS,
      sequentialScheme: 'bench-side loop of ?account_name=X&use_cache=false requests, one after another',
      concurrentSpread: summarize(concurrent),
      sequentialSpread: summarize(sequential),
      perAccountMedianMs: medians,
      partsServedFromCacheOrFailed: servedFromCache,
    },
  };
}

/** 100 concurrent use_cache=false reads; the paper exchange counts the position calls per account. */
async function coalesced(a: Api) {
  await sleep(1200); // past every TTL and freshJoinMs: the burst finds nothing to reuse
  // Control window, as long as the burst window: what the (parked) monitor does on its own.
  const q0 = await a.paperCalls();
  const t0 = performance.now();
  const burst = Array.from({ length: BURST }, () => a.get('/api/v1/trading/positions?use_cache=false'));
  const results = await Promise.all(burst);
  const windowMs = performance.now() - t0;
  const q1 = await a.paperCalls();
  await sleep(windowMs);
  const q2 = await a.paperCalls();
  const inBurst = diff(q1.positions, q0.positions);
  const quiet = diff(q2.all, q1.all);
  const monitorCalls = Object.values(quiet).reduce((s, n) => s + n, 0);
  const ms = results.map((r) => r.ms);
  return {
    coalescedCallsPerAccount: Math.max(...Object.values(inBurst)),
    coalesced: {
      requests: BURST,
      ok: results.filter((r) => r.status === 200 && r.body.accounts.every((p) => p.error === null)).length,
      callsByAccount: inBurst,
      anyEndpointCallsByAccount: diff(q1.all, q0.all),
      monitorCallsInEqualQuietWindow: monitorCalls,
      windowMs: round(windowMs),
      latencyMs: { p50: round(percentile(ms, 50)), max: round(Math.max(...ms)) },
      monitor: `parked (all intervals ${PARKED_MS / 60_000} min) in this companion`,
    },
  };
}

/** One autocannon run; latencies from its per-response event (sub-millisecond, unlike its ms histogram). */
async function loadOnce(c: CompanionProcess, acceptEncoding: string | null) {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${c.ready.url}/api/v1/trading/positions`,
        headers: {
          Authorization: `Bearer ${c.ready.token}`,
          ...(acceptEncoding === null ? {} : { 'Accept-Encoding': acceptEncoding }),
        },
        connections: LOAD.connections,
        pipelining: LOAD.pipelining,
        duration: LOAD.durationS,
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client, status, _bytes, responseTime) => {
      if (status === 200) latencies.push(responseTime);
    });
  });
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.reduce((m, x) => Math.max(m, x), 0), // no spread: ~10^5 values overflow the stack
    reqPerSec: result.requests.total / LOAD.durationS,
    non2xx: result.non2xx + result.errors + result.timeouts,
    bytesPerResponse: result.requests.total > 0 ? Math.round(result.throughput.total / result.requests.total) : 0,
  };
}

async function cached(c: CompanionProcess, a: Api) {
  const warm = await a.get('/api/v1/trading/positions');
  const runs = [];
  const identity = [];
  const load: number[] = [];
  // Interleaved, so both encodings see the same machine.
  for (let i = 0; i < Math.max(LOAD.runs, LOAD.identityRuns); i++) {
    load.push(loadavg()[0]!);
    if (i < LOAD.runs) runs.push(await loadOnce(c, BROWSER_ACCEPT_ENCODING));
    if (i < LOAD.identityRuns) identity.push(await loadOnce(c, null));
  }
  const p50 = runs.map((r) => r.p50);
  const p99 = runs.map((r) => r.p99);
  const rps = runs.map((r) => r.reqPerSec);
  return {
    cachedP50Ms: round(percentile(p50, 50), 2),
    cachedP99Ms: round(percentile(p99, 50), 2),
    cachedReqPerSec: Math.round(percentile(rps, 50)),
    cached: {
      runs: LOAD.runs,
      p50Spread: summarize(p50.map((x) => round(x, 2))),
      p99Spread: summarize(p99.map((x) => round(x, 2))),
      reqPerSecSpread: summarize(rps.map(Math.round)),
      maxMs: round(Math.max(...runs.map((r) => r.max)), 1),
      non2xx: [...runs, ...identity].reduce((s, r) => s + r.non2xx, 0),
      acceptEncoding: BROWSER_ACCEPT_ENCODING,
      positionsPerResponse: warm.body.data.length,
      bytesPerResponse: warm.bytes,
      wireBytesPerResponse: runs[0]!.bytesPerResponse,
      identityEncoding: {
        runs: identity.length,
        p50Ms: round(
          percentile(
            identity.map((r) => r.p50),
            50,
          ),
          2,
        ),
        p99Ms: round(
          percentile(
            identity.map((r) => r.p99),
            50,
          ),
          2,
        ),
        reqPerSec: Math.round(
          percentile(
            identity.map((r) => r.reqPerSec),
            50,
          ),
        ),
        p99Spread: summarize(identity.map((r) => round(r.p99, 2))),
        reqPerSecSpread: summarize(identity.map((r) => Math.round(r.reqPerSec))),
        wireBytesPerResponse: identity[0]!.bytesPerResponse,
      },
      monitor: 'default config (running, filling the cache)',
      loadAvg1mAtRunStart: load.map((x) => round(x, 2)),
    },
  };
}

export default async function run(): Promise<Record<string, unknown>> {
  const loadBefore = loadavg().map((x) => round(x, 2));
  let freshFigures: Record<string, unknown>;
  let coalescedFigures: Record<string, unknown>;
  {
    await using parked = await startCompanionProcess({ env: { ...baseEnv(), ...parkedMonitorEnv() } });
    const a = api(parked);
    freshFigures = await fresh(a);
    coalescedFigures = await coalesced(a);
  }
  let cachedFigures: Record<string, unknown>;
  {
    await using live = await startCompanionProcess({ env: baseEnv() });
    cachedFigures = await cached(live, api(live));
  }
  const { fresh: freshDetail, ...freshTop } = freshFigures;
  const { coalesced: coalescedDetail, ...coalescedTop } = coalescedFigures;
  const { cached: cachedDetail, ...cachedTop } = cachedFigures;
  return {
    accounts: ACCOUNTS.length,
    latencyMs: LATENCY_MS,
    positionsPerAccount: POSITIONS_PER_ACCOUNT,
    connections: LOAD.connections,
    pipelining: LOAD.pipelining,
    durationS: LOAD.durationS,
    ...freshTop,
    ...cachedTop,
    ...coalescedTop,
    fresh: freshDetail,
    cached: cachedDetail,
    coalesced: coalescedDetail,
    machine: { loadAvgBefore: loadBefore, loadAvgAfter: loadavg().map((x) => round(x, 2)) },
  };
}
