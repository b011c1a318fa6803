import type { Exchange } from 'ccxt';
import { describe, expect, it } from 'vitest';

/**
 * The stream half of the conformance suite: ccxt pro's own bybit class, unmodified, against an exchange's
 * Bybit v5 WebSocket (the paper exchange in CI, Bybit testnet opt-in). Steps that need the market moved on
 * command (a TP trigger, a limit filled, a conditional order fired) take `market`, which only the paper
 * exchange offers; elsewhere those steps are skipped.
 */

// biome-ignore lint/suspicious/noExplicitAny: ccxt pro's watch* results and implicit API methods are untyped
type Loose = Record<string, any>;
type Pro = Exchange & Loose;

export interface StreamConformanceContext {
  /** A fresh ccxt pro bybit client on the account (markets loaded, ws URLs set, proxy agent loaded). */
  client(): Promise<Pro>;
  /** The same account's key with a wrong secret. */
  badClient(): Promise<Pro>;
  /** Symbols to watch tickers of (the paper exchange gives 400). */
  tickerSymbols: string[];
  /** A unified symbol to trade small sizes on, holding no position and no open orders at the start. */
  symbol: string;
  market?: {
    /** Sets the mark and lets the exchange act on it (triggers, fills). */
    setPrice(symbol: string, price: number): void;
  };
}

const idOf = (c: Pro, symbol: string): string => c.marketId(symbol) as string;

const eventually = async <T>(what: string, f: () => Promise<T | undefined>, tries = 50): Promise<T> => {
  for (let i = 0; i < tries; i++) {
    const v = await f();
    if (v !== undefined) return v;
  }
  throw new Error(`conformance: ${what} not seen after ${tries} updates`);
};

/**
 * ccxt pro does not expose the subscribe ack, so a step that acts right after starting a watch gives the
 * subscribe message time to arrive first (on a live exchange a push is never replayed).
 */
const subscribed = () => new Promise((r) => setTimeout(r, 250));

export function describeStreamConformance(name: string, getContext: () => StreamConformanceContext): void {
  describe(`stream conformance: ${name}`, () => {
    const ctx = () => getContext();
    const uid = () => `tws${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const minQty = (c: Pro, symbol: string, price: number) => {
      const m = c.market(symbol);
      const step = m.precision.amount as number;
      const min = Math.max(m.limits.amount?.min ?? step, (6 / price) | 0);
      return Number(c.amountToPrecision(symbol, Math.max(min, Math.ceil(6 / price / step) * step)));
    };

    it("watchTickers for every symbol gives the REST tickers' prices", async () => {
      const c = await ctx().client();
      try {
        const symbols = ctx().tickerSymbols;
        await c.watchTickers(symbols);
        await eventually(
          'every ticker snapshot',
          async () => {
            if (symbols.every((s) => c.tickers[s] !== undefined)) return true;
            await c.watchTickers(symbols);
            return undefined;
          },
          symbols.length + 5,
        );
        const rest = await c.fetchTickers(symbols);
        let same = 0;
        for (const s of symbols) if (c.tickers[s]?.markPrice === rest[s]?.markPrice) same++;
        // A live market may tick between the two reads; the paper exchange in CI holds still.
        expect(same / symbols.length).toBeGreaterThan(ctx().market ? 0.999 : 0.5);
      } finally {
        await c.close();
      }
    });

    it('a wrong secret on auth is an AuthenticationError', async () => {
      const c = await ctx().badClient();
      try {
        const err = await c.watchBalance().catch((e: unknown) => e);
        expect((err as Error).constructor.name).toBe('AuthenticationError');
      } finally {
        await c.close();
      }
    });

    it('watchPositions sees a fill, a TP/SL change, a TP trigger and a close', async () => {
      const c = await ctx().client();
      const s = ctx().symbol;
      try {
        await c.watchPositions([s]);
        const [t] = Object.values(await c.fetchTickers([s]));
        const mark = t!.markPrice as number;
        const qty = minQty(c, s, mark);
        const next = () => c.watchPositions([s]).then((ps: Loose[]) => ps.find((p) => p.symbol === s) as Loose);
        const opened = c.watchPositions([s]);
        await subscribed();
        await c.createOrder(s, 'market', 'buy', qty);
        const afterFill = ((await opened) as Loose[]).find((p) => p.symbol === s) as Loose;
        expect(afterFill.contracts).toBeGreaterThanOrEqual(qty);
        const tp = Number(c.priceToPrecision(s, mark * 1.2));
        const changed = next();
        await c.privatePostV5PositionTradingStop({
          category: 'linear',
          symbol: idOf(c, s),
          takeProfit: String(tp),
          positionIdx: 0,
          tpslMode: 'Full',
        });
        expect((await changed).takeProfitPrice).toBe(tp);
        if (ctx().market) {
          const closed = next();
          ctx().market!.setPrice(idOf(c, s), tp * 1.01);
          const p = await closed;
          expect(p.contracts ?? 0).toBe(0);
        } else {
          const closed = next();
          await c.createOrder(s, 'market', 'sell', afterFill.contracts, undefined, { reduceOnly: true });
          expect((await closed).contracts ?? 0).toBe(0);
        }
        // And a close by hand of a new position.
        ctx().market?.setPrice(idOf(c, s), mark);
        const again = next();
        await c.createOrder(s, 'market', 'buy', qty);
        expect((await again).contracts).toBe(qty);
        const gone = next();
        await c.createOrder(s, 'market', 'sell', qty, undefined, { reduceOnly: true });
        expect((await gone).contracts ?? 0).toBe(0);
      } finally {
        await c.close();
      }
    });

    it('watchOrders and watchMyTrades follow one order: resting, then filled (paper) or cancelled', async () => {
      const c = await ctx().client();
      const s = ctx().symbol;
      try {
        const [t] = Object.values(await c.fetchTickers([s]));
        const mark = t!.markPrice as number;
        const price = Number(c.priceToPrecision(s, mark * 0.9));
        const qty = minQty(c, s, price);
        const clientOrderId = uid();
        const resting = c.watchOrders(s);
        const trades = c.watchMyTrades(s);
        await subscribed();
        const placed = await c.createOrder(s, 'limit', 'buy', qty, price, { clientOrderId });
        const first = ((await resting) as Loose[]).find((o) => o.id === placed.id) as Loose;
        expect(first).toMatchObject({ status: 'open', clientOrderId, price });
        if (ctx().market) {
          const filled = c.watchOrders(s);
          ctx().market!.setPrice(idOf(c, s), price * 0.999);
          const done = await eventually('the fill', async () =>
            ((await filled) as Loose[]).find((o) => o.id === placed.id && o.status === 'closed'),
          );
          expect(done.filled).toBe(qty);
          const mine = ((await trades) as Loose[]).filter((x) => x.order === placed.id);
          expect(mine.reduce((n, x) => n + x.amount, 0)).toBe(qty);
          expect(mine[0]?.price).toBe(price);
          await c.createOrder(s, 'market', 'sell', qty, undefined, { reduceOnly: true });
          ctx().market!.setPrice(idOf(c, s), mark);
        } else {
          const cancelled = c.watchOrders(s);
          await c.cancelOrder(placed.id as string, s);
          const o = ((await cancelled) as Loose[]).find((x) => x.id === placed.id) as Loose;
          expect(o.status).toBe('canceled');
        }
      } finally {
        await c.close();
      }
    });

    it('a conditional order rests (Untriggered, open) and then triggers when the price crosses (paper) or is cancelled', async () => {
      const c = await ctx().client();
      const s = ctx().symbol;
      try {
        const [t] = Object.values(await c.fetchTickers([s]));
        const mark = t!.markPrice as number;
        const trigger = Number(c.priceToPrecision(s, mark * 1.3));
        const qty = minQty(c, s, trigger);
        const resting = c.watchOrders(s);
        await subscribed();
        const placed = await c.createOrder(s, 'market', 'buy', qty, undefined, {
          triggerPrice: trigger,
          triggerDirection: 'ascending',
        });
        const first = ((await resting) as Loose[]).find((o) => o.id === placed.id) as Loose;
        expect(first).toMatchObject({ status: 'open', triggerPrice: trigger });
        expect(first.info.orderStatus).toBe('Untriggered');
        expect(first.filled ?? 0).toBe(0);
        if (ctx().market) {
          const fired = c.watchOrders(s);
          ctx().market!.setPrice(idOf(c, s), trigger * 1.001);
          const done = await eventually('the trigger', async () =>
            ((await fired) as Loose[]).find((o) => o.id === placed.id && o.status === 'closed'),
          );
          expect(done.filled).toBe(qty);
          await c.createOrder(s, 'market', 'sell', qty, undefined, { reduceOnly: true });
          ctx().market!.setPrice(idOf(c, s), mark);
        } else {
          await c.cancelOrder(placed.id as string, s, { trigger: true });
        }
      } finally {
        await c.close();
      }
    });

    it('createOrderWs places an order (and cancelOrderWs takes it back)', async () => {
      const c = await ctx().client();
      const s = ctx().symbol;
      try {
        const [t] = Object.values(await c.fetchTickers([s]));
        const price = Number(c.priceToPrecision(s, (t!.markPrice as number) * 0.8));
        const placed = await c.createOrderWs(s, 'limit', 'buy', minQty(c, s, price), price);
        expect(placed.id).toBeTruthy();
        const open = await c.fetchOpenOrders(s);
        expect(open.find((o) => o.id === placed.id)).toBeDefined();
        await c.cancelOrderWs(placed.id as string, s);
        const after = await c.fetchOpenOrders(s);
        expect(after.find((o) => o.id === placed.id)).toBeUndefined();
      } finally {
        await c.close();
      }
    });
  });
}
