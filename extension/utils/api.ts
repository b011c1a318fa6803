import {
  AccountsResponse,
  BalancesResponse,
  ErrorBody,
  type ErrorCode,
  type ExecuteRequest,
  ExecuteResult,
  HealthResponse,
  InstrumentsResponse,
  PositionsResponse,
} from '@tierwatch/shared';
import type { z } from 'zod';

/** The companion's HTTP API, with fetch injected; every response is parsed at this edge. */

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode | 'NETWORK' | 'BAD_RESPONSE',
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
  timeoutMs?: number;
}

export type Api = ReturnType<typeof createApi>;

export function createApi({
  baseUrl,
  token,
  fetch: fetchImpl = globalThis.fetch.bind(globalThis),
  timeoutMs = 10_000,
}: ApiOptions) {
  const base = baseUrl.replace(/\/+$/, '');

  async function call<T extends z.ZodTypeAny>(
    schema: T,
    path: string,
    init: { method?: string; body?: unknown; auth?: boolean } = {},
  ): Promise<z.infer<T>> {
    const headers: Record<string, string> = {};
    if (init.auth !== false) headers.Authorization = `Bearer ${token}`;
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetchImpl(`${base}${path}`, {
        method: init.method ?? 'GET',
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new ApiError('NETWORK', `The companion is not reachable at ${base} (${(err as Error).message})`, null);
    }
    const text = await res.text();
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

  return {
    health: () => call(HealthResponse, '/health', { auth: false }),
    accounts: () => call(AccountsResponse, '/api/v1/trading/accounts'),
    positions: (params?: { account_name?: string; use_cache?: boolean }) =>
      call(PositionsResponse, `/api/v1/trading/positions${q(params)}`),
    instruments: (params: { use_cache?: boolean } = { use_cache: true }) =>
      call(InstrumentsResponse, `/api/v1/trading/instruments${q(params)}`),
    balances: (params?: { account_name?: string; use_cache?: boolean }) =>
      call(BalancesResponse, `/api/v1/trading/balances${q(params)}`),
    execute: (req: ExecuteRequest) => call(ExecuteResult, '/api/v1/trading/execute', { method: 'POST', body: req }),
    execution: (id: string) => call(ExecuteResult, `/api/v1/trading/executions/${encodeURIComponent(id)}`),
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
