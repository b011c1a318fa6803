import {
  AccountsResponse,
  type ActionRequestInput,
  BalancesResponse,
  ErrorBody,
  type ErrorCode,
  type ExecuteRequest,
  ExecuteResult,
  ExecutionsResponse,
  HealthResponse,
  InstrumentsResponse,
  MonitorPositionsResponse,
  OrdersResponse,
  PositionsResponse,
} from '@tierwatch/shared';
import type { z } from 'zod';

/** The companion's HTTP API, with fetch injected; every response is parsed at this edge. */

/**
 * How long the client waits for POST /execute: past the companion's worst case, so that running out of
 * time means something is wrong rather than "the exchange was slow". From the defaults of
 * companion/src/exchange/config.ts (timeoutMs T = 10 s, retry attempts R = 2, backoff maxMs M = 2 s, or up
 * to 5·M when the exchange names its own reset time) and companion/src/execution/config.ts (settleMs 7 s),
 * plus the 30 s companion/src/execution/legs.ts keeps looking an order up after the settle window:
 *   one read at worst          (R+1)·T + R·5·M                      = 30 + 20        =  50 s
 *   validation                 mark and balances read in parallel   = 1 read         =  50 s
 *   each leg (all in parallel) send (never retried) T + settle 7 s + lookups 30 s,
 *                              and the last lookup started just before that gives up
 *                              reads two endpoints (open, then history) = 2 reads   = 147 s
 *   total                                                                               197 s
 * 240 s leaves 43 s for queueing behind the rate budget and the journal's fsyncs, and stays under the
 * 300 s after which browsers and Node's HTTP server may drop a request that is still open.
 * test/execution/client-timeout.test.ts recomputes the sum from the companion's parsed defaults.
 */
export const EXECUTE_TIMEOUT_MS = 240_000;

/** Reads answer from memory or one exchange round trip: the exchange's own timeout is plenty. */
export const READ_TIMEOUT_MS = 10_000;

export class ApiError extends Error {
  constructor(
    /** TIMEOUT: the request went out and no answer came in time; NETWORK: no answer at all (refused, broken). */
    readonly code: ErrorCode | 'NETWORK' | 'TIMEOUT' | 'BAD_RESPONSE',
    message: string,
    readonly status: number | null,
    readonly path: (string | number)[] | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** For every call but POST /execute. */
  timeoutMs?: number;
  executeTimeoutMs?: number;
}

export type Api = ReturnType<typeof createApi>;

interface Sent {
  base: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
  limitMs: number;
}

/** Sends one request and reads its text; a timeout is told apart from a refused connection (TIMEOUT, NETWORK). */
async function send(fetchImpl: typeof fetch, r: Sent): Promise<{ res: Response; text: string }> {
  // Our own timer rather than AbortSignal.timeout: a timeout must be told apart from a refused
  // connection (the request may be executing), and tests drive it with fake timers.
  const timer = new AbortController();
  const handle = setTimeout(() => timer.abort(new Error(`no answer within ${r.limitMs / 1000} s`)), r.limitMs);
  try {
    const res = await fetchImpl(`${r.base}${r.path}`, {
      method: r.method,
      headers: r.headers,
      body: r.body === undefined ? undefined : JSON.stringify(r.body),
      signal: timer.signal,
    });
    return { res, text: await res.text() };
  } catch (err) {
    if (timer.signal.aborted)
      throw new ApiError(
        'TIMEOUT',
        `The companion at ${r.base} did not answer ${r.method} ${r.path} within ${r.limitMs / 1000} s`,
        null,
      );
    throw new ApiError('NETWORK', `The companion is not reachable at ${r.base} (${(err as Error).message})`, null);
  } finally {
    clearTimeout(handle);
  }
}

/** The answer checked: the companion's error body as an ApiError, or the body against the route's schema. */
function readAnswer<T extends z.ZodTypeAny>(schema: T, res: Response, text: string, path: string): z.infer<T> {
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // fall through: reported below as a bad response
  }
  if (!res.ok) {
    const body = ErrorBody.safeParse(json);
    if (body.success) {
      const { code, message, path: where } = body.data.error;
      throw new ApiError(code, message, res.status, where ?? null);
    }
    throw new ApiError('BAD_RESPONSE', `HTTP ${res.status} without an error body`, res.status);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ApiError('BAD_RESPONSE', `Unexpected response from ${path}`, res.status);
  return parsed.data;
}

const q = (params: { account_name?: string; use_cache?: boolean } = {}) => {
  const s = new URLSearchParams();
  if (params.account_name) s.set('account_name', params.account_name);
  if (params.use_cache !== undefined) s.set('use_cache', String(params.use_cache));
  const str = s.toString();
  return str ? `?${str}` : '';
};

export function createApi({
  baseUrl,
  token,
  fetch: fetchImpl = globalThis.fetch.bind(globalThis),
  timeoutMs = READ_TIMEOUT_MS,
  executeTimeoutMs = EXECUTE_TIMEOUT_MS,
}: ApiOptions) {
  const base = baseUrl.replace(/\/+$/, '');

  async function call<T extends z.ZodTypeAny>(
    schema: T,
    path: string,
    init: { method?: string; body?: unknown; auth?: boolean; timeoutMs?: number } = {},
  ): Promise<z.infer<T>> {
    const headers: Record<string, string> = {};
    if (init.auth !== false) headers.Authorization = `Bearer ${token}`;
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    const method = init.method ?? 'GET';
    const limitMs = init.timeoutMs ?? timeoutMs;
    const { res, text } = await send(fetchImpl, { base, path, method, headers, body: init.body, limitMs });
    return readAnswer(schema, res, text, path);
  }

  return {
    health: () => call(HealthResponse, '/health', { auth: false }),
    accounts: () => call(AccountsResponse, '/api/v1/trading/accounts'),
    positions: (params?: { account_name?: string; use_cache?: boolean }) =>
      call(PositionsResponse, `/api/v1/trading/positions${q(params)}`),
    instruments: (params: { use_cache?: boolean } = { use_cache: true }) =>
      call(InstrumentsResponse, `/api/v1/trading/instruments${q(params)}`),
    /** The monitor's positions from memory: fresh marks and distances at no exchange cost. */
    monitorPositions: (params: { account_name?: string } = {}) =>
      call(MonitorPositionsResponse, `/api/v1/monitor/positions${q(params)}`),
    /** Open orders, read-only: the companion has no cancel route (a cancel would need the execution guard). */
    orders: (params?: { account_name?: string; use_cache?: boolean }) =>
      call(OrdersResponse, `/api/v1/trading/orders/pending${q(params)}`),
    balances: (params?: { account_name?: string; use_cache?: boolean }) =>
      call(BalancesResponse, `/api/v1/trading/balances${q(params)}`),
    execute: (req: ExecuteRequest) =>
      call(ExecuteResult, '/api/v1/trading/execute', { method: 'POST', body: req, timeoutMs: executeTimeoutMs }),
    /** An action on a held position family (close, TP/SL, break-even, trailing, cancel orders): the money path. */
    act: (req: ActionRequestInput) =>
      call(ExecuteResult, '/api/v1/trading/actions', { method: 'POST', body: req, timeoutMs: executeTimeoutMs }),
    execution: (id: string) => call(ExecuteResult, `/api/v1/trading/executions/${encodeURIComponent(id)}`),
    /** Newest first; with a key, the execution of that idempotency key (none or one). */
    executions: (params: { key?: string } = {}) =>
      call(
        ExecutionsResponse,
        `/api/v1/trading/executions${params.key ? `?key=${encodeURIComponent(params.key)}` : ''}`,
      ),
  };
}

export type ProbeResult =
  | { state: 'ok'; version: string }
  | { state: 'down'; message: string }
  | { state: 'unpaired'; message: string }
  | { state: 'error'; message: string };

/** Why a socket could not open, or what "Test connection" says: reachable? the token accepted? */
export async function probe(api: Api): Promise<ProbeResult> {
  let version: string;
  try {
    version = (await api.health()).version;
  } catch (err) {
    return { state: 'down', message: (err as Error).message };
  }
  try {
    await api.accounts();
    return { state: 'ok', version };
  } catch (err) {
    if (err instanceof ApiError && err.code === 'UNAUTHORIZED') return { state: 'unpaired', message: err.message };
    return { state: 'error', message: err instanceof ApiError ? `${err.code}: ${err.message}` : String(err) };
  }
}

/** Idempotency key for one confirmed execute: 32 URL-safe characters. */
export const newIdempotencyKey = (uuid: () => string = () => crypto.randomUUID()): string =>
  uuid().replaceAll('-', '').slice(0, 32);

/** The socket URL; resuming names the companion run the seq belongs to, so a restarted one sends a snapshot. */
export const wsUrl = (
  baseUrl: string,
  token: string,
  lastSeq: number | null,
  instance: string | null = null,
): string => {
  const u = new URL('/ws', baseUrl.replace(/^http/, 'ws'));
  u.searchParams.set('token', token);
  if (lastSeq !== null) {
    u.searchParams.set('lastSeq', String(lastSeq));
    if (instance !== null) u.searchParams.set('instance', instance);
  }
  return u.toString();
};
