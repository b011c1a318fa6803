import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PaperExchange, paperCcxtConfig, pointCcxtAt, startPaperExchange } from './index.ts';

/**
 * Conformance: ccxt's own, unmodified `bybit` class against the paper exchange. Each call the exchange
 * layer makes must come back as ccxt's unified structures, and each failure as ccxt's error class.
 */

type Bybit = InstanceType<typeof ccxt.bybit>;

function client(ex: PaperExchange, i = 0, extra: Record<string, unknown> = {}): Bybit {
  const creds = ex.accounts[i] as { apiKey: string; secret: string };
  const c = new ccxt.bybit({ ...paperCcxtConfig(creds), enableRateLimit: false, ...extra });
  pointCcxtAt(c, ex.url);
  return c;
}

describe('ccxt bybit against the paper exchange', () => {
  let ex: PaperExchange;
  let main: Bybit;

  beforeAll(async () => {
    ex = await startPaperExchange({
      positionsPerAccount: 400,
      symbols: 450,
      accounts: ['main', 'mirror1'],
      seed: 7,
      volatilityPerMinute: 0,
    });
    main = client(ex);
    await main.loadMarkets();
  });
  afterAll(async () => {
    await ex.close();
  });

  it('loads linear markets with precision and limits', () => {
    const btc = main.market('BTC/USDT:USDT');
    expect(btc.id).toBe('BTCUSDT');
    expect(btc.swap && btc.linear).toBe(true);
    expect(btc.precision.price).toBeGreaterThan(0);
    expect(btc.limits.amount?.min).toBeGreaterThan(0);
    expect(main.symbols.length).toBe(450);
  });

  it('an unmodified bybit class also works (unified detection and currencies calls answered)', async () => {
    const creds = ex.accounts[0] as { apiKey: string; secret: string };
    const plain = new ccxt.bybit({ apiKey: creds.apiKey, secret: creds.secret, enableRateLimit: false });
    pointCcxtAt(plain, ex.url);
    plain.options.fetchMarkets = { types: ['linear'] };
    const bal = await plain.fetchBalance();
    expect(bal.USDT?.total).toBeGreaterThan(0);
  });

  it('fetchTickers returns every linear ticker in one call', async () => {
    const before = ex.control.getStats().byEndpoint['/v5/market/tickers'] ?? 0;
    const t = await main.fetchTickers();
    expect(Object.keys(t).length).toBe(450);
    expect(t['BTC/USDT:USDT']?.markPrice).toBeGreaterThan(0);
    expect(ex.control.getStats().byEndpoint['/v5/market/tickers']).toBe(before + 1);
  });

  it('reads 400 positions across pages of 200 with the cursor', async () => {
    const first = await main.fetchPositions();
    expect(first).toHaveLength(200);
    // ccxt hangs the page cursor on the first entry's info.
    const cursor = first[0]?.info.nextPageCursor;
    expect(typeof cursor).toBe('string');
    const second = await main.fetchPositions(undefined, { cursor });
    expect(second).toHaveLength(200);
    const symbols = new Set([...first, ...second].map((p) => p.symbol));
    expect(symbols.size).toBe(400);
    const p = first[0];
    expect(p?.side === 'long' || p?.side === 'short').toBe(true);
    expect(p?.contracts).toBeGreaterThan(0);
    expect(p?.markPrice).toBeGreaterThan(0);
    expect(p?.liquidationPrice).toBeGreaterThan(0);
    expect(p?.lastUpdateTimestamp).toBeGreaterThan(0);
    expect([...first, ...second].filter((x) => x.takeProfitPrice !== undefined).length).toBeGreaterThan(350);
    const all = await main.fetchPositions(undefined, { paginate: true });
    expect(all).toHaveLength(400);
  });

  it('seeds every tier: near TP/SL within 1% and 3%, recent and stale activity', async () => {
    const all = await main.fetchPositions(undefined, { paginate: true });
    const now = ex.control.now();
    const dist = (p: (typeof all)[number]) =>
      Math.min(
        ...[p.takeProfitPrice, p.stopLossPrice]
          .filter((x): x is number => x !== undefined)
          .map((x) => Math.abs(x - (p.markPrice as number)) / (p.markPrice as number)),
      );
    // A trader's spread: about 1 % within 1 % of a level, about 4 % within 3 % (of 400).
    const near1 = all.filter((p) => dist(p) < 0.01).length;
    const near3 = all.filter((p) => dist(p) >= 0.01 && dist(p) < 0.03).length;
    expect(near1).toBeGreaterThanOrEqual(2);
    expect(near1).toBeLessThanOrEqual(8);
    expect(near3).toBeGreaterThanOrEqual(10);
    expect(near3).toBeLessThanOrEqual(25);
    const age = (p: (typeof all)[number]) => now - (p.lastUpdateTimestamp as number);
    expect(all.filter((p) => age(p) < 5 * 60_000).length).toBeGreaterThan(10);
    expect(all.filter((p) => age(p) > 10 * 60_000 && age(p) < 30 * 60_000).length).toBeGreaterThan(10);
    expect(all.filter((p) => age(p) > 30 * 60_000).length).toBeGreaterThan(10);
    const orders = await main.fetchOpenOrders(undefined, undefined, undefined, { paginate: true });
    expect(orders.length).toBeGreaterThan(10);
  });

  it('fetchBalance reads the unified USDT wallet', async () => {
    const b = await main.fetchBalance();
    expect(b.USDT?.total).toBe(expect.any(Number) && b.USDT?.total);
    expect(b.USDT?.used).toBeGreaterThan(0);
    expect((b.USDT?.total as number) > (b.USDT?.used as number)).toBe(true);
  });

  it('fetchOpenOrders pages 50 at a time', async () => {
    const page = await main.fetchOpenOrders(undefined, undefined, 50);
    expect(page.length).toBeLessThanOrEqual(50);
    expect(page[0]?.status).toBe('open');
    expect(page[0]?.type).toBe('limit');
  });

  it('market order with TP/SL and clientOrderId: filled, position carries the levels, fill listed', async () => {
    const symbol = freeSymbol(main, await main.fetchPositions(undefined, { paginate: true }));
    const mark = ex.control.price(idOf(main, symbol));
    const amount =
      Number(main.amountToPrecision(symbol, 200 / mark)) || (main.market(symbol).limits.amount?.min as number);
    const tp = Number(main.priceToPrecision(symbol, mark * 1.05));
    const sl = Number(main.priceToPrecision(symbol, mark * 0.95));
    const o = await main.createOrder(symbol, 'market', 'buy', amount, undefined, {
      clientOrderId: 'conf-mkt-1',
      takeProfit: tp,
      stopLoss: sl,
    });
    expect(o.id).toBeTruthy();
    expect(o.clientOrderId).toBe('conf-mkt-1');
    const closed = await main.fetchClosedOrder('', symbol, { orderLinkId: 'conf-mkt-1' });
    expect(closed.status).toBe('closed');
    expect(closed.filled).toBeCloseTo(amount);
    const [pos] = await main.fetchPositions([symbol]);
    expect(pos?.takeProfitPrice).toBe(tp);
    expect(pos?.stopLossPrice).toBe(sl);
    const trades = await main.fetchMyTrades(symbol);
    expect(trades[0]?.order).toBe(o.id);
    expect(trades[0]?.amount).toBeCloseTo(amount);

    // TP/SL moved through /v5/position/trading-stop, then a reduce-only close.
    const tp2 = Number(main.priceToPrecision(symbol, mark * 1.08));
    await main.privatePostV5PositionTradingStop({
      category: 'linear',
      symbol: idOf(main, symbol),
      takeProfit: String(tp2),
      tpslMode: 'Full',
      positionIdx: 0,
    });
    const [moved] = await main.fetchPositions([symbol]);
    expect(moved?.takeProfitPrice).toBe(tp2);
    await main.createOrder(symbol, 'market', 'sell', amount, undefined, {
      reduceOnly: true,
      clientOrderId: 'conf-close-1',
    });
    expect(await main.fetchPositions([symbol])).toHaveLength(0);
  });

  it('limit order: open, found by clientOrderId, cancelled', async () => {
    const symbol = freeSymbol(main, await main.fetchPositions(undefined, { paginate: true }));
    const mark = ex.control.price(idOf(main, symbol));
    const price = Number(main.priceToPrecision(symbol, mark * 0.9));
    const amount = Number(main.amountToPrecision(symbol, 100 / price));
    const o = await main.createOrder(symbol, 'limit', 'buy', amount, price, { clientOrderId: 'conf-lmt-1' });
    const open = await main.fetchOpenOrder('', symbol, { orderLinkId: 'conf-lmt-1' });
    expect(open.id).toBe(o.id);
    expect(open.price).toBe(price);
    const byId = await main.fetchOrder(o.id as string, symbol, { acknowledged: true });
    expect(byId.status).toBe('open');
    await main.cancelOrder(o.id as string, symbol);
    const after = await main.fetchOrder(o.id as string, symbol, { acknowledged: true });
    expect(after.status).toBe('canceled');
    await expect(main.cancelOrder(o.id as string, symbol)).rejects.toBeInstanceOf(ccxt.OrderNotFound);
  });

  it('errors arrive as ccxt error classes', async () => {
    const symbol = freeSymbol(main, await main.fetchPositions(undefined, { paginate: true }));
    const mark = ex.control.price(idOf(main, symbol));
    const amount = Number(main.amountToPrecision(symbol, 100 / mark));
    await main.createOrder(symbol, 'limit', 'buy', amount, Number(main.priceToPrecision(symbol, mark * 0.8)), {
      clientOrderId: 'dup-1',
    });
    await expect(
      main.createOrder(symbol, 'limit', 'buy', amount, Number(main.priceToPrecision(symbol, mark * 0.8)), {
        clientOrderId: 'dup-1',
      }),
    ).rejects.toBeInstanceOf(ccxt.InvalidOrder);
    const huge = Number(main.amountToPrecision(symbol, 3e6 / mark)); // past 100k wallet x 10 leverage
    await expect(main.createOrder(symbol, 'market', 'buy', huge)).rejects.toBeInstanceOf(ccxt.InsufficientFunds);
    await expect(main.createOrder('NOPE/USDT:USDT', 'market', 'buy', 1)).rejects.toBeInstanceOf(ccxt.BadSymbol);
    // The server's own answer for a symbol it does not list (ccxt's local check bypassed).
    await expect(
      main.privatePostV5OrderCreate({
        category: 'linear',
        symbol: 'NOPEUSDT',
        side: 'Buy',
        orderType: 'Market',
        qty: '1',
      }),
    ).rejects.toBeInstanceOf(ccxt.BadSymbol);
    await expect(
      main.createOrder(symbol, 'market', 'sell', amount, undefined, { reduceOnly: true }),
    ).rejects.toBeInstanceOf(ccxt.InvalidOrder);
  });

  it('authentication: bad key, bad signature, stale timestamp', async () => {
    const badKey = client(ex, 0, { apiKey: 'NOPE', secret: 'x' });
    badKey.markets = main.markets;
    badKey.markets_by_id = main.markets_by_id;
    await expect(badKey.fetchPositions()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    const badSig = client(ex, 0, { secret: 'not-the-secret' });
    badSig.markets = main.markets;
    badSig.markets_by_id = main.markets_by_id;
    await expect(badSig.fetchPositions()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    const stale = client(ex);
    stale.markets = main.markets;
    stale.markets_by_id = main.markets_by_id;
    stale.nonce = () => Date.now() - 60_000;
    // Bybit answers 10002, which ccxt maps to InvalidNonce (as it would against the real exchange).
    await expect(stale.fetchPositions()).rejects.toBeInstanceOf(ccxt.InvalidNonce);
    expect(ex.control.getStats().authFailures).toBeGreaterThanOrEqual(3);
  });

  it('per-account limit: past 50/s on position reads ccxt raises RateLimitExceeded; counts record it', async () => {
    ex.control.resetStats();
    const calls = Array.from({ length: 60 }, () =>
      main.fetchPositions(undefined, { limit: 1 }).then(
        () => 'ok',
        (e: unknown) => e,
      ),
    );
    const results = await Promise.all(calls);
    const limited = results.filter((r) => r instanceof ccxt.RateLimitExceeded);
    expect(limited.length).toBeGreaterThan(0);
    expect(results.filter((r) => r === 'ok').length).toBeLessThanOrEqual(50);
    const s = ex.control.getStats();
    expect(s.byAccountEndpoint.main?.['/v5/position/list']).toBe(60);
    expect(s.violations.account).toBe(limited.length);
    ex.control.resetStats();
  });
});

function freeSymbol(c: Bybit, positions: { symbol?: string | undefined }[]): string {
  const taken = new Set(positions.map((p) => p.symbol));
  const used = (globalThis as { __paperUsed?: Set<string> }).__paperUsed ?? new Set<string>();
  (globalThis as { __paperUsed?: Set<string> }).__paperUsed = used;
  const s = c.symbols.find((x) => !taken.has(x) && !used.has(x) && (c.market(x).limits.amount?.min ?? 0) * 1 > 0);
  if (!s) throw new Error('no free symbol');
  used.add(s);
  return s;
}

const idOf = (c: Bybit, symbol: string): string => c.market(symbol).id as string;

describe('ccxt error classes for limits and faults; TP seen through ccxt', () => {
  let ex: PaperExchange;
  let c: Bybit;
  beforeAll(async () => {
    ex = await startPaperExchange({
      positionsPerAccount: 3,
      volatilityPerMinute: 0,
      limits: { ip: { limit: 30, windowMs: 5000, banMs: 0 } },
    });
    c = client(ex);
    await c.loadMarkets();
  });
  afterAll(async () => {
    await ex.close();
  });

  it('per-IP overflow (HTTP 403) raises RateLimitExceeded', async () => {
    ex.control.resetStats();
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        c.fetchTickers().then(
          () => 'ok',
          (e: unknown) => e,
        ),
      ),
    );
    expect(results.filter((r) => r instanceof ccxt.RateLimitExceeded).length).toBe(10);
    expect(ex.control.getStats().violations.ip).toBe(10);
    ex.control.resetStats();
  });

  it('5xx and outage raise ExchangeNotAvailable; a 10006 storm raises RateLimitExceeded', async () => {
    ex.control.setFaults({ errorRate: 1 });
    await expect(c.fetchBalance()).rejects.toBeInstanceOf(ccxt.ExchangeNotAvailable);
    ex.control.setFaults({ errorRate: 0 });
    ex.control.startOutage(60_000);
    await expect(c.fetchPositions()).rejects.toBeInstanceOf(ccxt.ExchangeNotAvailable);
    ex.control.setFaults({ outage: null, rateLimitStormRate: 1 });
    await expect(c.fetchPositions()).rejects.toBeInstanceOf(ccxt.RateLimitExceeded);
    ex.control.setFaults({ rateLimitStormRate: 0 });
    expect((await c.fetchPositions()).length).toBe(3);
  });

  it('a TP hit closes the position; ccxt sees it gone and the closing fill in fetchMyTrades', async () => {
    const [pos] = await c.fetchPositions();
    const id = idOf(c, pos?.symbol as string);
    const tp =
      pos?.takeProfitPrice ??
      (pos?.side === 'long' ? (pos.markPrice as number) * 1.1 : (pos?.markPrice as number) * 0.9);
    if (pos?.takeProfitPrice === undefined) {
      await c.privatePostV5PositionTradingStop({
        category: 'linear',
        symbol: id,
        takeProfit: c.priceToPrecision(pos?.symbol as string, tp),
        positionIdx: 0,
      });
    }
    ex.control.setPrice(id, pos?.side === 'long' ? tp * 1.001 : tp * 0.999);
    expect((await c.fetchPositions()).map((p) => p.symbol)).not.toContain(pos?.symbol);
    // ccxt sorts trades oldest first: the close is the last one.
    const fill = (await c.fetchMyTrades(pos?.symbol)).at(-1);
    expect(fill?.side).toBe(pos?.side === 'long' ? 'sell' : 'buy');
    expect(fill?.info.stopOrderType).toBe('TakeProfit');
    expect(fill?.amount).toBe(pos?.contracts);
  });
});
