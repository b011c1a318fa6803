import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.ts';
import { PaperOptions, type PaperOptionsInput } from '../options.ts';
import { PaperEngine } from './engine.ts';
import type { PlaceRequest } from './orders.ts';
import { BybitError } from './types.ts';

function engine(over: PaperOptionsInput = {}) {
  const clock = new ManualClock();
  const e = new PaperEngine(
    PaperOptions.parse({ positionsPerAccount: 0, volatilityPerMinute: 0, clock, ...over }),
    clock,
  );
  return { e, clock, acc: e.accounts[0] as NonNullable<(typeof e.accounts)[0]> };
}

const req = (over: Partial<PlaceRequest>): PlaceRequest => ({
  symbol: 'ETHUSDT',
  side: 'Buy',
  orderType: 'Market',
  qty: 1,
  price: null,
  orderLinkId: '',
  reduceOnly: false,
  takeProfit: null,
  stopLoss: null,
  timeInForce: 'GTC',
  ...over,
});

describe('PaperEngine on injected time', () => {
  it('takes profit on a long when the mark reaches TP, recording the fill and the realised PnL', () => {
    const { e, acc } = engine();
    e.setPrice('ETHUSDT', 3000);
    e.placeOrder(acc, req({ takeProfit: 3100, stopLoss: 2900 }));
    const wallet = acc.wallet;
    e.setPrice('ETHUSDT', 3099);
    expect(acc.positions.get('ETHUSDT')).toBeDefined();
    e.setPrice('ETHUSDT', 3100);
    expect(acc.positions.get('ETHUSDT')).toBeUndefined();
    const fill = acc.executions.at(-1);
    expect(fill?.stopOrderType).toBe('TakeProfit');
    expect(fill?.side).toBe('Sell');
    expect(fill?.closedSize).toBe(1);
    expect(acc.wallet).toBeGreaterThan(wallet + 90);
    expect(acc.history.at(-1)?.createType).toBe('CreateByTakeProfit');
  });

  it('stops out a short when the mark rises to SL', () => {
    const { e, acc } = engine();
    e.setPrice('ETHUSDT', 3000);
    e.placeOrder(acc, req({ side: 'Sell', takeProfit: 2800, stopLoss: 3050 }));
    e.setPrice('ETHUSDT', 3060);
    expect(acc.positions.size).toBe(0);
    expect(acc.executions.at(-1)?.stopOrderType).toBe('StopLoss');
  });

  it('fills a resting limit order when the walk crosses it, at the limit price, as maker', async () => {
    const { e, clock, acc } = engine({ volatilityPerMinute: 0.05, seed: 3 });
    const start = e.mark('BTCUSDT');
    const o = e.placeOrder(
      acc,
      req({ symbol: 'BTCUSDT', orderType: 'Limit', qty: 0.01, price: Math.round(start * 0.995) }),
    );
    expect(acc.open.has(o.orderId)).toBe(true);
    for (let i = 0; i < 120 && acc.open.has(o.orderId); i++) {
      await clock.advance(60_000);
      e.sync();
    }
    expect(o.orderStatus).toBe('Filled');
    const fill = acc.executions.at(-1);
    expect(fill?.execPrice).toBe(o.price);
    expect(fill?.isMaker).toBe(true);
    expect(fill?.execTime).toBeLessThanOrEqual(clock.now());
    expect(acc.positions.get('BTCUSDT')?.size).toBe(0.01);
  });

  it('step() moves simulated time on any clock and triggers along the way', () => {
    const { e, acc } = engine({ volatilityPerMinute: 0.02, seed: 5 });
    const mark = e.mark('SOLUSDT');
    e.placeOrder(
      acc,
      req({
        symbol: 'SOLUSDT',
        qty: 1,
        takeProfit: Math.round(mark * 1.003 * 100) / 100,
        stopLoss: Math.round(mark * 0.997 * 100) / 100,
      }),
    );
    const t0 = e.now();
    e.step(3_600_000);
    expect(e.now()).toBe(t0 + 3_600_000);
    expect(acc.positions.has('SOLUSDT')).toBe(false);
    const fill = acc.executions.at(-1);
    expect(fill?.execTime).toBeGreaterThan(t0);
    expect(fill?.execTime).toBeLessThan(t0 + 3_600_000);
  });

  it('the same seed and steps give the same market', async () => {
    const a = engine({ volatilityPerMinute: 0.01, seed: 9 });
    const b = engine({ volatilityPerMinute: 0.01, seed: 9 });
    await a.clock.advance(600_000);
    a.e.sync();
    for (let i = 0; i < 10; i++) {
      await b.clock.advance(60_000);
      b.e.sync();
    }
    expect(a.e.mark('BTCUSDT')).toBe(b.e.mark('BTCUSDT'));
    expect(a.e.mark('BTCUSDT')).not.toBe(65000);
  });

  it('validates orders with Bybit codes', () => {
    const { e, acc } = engine();
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as BybitError).retCode;
      }
      return 0;
    };
    e.setPrice('ETHUSDT', 3000);
    expect(code(() => e.placeOrder(acc, req({ orderLinkId: 'x1', qty: 0.01 })))).toBe(0);
    expect(code(() => e.placeOrder(acc, req({ orderLinkId: 'x1', qty: 0.01 })))).toBe(110072);
    expect(code(() => e.placeOrder(acc, req({ qty: 0.0101 })))).toBe(10001);
    expect(code(() => e.placeOrder(acc, req({ qty: 1000 })))).toBe(110007);
    expect(code(() => e.placeOrder(acc, req({ side: 'Sell', qty: 0.5, reduceOnly: true })))).toBe(0);
    expect(code(() => e.placeOrder(acc, req({ side: 'Sell', qty: 0.5, reduceOnly: true })))).toBe(110017);
    expect(code(() => e.placeOrder(acc, req({ takeProfit: 2900 })))).toBe(10001);
    expect(code(() => e.placeOrder(acc, req({ symbol: 'NOPEUSDT' })))).toBe(10001);
    expect(code(() => e.placeOrder(acc, req({ orderType: 'Limit', price: null })))).toBe(10001);
    expect(code(() => e.setTradingStop(acc, 'BTCUSDT', { takeProfit: 1 }))).toBe(10001);
    expect(code(() => e.cancelOrder(acc, 'ETHUSDT', { orderId: 'nope' }))).toBe(110001);
    expect(new BybitError(1, 'x')).toBeInstanceOf(Error);
  });

  it('seeds K positions per account over every tier; mirrors copy main at half size', () => {
    const { e } = engine({ positionsPerAccount: 100, accounts: ['main', 'mirror1'] });
    const [main, mirror] = e.accounts;
    expect(main?.positions.size).toBe(100);
    expect(mirror?.positions.size).toBe(100);
    const m = main?.positions.get([...(main?.positions.keys() ?? [])][0] as string);
    const c = mirror?.positions.get(m?.symbol as string);
    expect(c?.side).toBe(m?.side);
    expect(c?.takeProfit).toBe(m?.takeProfit);
    const now = e.now();
    const near = (pct: number) =>
      [...(main?.positions.values() ?? [])].filter((p) => {
        const mark = e.mark(p.symbol);
        return [p.takeProfit, p.stopLoss].some((l) => l !== null && Math.abs(l - mark) / mark < pct);
      }).length;
    // About 1 % within 1 % of a level and 4 % more within 3 % (engine/seed.ts).
    expect(near(0.01)).toBeGreaterThanOrEqual(1);
    expect(near(0.03)).toBeGreaterThanOrEqual(5);
    const ages = [...(main?.positions.values() ?? [])].map((p) => now - p.updatedTime);
    expect(ages.filter((a) => a < 5 * 60_000).length).toBeGreaterThanOrEqual(5);
    expect(ages.filter((a) => a > 10 * 60_000 && a < 30 * 60_000).length).toBeGreaterThanOrEqual(10);
    expect(ages.filter((a) => a > 30 * 60_000).length).toBeGreaterThanOrEqual(10);
    expect(main?.open.size).toBeGreaterThanOrEqual(5);
    expect(() => engine({ positionsPerAccount: 100, symbols: 50 })).toThrow(/at least as many symbols/);
  });
});
