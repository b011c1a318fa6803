import { type AccountFreshness, PositionsResponse, type TieredPosition } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { FakeExchange, paperAccount } from '../../../test-support/fake-exchange.ts';
import { classify, position } from '../../../test-support/http.ts';
import { CacheConfig } from '../../cache/config.ts';
import { ResourceCache } from '../../cache/index.ts';
import { ManualClock } from '../../core/clock.ts';
import { silentLogger } from '../../core/logger.ts';
import type { PositionsBook } from './book-positions.ts';
import { tradingRoutes } from './routes.ts';

/** A book as the read model serves it: tiered positions at the freshest mark, and each account's freshness. */
function fakeBook() {
  const positions = new Map<string, TieredPosition[]>([
    ['main', [{ ...classify(position('main', 'BTCUSDT')), markPrice: 104, tier: 'CRITICAL' }]],
    ['mirror1', [classify(position('mirror1', 'BTCUSDT'))]],
  ]);
  const freshness = new Map<string, AccountFreshness>([
    ['main', { account: 'main', status: 'live', dataAt: 5_000, problem: null }],
    ['mirror1', { account: 'mirror1', status: 'stale', dataAt: 2_000, problem: 'cannot reach the exchange' }],
  ]);
  const refreshed: string[] = [];
  const events = { count: 0 };
  const book: PositionsBook = {
    positions: (a) => positions.get(a) ?? [],
    freshness: () => [...freshness.values()],
    refresh: (a) => refreshed.push(a),
    changes: () => events.count,
  };
  return { book, positions, freshness, refreshed, events };
}

function setup() {
  const clock = new ManualClock(10_000);
  const exchange = new FakeExchange({ clock });
  const clients = ['main', 'mirror1'].map((n) => {
    const client = exchange.client(paperAccount(n));
    client.positions = [position(n, 'BTCUSDT'), position(n, 'ETHUSDT')];
    return client;
  });
  const b = fakeBook();
  const app = tradingRoutes({
    clients,
    market: exchange.market(),
    cache: new ResourceCache(CacheConfig.parse({}), clock),
    classify,
    book: b.book,
    clock,
    logger: silentLogger,
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests read bodies loosely
  const get = async (path: string) => (await (await app.request(path)).json()) as any;
  return { clock, clients, app, get, ...b };
}

describe('GET /positions from the read model’s book (what the WebSocket serves)', () => {
  it('serves the book’s positions and marks with no exchange call; per-account fetchedAt and error from freshness', async () => {
    const { get, clients } = setup();
    const body = await get('/positions');
    expect(() => PositionsResponse.parse(body)).not.toThrow();
    expect(body.data.map((p: TieredPosition) => [p.account, p.markPrice, p.tier])).toEqual([
      ['main', 104, 'CRITICAL'],
      ['mirror1', classify(position('mirror1', 'BTCUSDT')).markPrice, 'STABLE'],
    ]);
    expect(body.accounts).toEqual([
      { account: 'main', fetchedAt: 5_000, cached: true, error: null },
      {
        account: 'mirror1',
        fetchedAt: 2_000,
        cached: true,
        error: { code: 'EXCHANGE_UNAVAILABLE', message: 'cannot reach the exchange' },
      },
    ]);
    expect(body.fetchedAt).toBe(2_000);
    expect(clients.map((c) => c.calls.positions)).toEqual([0, 0]);
  });

  it('holds the book for a moment (ready bytes), then serves what it says now', async () => {
    const { get, clock, positions } = setup();
    await get('/positions?account_name=main');
    positions.set('main', [{ ...classify(position('main', 'BTCUSDT')), markPrice: 99 }]);
    expect((await get('/positions?account_name=main')).data[0].markPrice).toBe(104);
    await clock.advance(100);
    expect((await get('/positions?account_name=main')).data[0].markPrice).toBe(99);
  });

  it('never holds a read from before a change of the book (an event the WebSocket already pushed)', async () => {
    const { get, positions, events } = setup();
    await get('/positions?account_name=main');
    const opened = classify(position('main', 'ETHUSDT'));
    positions.set('main', [...(positions.get('main') ?? []), opened]);
    events.count++; // the position's tier-changed went out on the bus
    const symbols = (await get('/positions?account_name=main')).data.map((p: TieredPosition) => p.symbol);
    expect(symbols).toEqual(['BTCUSDT', 'ETHUSDT']);
  });

  it('use_cache=false reads the exchange and has the book read those accounts too', async () => {
    const { get, clients, refreshed } = setup();
    const body = await get('/positions?use_cache=false');
    expect(clients.map((c) => c.calls.positions)).toEqual([1, 1]);
    expect(body.accounts.every((a: { cached: boolean }) => !a.cached)).toBe(true);
    expect(refreshed).toEqual(['main', 'mirror1']);
  });

  it('before the book has any data, reads through the cache as before', async () => {
    const { get, clients, freshness } = setup();
    for (const a of ['main', 'mirror1']) freshness.set(a, { account: a, status: 'down', dataAt: null, problem: null });
    const body = await get('/positions');
    expect(body.data).toHaveLength(4);
    expect(clients.map((c) => c.calls.positions)).toEqual([1, 1]);
  });

  it('the batch snapshot’s positions are the book’s too', async () => {
    const { get } = setup();
    const body = await get('/batch/snapshot');
    expect(body.positions.map((p: TieredPosition) => p.markPrice)).toEqual([
      104,
      classify(position('mirror1', 'BTCUSDT')).markPrice,
    ]);
    expect(body.fetches.positions[1].error.message).toBe('cannot reach the exchange');
  });
});
