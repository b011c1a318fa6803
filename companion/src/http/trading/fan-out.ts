import type { AccountFetch, ErrorCode, ProtocolError } from '@tierwatch/shared';
import type { CacheEntry, ResourceCache, ResourceData } from '../../cache/resource-cache.ts';
import { AppError } from '../../core/app-error.ts';
import type { Logger } from '../../core/logger.ts';
import type { AccountClient, CallOptions } from '../../exchange/types.ts';
import { toProtocolError } from '../errors.ts';

export type AccountResource = 'positions' | 'orders' | 'balances';

/** One account with its loaders built once (no closure per request). API reads use the 'api' lane. */
export interface AccountSource {
  readonly name: string;
  readonly client: AccountClient;
  readonly load: { readonly [R in AccountResource]: () => Promise<ResourceData[R]> };
}

const API: CallOptions = { lane: 'api' };

export function accountSource(client: AccountClient): AccountSource {
  return {
    name: client.account.name,
    client,
    load: {
      positions: () => client.fetchPositions(API),
      orders: () => client.fetchOpenOrders(API),
      balances: () => client.fetchBalances(API),
    },
  };
}

/** One account's outcome of a fan-out read. */
export interface Part<T> {
  readonly account: string;
  readonly entry: CacheEntry<T> | null;
  readonly hit: boolean;
  readonly error: ProtocolError | null;
}

/** Every account at once; a failing account becomes its own error part, never a failed whole. */
export function readAcross<R extends AccountResource>(
  cache: ResourceCache,
  logger: Logger,
  sources: readonly AccountSource[],
  resource: R,
  useCache: boolean,
  arrivedAt: number,
): Promise<Part<ResourceData[R]>[]> {
  return Promise.all(
    sources.map((s) =>
      cache.read(s.name, resource, s.load[resource] as () => Promise<ResourceData[R]>, { useCache, arrivedAt }).then(
        (r): Part<ResourceData[R]> => ({ account: s.name, entry: r.entry, hit: r.hit, error: null }),
        (err: unknown): Part<ResourceData[R]> => ({
          account: s.name,
          entry: null,
          hit: false,
          error: toProtocolError(err, logger, { account: s.name, resource }),
        }),
      ),
    ),
  );
}

/**
 * The fresh entry of every account, or null as soon as one is missing: the synchronous hit path. An entry
 * near its expiry is refreshed in the background meanwhile (the cache's refresh-ahead), so a client polling
 * faster than the TTL keeps hitting instead of waiting on the exchange once per TTL.
 */
export function freshAcross<R extends AccountResource>(
  cache: ResourceCache,
  sources: readonly AccountSource[],
  resource: R,
  now: number,
): CacheEntry<ResourceData[R]>[] | null {
  const out: CacheEntry<ResourceData[R]>[] = [];
  for (const s of sources) {
    const e = cache.fresh(s.name, resource, now, s.load[resource] as () => Promise<ResourceData[R]>);
    if (e === undefined) return null;
    out.push(e);
  }
  return out;
}

export function hitParts<T>(sources: readonly AccountSource[], entries: readonly CacheEntry<T>[]): Part<T>[] {
  return entries.map((entry, i) => ({ account: sources[i]!.name, entry, hit: true, error: null }));
}

export function toAccountFetch(p: Part<unknown>): AccountFetch {
  return { account: p.account, fetchedAt: p.entry?.fetchedAt ?? null, cached: p.hit, error: p.error };
}

/** The oldest data among the parts (what the whole response is "as of"), or `fallback` when there is none. */
export function oldest(parts: readonly Part<unknown>[], fallback: number): number {
  let min = Number.POSITIVE_INFINITY;
  for (const p of parts) if (p.entry !== null && p.entry.fetchedAt < min) min = p.entry.fetchedAt;
  return min === Number.POSITIVE_INFINITY ? fallback : min;
}

/** Exchange-class codes that may stand for the whole response; anything else is reported as EXCHANGE_ERROR. */
const WHOLE_CODES = new Set<ErrorCode>(['EXCHANGE_UNAVAILABLE', 'RATE_LIMITED', 'EXCHANGE_ERROR']);

/**
 * When no account could be read: one error for the response. Its code is the accounts' common code when
 * that is an exchange-class one (503 unavailable, 429 rate limited), else 502 EXCHANGE_ERROR, so an exchange
 * answer such as "bad API key" never reaches the extension as a 401 it would take for a pairing problem.
 */
export function allFailed(parts: readonly Part<unknown>[], what: string): AppError | null {
  if (parts.length === 0 || parts.some((p) => p.error === null)) return null;
  const codes = new Set(parts.map((p) => p.error!.code));
  const [only] = codes;
  const code = codes.size === 1 && only !== undefined && WHOLE_CODES.has(only) ? only : 'EXCHANGE_ERROR';
  const detail = parts.map((p) => `${p.account}: ${p.error!.code} ${p.error!.message}`).join('; ');
  return new AppError(code, `no account's ${what} could be read (${detail})`);
}
