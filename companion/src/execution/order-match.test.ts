import { describe, expect, it } from 'vitest';
import type { FoundOrder } from '../exchange/types.ts';
import { type LegTerms, orderMismatches } from './order-match.ts';

const leg: LegTerms = {
  symbol: 'BTCUSDT',
  side: 'long',
  type: 'limit',
  qty: 0.01,
  price: 49_000.5,
  reduceOnly: false,
  takeProfit: 55_000,
  stopLoss: 48_000,
};

const found = (over: Partial<FoundOrder> = {}): FoundOrder => ({
  orderId: 'o-1',
  clientOrderId: 'tw-x',
  status: 'open',
  qty: 0.01,
  filledQty: 0,
  avgPrice: null,
  symbol: 'BTCUSDT',
  side: 'buy',
  type: 'limit',
  price: 49_000.5,
  reduceOnly: false,
  takeProfit: 55_000,
  stopLoss: 48_000,
  ...over,
});

describe('orderMismatches', () => {
  it.each([
    ['the same order', {}, {}, []],
    ['float residue in quantity and levels', { qty: 0.1 + 0.2 - 0.29, stopLoss: 48_000.000000001 }, {}, []],
    ['a filled or cancelled state does not matter', { status: 'filled', filledQty: 0.01 }, {}, []],
    ['a short side', { side: 'sell' }, {}, ['side sell (asked buy)']],
    ['a short leg against a long order', {}, { side: 'short' }, ['side buy (asked sell)']],
    ['another symbol', { symbol: 'ETHUSDT' }, {}, ['symbol ETHUSDT (asked BTCUSDT)']],
    ['a market order for a limit leg', { type: 'market' }, {}, ['type market (asked limit)']],
    ['one quantity step more', { qty: 0.011 }, {}, ['quantity 0.011 (asked 0.01)']],
    ['another limit price', { price: 49_001 }, {}, ['price 49001 (asked 49000.5)']],
    ['a limit leg with no price on the order', { price: null }, {}, ['price none (asked 49000.5)']],
    ['reduce-only', { reduceOnly: true }, {}, ['reduce-only yes (asked no)']],
    ['no TP where one was asked', { takeProfit: null }, {}, ['take-profit none (asked 55000)']],
    ['a TP where none was asked', {}, { takeProfit: null }, ['take-profit 55000 (asked none)']],
    ['another SL', { stopLoss: 4_000 }, {}, ['stop-loss 4000 (asked 48000)']],
  ] as const)('%s', (_name, order, terms, expected) => {
    expect(orderMismatches(found(order as Partial<FoundOrder>), { ...leg, ...terms })).toEqual(expected);
  });

  it("a market leg ignores the order's price (Bybit reports its slippage cap there)", () => {
    const market: LegTerms = { ...leg, type: 'market', price: null };
    expect(orderMismatches(found({ type: 'market', price: 51_234.5 }), market)).toEqual([]);
  });

  it('the adversarial case: a short 0.3 with SL 4000 under the key of a long 0.01: every difference named', () => {
    const asked: LegTerms = {
      ...leg,
      side: 'short',
      type: 'market',
      price: null,
      qty: 0.3,
      takeProfit: null,
      stopLoss: 4_000,
    };
    expect(orderMismatches(found({ type: 'market', status: 'filled' }), asked)).toEqual([
      'side buy (asked sell)',
      'quantity 0.01 (asked 0.3)',
      'take-profit 55000 (asked none)',
      'stop-loss 48000 (asked 4000)',
    ]);
  });
});
