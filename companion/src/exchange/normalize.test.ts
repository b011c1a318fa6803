import { describe, expect, it } from 'vitest';
import { ExchangeCallError } from './errors.ts';
import { toBalances, toOrder, toPosition, toTicker } from './normalize.ts';

const ccxtPosition = {
  symbol: 'BTC/USDT:USDT',
  contracts: 0.5,
  side: 'long',
  entryPrice: 60000,
  markPrice: 61000,
  takeProfitPrice: 65000,
  stopLossPrice: 58000,
  liquidationPrice: 40000,
  unrealizedPnl: 500,
  leverage: 10,
  info: { symbol: 'BTCUSDT', takeProfit: '65000', stopLoss: '58000', updatedTime: '1700000000000' },
};

describe('toPosition', () => {
  it('normalises a ccxt position with the market id as symbol', () => {
    expect(toPosition('main', ccxtPosition)).toEqual({
      account: 'main',
      symbol: 'BTCUSDT',
      side: 'long',
      size: 0.5,
      entryPrice: 60000,
      markPrice: 61000,
      takeProfit: 65000,
      stopLoss: 58000,
      liquidationPrice: 40000,
      unrealisedPnl: 500,
      leverage: 10,
      lastActivityAt: 1700000000000,
    });
  });

  it.each([
    [
      'TP "0" means none',
      { takeProfitPrice: undefined, info: { ...ccxtPosition.info, takeProfit: '0' } },
      'takeProfit',
      null,
    ],
    ['SL "" means none', { stopLossPrice: undefined, info: { ...ccxtPosition.info, stopLoss: '' } }, 'stopLoss', null],
    ['liq 0 means none', { liquidationPrice: 0 }, 'liquidationPrice', null],
    ['no pnl is 0', { unrealizedPnl: undefined }, 'unrealisedPnl', 0],
    ['no update time is null', { info: { symbol: 'BTCUSDT' } }, 'lastActivityAt', null],
    ['string numbers parse', { markPrice: '61000.5' }, 'markPrice', 61000.5],
  ])('%s', (_name, patch, field, expected) => {
    expect(toPosition('main', { ...ccxtPosition, ...patch })[field as keyof ReturnType<typeof toPosition>]).toBe(
      expected,
    );
  });

  it.each([
    ['mark price missing', { markPrice: undefined }, /markPrice = missing/],
    ['mark price not a number', { markPrice: 'abc' }, /markPrice = not a number/],
    ['side unknown', { side: 'both' }, /side = "both"/],
    ['size negative', { contracts: -1 }, /size = -1/],
  ])('rejects a malformed row (%s) naming the field', (_name, patch, message) => {
    const run = () => toPosition('main', { ...ccxtPosition, ...patch });
    expect(run).toThrow(ExchangeCallError);
    expect(run).toThrow(message);
  });
});

describe('toOrder', () => {
  const order = {
    id: '1',
    clientOrderId: 'tw-abc',
    symbol: 'ETH/USDT:USDT',
    side: 'buy',
    type: 'limit',
    price: 3000,
    amount: 2,
    filled: 0,
    reduceOnly: false,
    status: 'open',
    takeProfitPrice: 3500,
    stopLossPrice: 2800,
    timestamp: 1700000000000,
    info: { symbol: 'ETHUSDT' },
  };
  it.each([
    ['open', { status: 'open' }, 'open'],
    ['partially filled', { status: 'open', filled: 1 }, 'partially_filled'],
    ['closed is filled', { status: 'closed', filled: 2 }, 'filled'],
    ['canceled', { status: 'canceled' }, 'cancelled'],
    ['expired', { status: 'expired' }, 'cancelled'],
    ['rejected', { status: 'rejected' }, 'rejected'],
  ])('status %s', (_name, patch, status) => {
    expect(toOrder('main', { ...order, ...patch }).status).toBe(status);
  });
  it('keeps ids, levels and an empty client id as null', () => {
    const o = toOrder('main', { ...order, clientOrderId: '' });
    expect(o).toMatchObject({
      id: '1',
      symbol: 'ETHUSDT',
      clientOrderId: null,
      takeProfit: 3500,
      stopLoss: 2800,
      qty: 2,
    });
  });
});

describe('toBalances and toTicker', () => {
  it('lists USDT even when empty, and every held currency', () => {
    expect(toBalances('main', { total: { BTC: 0.1 }, BTC: { total: 0.1, free: 0.1, used: 0 } })).toEqual([
      { account: 'main', currency: 'USDT', total: 0, free: 0, used: 0 },
      { account: 'main', currency: 'BTC', total: 0.1, free: 0.1, used: 0 },
    ]);
  });
  it('takes the mark price from the ticker or its raw info', () => {
    expect(
      toTicker({ symbol: 'BTC/USDT:USDT', info: { symbol: 'BTCUSDT', markPrice: '61000' }, last: 61001 }, 5),
    ).toEqual({
      symbol: 'BTCUSDT',
      markPrice: 61000,
      lastPrice: 61001,
      at: 5,
    });
  });
});
