import type { Account, AccountFetch, InstrumentInfo, Position, Ticker, TieredPosition } from '@tierwatch/shared';
import { type CacheEntry, MARKET_KEY, type ResourceCache } from '../../cache/resource-cache.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { AccountClient, MarketData } from '../../exchange/types.ts';
import { toProtocolError } from '../errors.ts';
import { BookPositions, type PositionsBook } from './book-positions.ts';
import {
  type AccountResource,
  type AccountSource,
  accountSource,
  allFailed,
  freshAcross,
  hitParts,
  oldest,
  type Part,
  readAcross,
  toAccountFetch,
} from './fan-out.ts';
import type { Selection } from './query.ts';
import { HIT_TIMING, missTiming, type Rendered, ResponseMemo } from './respond.ts';

export interface TradingDeps {
  clients: readonly AccountClient[];
  market: MarketData;
  /** Shared with the monitor, which `put`s its fresh bulk reads into it. */
  cache: ResourceCache;
  /** The monitor's classifier: a position with its current tier and distances. */
  classify: (position: Position) => TieredPosition;
  /**
   * The read model's book: /positions (and the snapshot's positions) come from it, as the WebSocket's do;
   * use_cache=false reads the exchange and has the book read it too. Absent: positions come from the cache,
   * classified (the HTTP layer on its own, as in its tests).
   */
  book?: PositionsBook;
  /**
   * Changes whenever a tier may have changed without new position data (the monitor saw a new price).
   * Rendered positions are reused only while it stays the same; when absent, a cached positions read is
   * classified once (its tiers are then at most one TTL old).
   */
  tierVersion?: () => number;
  clock: Clock;
  logger: Logger;
}

/** A reply: ready bytes from the memo (a hit), or a body just built from what was read now. */
export type Reply = { hit: Rendered } | { json: string; fetchedAt: number; timing: string };

/** An account's part of a list: its entry (null when it failed) and what the response says about it. */
type Piece = { entry: CacheEntry<unknown[]> | null; fetch: AccountFetch; hit: boolean };

/** How long the book's positions are held for the memo (about one ticker push). */
const BOOK_HOLD_MS = 100;

/**
 * The one read facade behind the trading routes: every list, the batch snapshot and the instruments,
 * each with one memo path (ready bytes while the entries it was built from stay the same) and one miss path.
 */
export class TradingReads {
  readonly sources: AccountSource[];
  readonly byName: Map<string, AccountSource>;
  private readonly memo = new ResponseMemo();
  private readonly tierVersion: () => number;
  private readonly classified = new WeakMap<object, { version: number; entry: CacheEntry<TieredPosition[]> }>();
  private readonly book: BookPositions | null;
  private readonly marksOf = new WeakMap<CacheEntry<Ticker[]>, Map<string, number>>();

  constructor(private readonly deps: TradingDeps) {
    this.sources = deps.clients.map(accountSource);
    this.byName = new Map(this.sources.map((s) => [s.name, s]));
    this.tierVersion = deps.tierVersion ?? (() => 0);
    this.book = deps.book ? new BookPositions(deps.book, BOOK_HOLD_MS) : null;
  }

  async list(resource: AccountResource, sel: Selection<AccountSource>): Promise<Reply> {
    const now = this.deps.clock.now();
    const version = resource === 'positions' ? this.tierVersion() : 0;
    const hot = this.hot(resource, sel, now);
    if (hot) return { hit: this.memoized(`${resource}|${sel.key}`, memoKeys(hot), version, () => listBody(hot, now)) };
    const t0 = performance.now();
    const pieces = await this.read(resource, sel, now);
    const body = listBody(pieces, this.deps.clock.now());
    return {
      json: JSON.stringify(body),
      fetchedAt: body.fetchedAt,
      timing: missTiming(anyMiss(pieces), performance.now() - t0),
    };
  }

  async accounts(sel: Selection<AccountSource>): Promise<Reply> {
    const { cache, clock } = this.deps;
    const now = clock.now();
    const hot = sel.useCache ? cache.fresh(MARKET_KEY, 'accounts', now) : undefined;
    if (hot !== undefined) {
      const body = () => ({ fetchedAt: hot.fetchedAt, data: this.pick(sel, hot.data) });
      return { hit: this.memoized(`accounts|${sel.key}`, [hot], 0, body) };
    }
    const r = await cache.read(MARKET_KEY, 'accounts', this.loadAccounts, { useCache: sel.useCache, arrivedAt: now });
    const body = { fetchedAt: r.entry.fetchedAt, data: this.pick(sel, r.entry.data) };
    return { json: JSON.stringify(body), fetchedAt: body.fetchedAt, timing: missTiming(!r.hit, 0) };
  }

  async snapshot(sel: Selection<AccountSource>): Promise<Reply> {
    const { cache, clock } = this.deps;
    const now = clock.now();
    const version = this.tierVersion();
    const acc = sel.useCache ? cache.fresh(MARKET_KEY, 'accounts', now) : undefined;
    const [pos, ord, bal] = (['positions', 'orders', 'balances'] as const).map((r) => this.hot(r, sel, now));
    if (acc !== undefined && pos && ord && bal) {
      const entries = [acc, ...memoKeys([pos, ord, bal].flat())];
      const build = () => this.snapshotBody(sel, acc, pos, ord, bal, now);
      return { hit: this.memoized(`snapshot|${sel.key}`, entries, version, build) };
    }
    const t0 = performance.now();
    const [a, p, o, b] = await Promise.all([
      cache.read(MARKET_KEY, 'accounts', this.loadAccounts, { useCache: sel.useCache, arrivedAt: now }),
      // What could be served at once is (the book's positions above all); the rest is read now.
      pos ?? this.read('positions', sel, now, false),
      ord ?? this.read('orders', sel, now, false),
      bal ?? this.read('balances', sel, now, false),
    ]);
    const failed = allFailed([...p, ...o, ...b].map(asPart), 'positions, orders and balances');
    if (failed) throw failed;
    const body = this.snapshotBody(sel, a.entry, p, o, b, clock.now());
    const timing = missTiming([p, o, b].some(anyMiss), performance.now() - t0);
    return { json: JSON.stringify(body), fetchedAt: body.fetchedAt, timing };
  }

  /**
   * Trading rules with the last mark price. Rules are local; marks come from one bulk tickers call shared
   * with every account. When tickers cannot be read, marks are null and the rules are still served.
   */
  async instruments(sel: Selection<AccountSource>): Promise<Reply> {
    const { cache, clock, logger, market } = this.deps;
    const now = clock.now();
    const load = () => market.fetchTickers(null, { lane: 'api' });
    let tickers: CacheEntry<Ticker[]> | undefined = sel.useCache
      ? cache.fresh(MARKET_KEY, 'tickers', now, load)
      : undefined;
    let timing = HIT_TIMING;
    if (tickers === undefined) {
      const t0 = performance.now();
      try {
        const r = await cache.read(MARKET_KEY, 'tickers', load, { useCache: sel.useCache, arrivedAt: now });
        tickers = r.entry;
        timing = missTiming(!r.hit, performance.now() - t0);
      } catch (err) {
        const e = toProtocolError(err, logger, { resource: 'tickers' });
        logger.warn({ code: e.code }, 'instruments served without mark prices: tickers unavailable');
        timing = missTiming(true, performance.now() - t0);
      }
    }
    let marks = tickers && this.marksOf.get(tickers);
    if (tickers && marks === undefined) {
      marks = new Map(tickers.data.map((t) => [t.symbol, t.markPrice]));
      this.marksOf.set(tickers, marks);
    }
    const data: InstrumentInfo[] = [];
    for (const symbol of market.symbols()) {
      const i = market.instrument(symbol);
      if (i !== undefined) data.push({ ...i, markPrice: marks?.get(symbol) ?? null });
    }
    const fetchedAt = tickers?.fetchedAt ?? clock.now();
    return { json: JSON.stringify({ fetchedAt, data }), fetchedAt, timing };
  }

  /** The one memo path: ready bytes while every entry it was built from (and the tier version) is the same. */
  private memoized(
    key: string,
    entries: readonly object[],
    version: number,
    build: () => { fetchedAt: number },
  ): Rendered {
    const m = this.memo.get(key, entries, version);
    if (m) return m;
    const body = build();
    return this.memo.set(key, entries, version, JSON.stringify(body), body.fetchedAt);
  }

  /** What can be served without waiting: the book's positions, or every account's fresh cache entry. */
  private hot(resource: AccountResource, sel: Selection<AccountSource>, now: number): Piece[] | null {
    if (!sel.useCache) return null;
    if (resource === 'positions' && this.book) {
      const parts = this.book.parts(
        sel.items.map((s) => s.name),
        now,
      );
      return parts.some((p) => p.entry !== null) ? parts.map((p) => ({ ...p, hit: true })) : null;
    }
    const entries = freshAcross(this.deps.cache, sel.items, resource, now);
    return entries && this.pieces(resource, hitParts(sel.items, entries as CacheEntry<unknown[]>[]));
  }

  /** The miss path: every account read (through the cache), a failing one its own error entry. */
  private async read(
    resource: AccountResource,
    sel: Selection<AccountSource>,
    now: number,
    throwAll = true,
  ): Promise<Piece[]> {
    const { cache, logger } = this.deps;
    const parts = await readAcross(cache, logger, sel.items, resource, sel.useCache, now);
    // A fresh read of positions is the book's too: it reads them at once, so the stream's view follows.
    if (resource === 'positions' && this.book && !sel.useCache)
      this.book.refreshed(parts.filter((p) => p.entry).map((p) => p.account));
    const failed = throwAll ? allFailed(parts, resource) : null;
    if (failed) throw failed;
    return this.pieces(resource, parts as Part<unknown[]>[]);
  }

  private pieces(resource: AccountResource, parts: readonly Part<unknown[]>[]): Piece[] {
    const version = resource === 'positions' ? this.tierVersion() : 0;
    return parts.map((p) => ({
      entry: p.entry && resource === 'positions' ? this.classify(p.entry as CacheEntry<Position[]>, version) : p.entry,
      fetch: toAccountFetch(p),
      hit: p.hit,
    }));
  }

  /**
   * A cached positions read with its tiers: classified once per entry and tier version, and the same object
   * while both stay (the memo recognises what it was built from by identity).
   */
  private classify(entry: CacheEntry<Position[]>, version: number): CacheEntry<unknown[]> {
    let c = this.classified.get(entry);
    if (c === undefined || c.version !== version) {
      c = { version, entry: { data: entry.data.map(this.deps.classify), fetchedAt: entry.fetchedAt } };
      this.classified.set(entry, c);
    }
    return c.entry;
  }

  private snapshotBody(
    sel: Selection<AccountSource>,
    acc: CacheEntry<Account[]>,
    pos: readonly Piece[],
    ord: readonly Piece[],
    bal: readonly Piece[],
    now: number,
  ) {
    const [p, o, b] = [listBody(pos, now), listBody(ord, now), listBody(bal, now)];
    return {
      fetchedAt: Math.min(acc.fetchedAt, p.fetchedAt, o.fetchedAt, b.fetchedAt),
      accounts: this.pick(sel, acc.data),
      positions: p.data,
      orders: o.data,
      balances: b.data,
      fetches: { positions: p.accounts, orders: o.accounts, balances: b.accounts },
    };
  }

  private readonly loadAccounts = async (): Promise<Account[]> => this.deps.clients.map((c) => c.account);

  private pick(sel: Selection<AccountSource>, all: Account[]): Account[] {
    return sel.key === '' ? all : all.filter((a) => a.name === sel.key);
  }
}

const anyMiss = (pieces: readonly Piece[]) => pieces.some((p) => !p.hit);
/** What a memoized body was built from: each entry (stable while unchanged), or the held fetch of one with none. */
const memoKeys = (pieces: readonly Piece[]): object[] => pieces.map((p) => p.entry ?? p.fetch);
const asPart = (p: Piece): Part<unknown> => ({
  account: p.fetch.account,
  entry: p.entry,
  hit: p.hit,
  error: p.fetch.error,
});

function listBody(pieces: readonly Piece[], now: number) {
  const data: unknown[] = [];
  for (const p of pieces) if (p.entry !== null) for (const item of p.entry.data) data.push(item);
  return { fetchedAt: oldest(pieces.map(asPart), now), data, accounts: pieces.map((p) => p.fetch) };
}
