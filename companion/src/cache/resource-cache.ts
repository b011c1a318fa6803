import type { Account, Balance, Order, Position, Ticker } from '@tierwatch/shared';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../core/clock.ts';
import type { CacheConfig } from './config.ts';

/** What each cached resource holds. Per account, except `tickers` (public, under MARKET_KEY). */
export interface ResourceData {
  positions: Position[];
  orders: Order[];
  balances: Balance[];
  accounts: Account[];
  tickers: Ticker[];
}
export type Resource = keyof ResourceData;

/** The slot key for data that belongs to no account (tickers, the account list). Not a valid account name. */
export const MARKET_KEY = '*';

export interface CacheEntry<T> {
  readonly data: T;
  /** When the exchange call that produced `data` was issued (conservative: the data is at least this fresh). */
  readonly fetchedAt: number;
}

export interface CacheRead<T> {
  readonly entry: CacheEntry<T>;
  /** True when this read made no exchange call of its own and joined none (served from memory). */
  readonly hit: boolean;
}

export interface ReadOptions {
  /** false: the caller wants data from an exchange call issued (about) no earlier than its arrival. */
  useCache: boolean;
  /** When the request arrived (clock ms); defaults to now. */
  arrivedAt?: number;
}

interface Flight {
  readonly startedAt: number;
  readonly promise: Promise<CacheEntry<unknown>>;
  /** `stale` is set when the slot was invalidated while this call was out: its answer may predate the change. */
  readonly mark: { stale: boolean };
}

export interface CacheStats {
  hits: number;
  /** Reads that joined an exchange call someone else started. */
  joins: number;
  /** Exchange calls made (one per single-flight). */
  loads: number;
  /** Entries filled from outside (the monitor's bulk reads). */
  puts: number;
  /** Background calls started by refresh-ahead (also counted in `loads`). */
  refreshes: number;
}

/**
 * The age from which a cached read refreshes an entry ahead of its expiry: the TTL less `factor` times the
 * recent calls' duration, never earlier than half the TTL. Half the TTL when no call for the slot was timed
 * yet (only the monitor's puts, whose durations are not known here): that first refresh gets timed. Infinity
 * (never) when off.
 */
export function refreshAheadAge(ttlMs: number, recentLoadMs: number | undefined, factor: number): number {
  if (factor <= 0) return Number.POSITIVE_INFINITY;
  if (recentLoadMs === undefined) return ttlMs / 2;
  return Math.max(ttlMs / 2, ttlMs - factor * recentLoadMs);
}

/**
 * The one cache of exchange reads, shared by the HTTP routes and the monitor.
 *
 * - TTL per resource, checked against the injected clock (lru-cache only bounds the slot count: its own TTL
 *   would read performance.now, and we need `fetchedAt` anyway for `Age` and for the monitor's puts).
 * - Single-flight: concurrent misses for one (account, resource) share one exchange call. A `use_cache=false`
 *   read joins a call issued at most `freshJoinMs` before it arrived, rather than starting another.
 * - Failures are not cached: the next read tries again (the exchange layer's limiter paces the retries).
 * - Expired entries stay until evicted, so `peek` can still show the last known data with its age.
 */
export class ResourceCache {
  private readonly store: LRUCache<string, CacheEntry<unknown>>;
  private readonly flights = new Map<string, Flight>();
  /** How long recent calls for each slot took (a decaying peak): the refresh-ahead lead. */
  private readonly loadMs = new Map<string, number>();
  /** When each slot (or, under ALL, each resource of every account) was last invalidated: older puts are dropped. */
  private readonly invalidatedAt = new Map<string, number>();
  readonly stats: CacheStats = { hits: 0, joins: 0, loads: 0, puts: 0, refreshes: 0 };

  constructor(
    private readonly config: CacheConfig,
    private readonly clock: Clock,
  ) {
    this.store = new LRUCache({ max: config.maxEntries });
  }

  ttlMs(resource: Resource): number {
    return this.config.ttlMs[resource];
  }

  /**
   * The entry if it is within its TTL at `now`, synchronously: the routes' allocation-free hit path. Given
   * `reload`, an entry close to its expiry is refreshed in the background (see `refreshAheadFactor`).
   */
  fresh<R extends Resource>(
    account: string,
    resource: R,
    now = this.clock.now(),
    reload?: () => Promise<ResourceData[R]>,
  ): CacheEntry<ResourceData[R]> | undefined {
    const k = key(account, resource);
    const entry = this.store.get(k) as CacheEntry<ResourceData[R]> | undefined;
    if (entry === undefined || now - entry.fetchedAt >= this.config.ttlMs[resource]) return undefined;
    if (reload !== undefined) this.refreshAhead(k, resource, entry, now, reload);
    return entry;
  }

  /** The latest entry whatever its age. */
  peek<R extends Resource>(account: string, resource: R): CacheEntry<ResourceData[R]> | undefined {
    return this.store.peek(key(account, resource)) as CacheEntry<ResourceData[R]> | undefined;
  }

  /** Cached data, or the result of one shared call to `load`. Rejects with `load`'s error. */
  read<R extends Resource>(
    account: string,
    resource: R,
    load: () => Promise<ResourceData[R]>,
    opts: ReadOptions,
  ): Promise<CacheRead<ResourceData[R]>> {
    const now = this.clock.now();
    const k = key(account, resource);
    const entry = this.store.get(k) as CacheEntry<ResourceData[R]> | undefined;
    const flight = this.flights.get(k);
    // The oldest call this read accepts: any within TTL, or (fresh) one issued just before it arrived.
    const floor = opts.useCache
      ? now - this.config.ttlMs[resource] + 1
      : (opts.arrivedAt ?? now) - this.config.freshJoinMs;
    if (entry !== undefined && entry.fetchedAt >= floor) {
      this.stats.hits++;
      if (opts.useCache) this.refreshAhead(k, resource, entry, now, load);
      return Promise.resolve({ entry, hit: true });
    }
    // A cached read takes any call in flight: it is newer than anything stored.
    if (flight !== undefined && (opts.useCache || flight.startedAt >= floor)) {
      this.stats.joins++;
      return flight.promise.then(asMiss) as Promise<CacheRead<ResourceData[R]>>;
    }
    return this.load(k, load, now).then(asMiss);
  }

  /** Fills the cache from outside (the monitor's fresh bulk reads). Older data never replaces newer. */
  put<R extends Resource>(account: string, resource: R, data: ResourceData[R], fetchedAt: number): void {
    this.stats.puts++;
    const k = key(account, resource);
    const floor = Math.max(
      this.invalidatedAt.get(k) ?? -Infinity,
      this.invalidatedAt.get(key(ALL, resource)) ?? -Infinity,
    );
    // Read at or before the invalidation: it may not show the change that caused it.
    if (fetchedAt <= floor) return;
    this.keep(k, { data, fetchedAt });
  }

  /**
   * Drops cached data (after an execution changed it). Calls already in flight still answer the reads that
   * joined them, but no longer fill the slot nor take new joiners, and older puts are dropped: the next read
   * sees data fetched after the change.
   */
  invalidate(account?: string, resource?: Resource): void {
    const matches = (k: string) => {
      const [r, a] = split(k);
      return (account === undefined || a === account) && (resource === undefined || r === resource);
    };
    for (const k of [...this.store.keys()]) if (matches(k)) this.store.delete(k);
    for (const [k, flight] of [...this.flights]) {
      if (!matches(k)) continue;
      flight.mark.stale = true;
      this.flights.delete(k);
    }
    const now = this.clock.now();
    for (const r of Object.keys(this.config.ttlMs) as Resource[]) {
      if (resource === undefined || r === resource) this.invalidatedAt.set(key(account ?? ALL, r), now);
    }
  }

  /**
   * Starts the next call for a slot whose entry is near its expiry, unless one is in flight. Its failure is
   * dropped here: the entry stays valid until its TTL runs out, and the read after that makes (and reports)
   * its own call.
   */
  private refreshAhead<T>(k: string, resource: Resource, entry: CacheEntry<T>, now: number, load: () => Promise<T>) {
    if (this.flights.has(k)) return;
    const ttl = this.config.ttlMs[resource];
    if (now - entry.fetchedAt < refreshAheadAge(ttl, this.loadMs.get(k), this.config.refreshAheadFactor)) return;
    this.stats.refreshes++;
    this.load(k, load, now).catch(() => {});
  }

  private load<T>(k: string, load: () => Promise<T>, startedAt: number): Promise<CacheEntry<T>> {
    this.stats.loads++;
    const mark = { stale: false };
    const promise = (async () => {
      const data = await load();
      // A decaying peak rather than the last duration: one slow call (a busy budget lane, a loaded machine)
      // widens the lead for the next few refreshes instead of being forgotten at once.
      this.loadMs.set(k, Math.max(this.clock.now() - startedAt, (this.loadMs.get(k) ?? 0) * PEAK_DECAY));
      const entry = { data, fetchedAt: startedAt };
      return mark.stale ? entry : this.keep(k, entry);
    })();
    const flight: Flight = { startedAt, promise, mark };
    this.flights.set(k, flight);
    const done = () => {
      if (this.flights.get(k) === flight) this.flights.delete(k);
    };
    promise.then(done, done);
    return promise;
  }

  private keep<T>(k: string, entry: CacheEntry<T>): CacheEntry<T> {
    const current = this.store.peek(k);
    if (current === undefined || current.fetchedAt <= entry.fetchedAt) this.store.set(k, entry);
    return entry;
  }
}

/** The account part of `invalidatedAt`'s key for an invalidation of every account (not a valid account name). */
const ALL = '|all';

/** Per call, how much of the slowest recent call's duration the refresh-ahead lead keeps. */
const PEAK_DECAY = 0.8;

function asMiss<T>(entry: CacheEntry<T>): CacheRead<T> {
  return { entry, hit: false };
}

function key(account: string, resource: Resource): string {
  return `${resource}|${account}`;
}

function split(k: string): [string, string] {
  const i = k.indexOf('|');
  return [k.slice(0, i), k.slice(i + 1)];
}
