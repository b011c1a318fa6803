import type { Position } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { ExchangeCallError } from '../src/exchange/errors.ts';
import type { ExchangeLayer } from '../src/exchange/index.ts';

/**
 * The one suite every exchange adapter passes: against the paper exchange in CI, against Bybit testnet
 * when keys are given (conformance.live.test.ts). Tests that need to provoke faults take `faults`, which
 * only the paper exchange offers; they are skipped elsewhere.
 */
export interface ConformanceContext {
  layer: ExchangeLayer;
  /** An account with money and positions. */
  account: string;
  /** A layer whose only account has wrong credentials. */
  badCredentials: () => Promise<ExchangeLayer>;
  /** At least this many positions are open on `account` (the paper exchange seeds 400 to cross pages). */
  minPositions: number;
  /** A liquid symbol to place small orders on. */
  symbol: string;
  faults?: {
    /** The exchange answers every private request with 10006 for the next `ms`. */
    rateLimitStorm(ms: number): void;
    /** The exchange is down (HTTP 503) for the next `ms`. */
    outage(ms: number): void;
    clear(): void;
  };
}

const lane = { lane: 'api' as const };

export function describeExchangeConformance(name: string, getContext: () => ConformanceContext): void {
  describe(`exchange adapter conformance: ${name}`, () => {
    const ctx = () => getContext();
    const client = () => ctx().layer.accounts.get(ctx().account)!;
    const uid = () => `tw${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

    it('loads instruments with tick size, qty step and minimum', () => {
      const inst = ctx().layer.market.instrument(ctx().symbol);
      expect(inst).toBeDefined();
      expect(inst!.tickSize).toBeGreaterThan(0);
      expect(inst!.qtyStep).toBeGreaterThan(0);
      expect(inst!.minQty).toBeGreaterThan(0);
    });

    it('reads every ticker in one call and filters locally', async () => {
      const before = ctx().layer.counter.totals.calls;
      const all = await ctx().layer.market.fetchTickers(null, lane);
      const some = await ctx().layer.market.fetchTickers([ctx().symbol], lane);
      expect(all.length).toBeGreaterThan(1);
      expect(some).toHaveLength(1);
      expect(some[0]!.markPrice).toBeGreaterThan(0);
      expect(ctx().layer.counter.totals.calls - before).toBe(2);
    });

    it('reads every position across pages of 200, normalised with explicit nulls', async () => {
      const before = ctx().layer.counter.totals.calls;
      const positions: Position[] = await client().fetchPositions(lane);
      expect(positions.length).toBeGreaterThanOrEqual(ctx().minPositions);
      const pages = ctx().layer.counter.totals.calls - before;
      // One call per page of 200 (plus at most one empty page when the last one was exactly full).
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(positions.length / 200));
      expect(pages).toBeLessThanOrEqual(Math.ceil(positions.length / 200) + 1);
      const keys = new Set(positions.map((p) => `${p.symbol}:${p.side}`));
      expect(keys.size).toBe(positions.length);
      for (const p of positions.slice(0, 20)) {
        expect(p.account).toBe(ctx().account);
        expect(p.takeProfit === null || p.takeProfit > 0).toBe(true);
        expect(p.stopLoss === null || p.stopLoss > 0).toBe(true);
      }
    });

    it('reads balances and open orders', async () => {
      const balances = await client().fetchBalances(lane);
      expect(balances.find((b) => b.currency === 'USDT')!.total).toBeGreaterThan(0);
      const orders = await client().fetchOpenOrders(lane);
      for (const o of orders) expect(o.account).toBe(ctx().account);
    });

    it('places an order with TP/SL attached, finds it by client id, and refuses the same client id again', async () => {
      const inst = ctx().layer.market.instrument(ctx().symbol)!;
      const [ticker] = await ctx().layer.market.fetchTickers([ctx().symbol], lane);
      const mark = ticker!.markPrice;
      const clientOrderId = uid();
      const price = Math.round((mark * 0.5) / inst.tickSize) * inst.tickSize;
      // The smallest order the exchange takes: at least the minimum quantity and the minimum order value.
      const qty = Math.max(inst.minQty, Math.ceil((inst.minNotional * 1.5) / price / inst.qtyStep) * inst.qtyStep);
      const req = {
        symbol: ctx().symbol,
        side: 'long' as const,
        type: 'limit' as const,
        qty,
        price,
        takeProfit: Math.round((mark * 1.5) / inst.tickSize) * inst.tickSize,
        stopLoss: Math.round((mark * 0.4) / inst.tickSize) * inst.tickSize,
        reduceOnly: false,
        clientOrderId,
      };
      const placed = await client().placeOrder(req, { lane: 'execution' });
      expect(placed.orderId).toBeTruthy();
      const found = await client().findOrder(clientOrderId, ctx().symbol, { lane: 'execution' });
      expect(found).toMatchObject({ orderId: placed.orderId, clientOrderId, status: 'open' });
      const open = await client().fetchOpenOrders(lane);
      expect(open.find((o) => o.clientOrderId === clientOrderId)).toMatchObject({
        takeProfit: req.takeProfit,
        stopLoss: req.stopLoss,
      });
      const again = await client()
        .placeOrder(req, { lane: 'execution' })
        .catch((e: unknown) => e);
      expect(again).toBeInstanceOf(ExchangeCallError);
      expect((again as ExchangeCallError).action).toBe('reject');
      await client().cancelOrder(placed.orderId, ctx().symbol, { lane: 'execution' });
      expect(await client().findOrder(clientOrderId, ctx().symbol, lane)).toMatchObject({ status: 'cancelled' });
    });

    it('finds nothing for a client id the exchange never saw', async () => {
      expect(await client().findOrder(uid(), ctx().symbol, lane)).toBeNull();
    });

    it('sets TP/SL on an open position', async () => {
      const p = (await client().fetchPositions(lane)).find((x) => x.stopLoss !== null && x.takeProfit !== null)!;
      const sl = p.side === 'long' ? p.markPrice * 0.5 : p.markPrice * 1.5;
      const inst = ctx().layer.market.instrument(p.symbol)!;
      const rounded = Math.round(sl / inst.tickSize) * inst.tickSize;
      await client().setTradingStop(p.symbol, p.side, { stopLoss: rounded }, { lane: 'critical' });
      const after = (await client().fetchPositions(lane)).find((x) => x.symbol === p.symbol)!;
      expect(after.stopLoss).toBeCloseTo(rounded, 6);
      expect(after.takeProfit).toBe(p.takeProfit);
    });

    it.each([
      ['quantity below the minimum', 'INVALID_ORDER', (min: number) => min / 10],
      ['more than the balance can margin', 'INSUFFICIENT_BALANCE', (min: number) => min * 1e7],
    ])('rejects an order with %s as %s', async (_name, code, qty) => {
      const inst = ctx().layer.market.instrument(ctx().symbol)!;
      const err = await client()
        .placeOrder(
          {
            symbol: ctx().symbol,
            side: 'long',
            type: 'market',
            qty: qty(inst.minQty),
            price: null,
            takeProfit: null,
            stopLoss: null,
            reduceOnly: false,
            clientOrderId: uid(),
          },
          { lane: 'execution' },
        )
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ExchangeCallError);
      expect(err).toMatchObject({ action: 'reject', code });
    });

    it('rejects an unknown symbol without calling the exchange for it', async () => {
      const err = await client()
        .cancelOrder('1', 'NOSUCHUSDT', lane)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ExchangeCallError);
      expect((err as ExchangeCallError).action).toBe('reject');
    });

    it('stops an account whose credentials are refused (reauth), without retrying', async () => {
      const bad = await ctx().badCredentials();
      const [name, acct] = [...bad.accounts.entries()][0]!;
      const err = await acct.fetchPositions(lane).catch((e: unknown) => e);
      expect(err).toMatchObject({ action: 'reauth', code: 'EXCHANGE_ERROR' });
      expect(bad.counter.totals.calls).toBe(1);
      expect(bad.stoppedAccounts()).toEqual([name]);
    });

    it('backs off on rate-limit answers and retries after the reset', async () => {
      const f = ctx().faults;
      if (!f) return;
      f.rateLimitStorm(300);
      const t0 = performance.now();
      const positions = await client().fetchPositions(lane);
      expect(positions.length).toBeGreaterThan(0);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(200);
      f.clear();
    });

    it('names a rate limit that outlasts the retries as RATE_LIMITED (backoff)', async () => {
      const f = ctx().faults;
      if (!f) return;
      f.rateLimitStorm(60_000);
      const err = await client()
        .fetchBalances(lane)
        .catch((e: unknown) => e);
      f.clear();
      expect(err).toMatchObject({ action: 'backoff', code: 'RATE_LIMITED' });
    });

    it('names an outage that outlasts the retries as EXCHANGE_UNAVAILABLE (retry)', async () => {
      const f = ctx().faults;
      if (!f) return;
      f.outage(60_000);
      const err = await ctx()
        .layer.market.fetchTickers(null, lane)
        .catch((e: unknown) => e);
      f.clear();
      expect(err).toMatchObject({ action: 'retry', code: 'EXCHANGE_UNAVAILABLE' });
    });
  });
}
