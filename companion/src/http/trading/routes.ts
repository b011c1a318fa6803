import type { Account, InstrumentInfo, Position, Ticker, TieredPosition } from '@tierwatch/shared';
import { type Context, Hono } from 'hono';
import { type CacheEntry, MARKET_KEY, type ResourceCache, type ResourceData } from '../../cache/resource-cache.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { AccountClient, MarketData } from '../../exchange/types.ts';
import { toProtocolError } from '../errors.ts';
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
import { parseSelection, type Selection } from './query.ts';
import { HIT_TIMING, missTiming, ResponseMemo, respondJson, respondRendered } from './respond.ts';

export interface TradingDeps {
  clients: readonly AccountClient[];
  market: MarketData;
  /** Shared with the monitor, which `put`s its fresh bulk reads into it. */
  cache: ResourceCache;
  /** The monitor's classifier: a position with its current tier and distances. */
  classify: (position: Position) => TieredPosition;
  /**
   * Changes whenever a tier may have changed without new position data (the monitor saw a new price).
   * Rendered positions are reused only while it stays the same; when absent, a cached positions read is
   * classified once (its tiers are then at most one TTL old).
   */
  tierVersion?: () => number;
  clock: Clock;
  logger: Logger;
}

type Render<R extends AccountResource> = (
  entry: CacheEntry<ResourceData[R]>,
  tierVersion: number,
) => readonly unknown[];

/** GET /accounts, /positions, /orders/pending, /balances, /batch/snapshot, /instruments (mounted at /api/v1/trading). */
export function tradingRoutes(deps: TradingDeps): Hono {
  const { cache, clock, logger } = deps;
  const sources = deps.clients.map(accountSource);
  const byName = new Map(sources.map((s) => [s.name, s]));
  const memo = new ResponseMemo();
  const tierVersion = deps.tierVersion ?? (() => 0);

  const classified = new WeakMap<CacheEntry<Position[]>, { version: number; list: TieredPosition[] }>();
  const renderers: { [R in AccountResource]: Render<R> } = {
    positions: (entry, version) => {
      let c = classified.get(entry);
      if (c === undefined || c.version !== version) {
        c = { version, list: entry.data.map(deps.classify) };
        classified.set(entry, c);
      }
      return c.list;
    },
    orders: (entry) => entry.data,
    balances: (entry) => entry.data,
  };

  const listBody = <R extends AccountResource>(
    resource: R,
    parts: readonly Part<ResourceData[R]>[],
    version: number,
    now: number,
  ) => {
    const render = renderers[resource] as Render<R>;
    const data: unknown[] = [];
    for (const p of parts) if (p.entry !== null) for (const item of render(p.entry, version)) data.push(item);
    return { fetchedAt: oldest(parts, now), data, accounts: parts.map(toAccountFetch) };
  };

  const loadAccounts = async (): Promise<Account[]> => deps.clients.map((c) => c.account);
  const pickAccounts = (sel: Selection<AccountSource>, all: Account[]) =>
    sel.key === '' ? all : all.filter((a) => a.name === sel.key);

  async function list<R extends AccountResource>(c: Context, resource: R): Promise<Response> {
    const sel = parseSelection(c, sources, byName);
    const now = clock.now();
    const version = resource === 'positions' ? tierVersion() : 0;
    if (sel.useCache) {
      const entries = freshAcross(cache, sel.items, resource, now);
      if (entries !== null) {
        const key = `${resource}|${sel.key}`;
        const m =
          memo.get(key, entries, version) ??
          (() => {
            const body = listBody(resource, hitParts(sel.items, entries), version, now);
            return memo.set(key, entries, version, JSON.stringify(body), body.fetchedAt);
          })();
        return respondRendered(c, m, now);
      }
    }
    const t0 = performance.now();
    const parts = await readAcross(cache, logger, sel.items, resource, sel.useCache, now);
    const ms = performance.now() - t0;
    const failed = allFailed(parts, resource);
    if (failed) throw failed;
    const body = listBody(resource, parts, version, clock.now());
    return respondJson(
      c,
      JSON.stringify(body),
      body.fetchedAt,
      clock.now(),
      missTiming(
        parts.some((p) => !p.hit),
        ms,
      ),
    );
  }

  const app = new Hono();

  app.get('/accounts', async (c) => {
    const sel = parseSelection(c, sources, byName);
    const now = clock.now();
    const hot = sel.useCache ? cache.fresh(MARKET_KEY, 'accounts', now) : undefined;
    if (hot !== undefined) {
      const key = `accounts|${sel.key}`;
      const m =
        memo.get(key, [hot], 0) ??
        memo.set(
          key,
          [hot],
          0,
          JSON.stringify({ fetchedAt: hot.fetchedAt, data: pickAccounts(sel, hot.data) }),
          hot.fetchedAt,
        );
      return respondRendered(c, m, now);
    }
    const r = await cache.read(MARKET_KEY, 'accounts', loadAccounts, { useCache: sel.useCache, arrivedAt: now });
    const body = { fetchedAt: r.entry.fetchedAt, data: pickAccounts(sel, r.entry.data) };
    return respondJson(c, JSON.stringify(body), body.fetchedAt, clock.now(), missTiming(!r.hit, 0));
  });

  app.get('/positions', (c) => list(c, 'positions'));
  app.get('/orders/pending', (c) => list(c, 'orders'));
  app.get('/balances', (c) => list(c, 'balances'));

  app.get('/batch/snapshot', async (c) => {
    const sel = parseSelection(c, sources, byName);
    const now = clock.now();
    const version = tierVersion();
    if (sel.useCache) {
      const acc = cache.fresh(MARKET_KEY, 'accounts', now);
      const pos = freshAcross(cache, sel.items, 'positions', now);
      const ord = freshAcross(cache, sel.items, 'orders', now);
      const bal = freshAcross(cache, sel.items, 'balances', now);
      if (acc !== undefined && pos !== null && ord !== null && bal !== null) {
        const key = `snapshot|${sel.key}`;
        const entries = [acc, ...pos, ...ord, ...bal];
        const m =
          memo.get(key, entries, version) ??
          (() => {
            const body = snapshotBody(
              sel,
              acc,
              hitParts(sel.items, pos),
              hitParts(sel.items, ord),
              hitParts(sel.items, bal),
              version,
              now,
            );
            return memo.set(key, entries, version, JSON.stringify(body), body.fetchedAt);
          })();
        return respondRendered(c, m, now);
      }
    }
    const t0 = performance.now();
    const [acc, pos, ord, bal] = await Promise.all([
      cache.read(MARKET_KEY, 'accounts', loadAccounts, { useCache: sel.useCache, arrivedAt: now }),
      readAcross(cache, logger, sel.items, 'positions', sel.useCache, now),
      readAcross(cache, logger, sel.items, 'orders', sel.useCache, now),
      readAcross(cache, logger, sel.items, 'balances', sel.useCache, now),
    ]);
    const ms = performance.now() - t0;
    const failed = allFailed([...pos, ...ord, ...bal], 'positions, orders and balances');
    if (failed) throw failed;
    const body = snapshotBody(sel, acc.entry, pos, ord, bal, version, clock.now());
    const anyMiss = [pos, ord, bal].some((parts) => parts.some((p) => !p.hit));
    return respondJson(c, JSON.stringify(body), body.fetchedAt, clock.now(), missTiming(anyMiss, ms));
  });

  function snapshotBody(
    sel: Selection<AccountSource>,
    acc: CacheEntry<Account[]>,
    pos: readonly Part<ResourceData['positions']>[],
    ord: readonly Part<ResourceData['orders']>[],
    bal: readonly Part<ResourceData['balances']>[],
    version: number,
    now: number,
  ) {
    const p = listBody('positions', pos, version, now);
    const o = listBody('orders', ord, version, now);
    const b = listBody('balances', bal, version, now);
    return {
      fetchedAt: Math.min(acc.fetchedAt, oldest([...pos, ...ord, ...bal], now)),
      accounts: pickAccounts(sel, acc.data),
      positions: p.data,
      orders: o.data,
      balances: b.data,
      fetches: { positions: p.accounts, orders: o.accounts, balances: b.accounts },
    };
  }

  const marksOf = new WeakMap<CacheEntry<Ticker[]>, Map<string, number>>();
  const loadTickers = () => deps.market.fetchTickers(null, { lane: 'api' });

  // Trading rules with the last mark price. Rules are local; marks come from one bulk tickers call shared with
  // every account. When tickers cannot be read, marks are null and the rules are still served.
  app.get('/instruments', async (c) => {
    const sel = parseSelection(c, sources, byName); // validates account_name; instruments are the same for all
    const now = clock.now();
    let tickers: CacheEntry<Ticker[]> | undefined = sel.useCache
      ? cache.fresh(MARKET_KEY, 'tickers', now, loadTickers)
      : undefined;
    let timing = HIT_TIMING;
    if (tickers === undefined) {
      const t0 = performance.now();
      try {
        const r = await cache.read(MARKET_KEY, 'tickers', loadTickers, { useCache: sel.useCache, arrivedAt: now });
        tickers = r.entry;
        timing = missTiming(!r.hit, performance.now() - t0);
      } catch (err) {
        const e = toProtocolError(err, logger, { resource: 'tickers' });
        logger.warn({ code: e.code }, 'instruments served without mark prices: tickers unavailable');
        timing = missTiming(true, performance.now() - t0);
      }
    }
    let marks = tickers && marksOf.get(tickers);
    if (tickers && marks === undefined) {
      marks = new Map(tickers.data.map((t) => [t.symbol, t.markPrice]));
      marksOf.set(tickers, marks);
    }
    const data: InstrumentInfo[] = [];
    for (const symbol of deps.market.symbols()) {
      const i = deps.market.instrument(symbol);
      if (i !== undefined) data.push({ ...i, markPrice: marks?.get(symbol) ?? null });
    }
    const fetchedAt = tickers?.fetchedAt ?? clock.now();
    return respondJson(c, JSON.stringify({ fetchedAt, data }), fetchedAt, clock.now(), timing);
  });

  return app;
}
