import { describe, expect, it } from 'vitest';
import { ExchangeCallError } from './errors.ts';
import { isOpenPosition, notWatched, toBalances, toOrder, toPosition, toPositions, toTicker } from './normalize.ts';

/** A row of Bybit's /v5/position/list as it arrives (string numbers). */
const bybitRow = {
  symbol: 'BTCUSDT',
  side: 'Buy',
  size: '0.5',
  positionIdx: 0,
  avgPrice: '60000',
  markPrice: '61000',
  takeProfit: '65000',
  stopLoss: '58000',
  liqPrice: '40000',
  unrealisedPnl: '500',
  leverage: '10',
  positionValue: '30000',
  updatedTime: '1700000000000',
};

describe('toPosition', () => {
  it('normalises a Bybit position row', () => {
    expect(toPosition('main', bybitRow)).toEqual({
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
      positionValue: 30000,
      lastActivityAt: 1700000000000,
    });
  });

  it.each([
    ['side Sell is short', { side: 'Sell' }, 'side', 'short'],
    ['hedge mode idx 1 is long', { side: 'Sell', positionIdx: 1 }, 'side', 'long'],
    ['hedge mode idx "2" is short', { side: 'Buy', positionIdx: '2' }, 'side', 'short'],
    ['TP "0" means none', { takeProfit: '0' }, 'takeProfit', null],
    ['SL "" means none', { stopLoss: '' }, 'stopLoss', null],
    ['liq "" means none', { liqPrice: '' }, 'liquidationPrice', null],
    ['no position value is null', { positionValue: '' }, 'positionValue', null],
    ['position value "0" is 0, not none', { positionValue: '0' }, 'positionValue', 0],
    ['no pnl is 0', { unrealisedPnl: undefined }, 'unrealisedPnl', 0],
    ['no update time is null', { updatedTime: undefined }, 'lastActivityAt', null],
    ['a fractional update time is floored', { updatedTime: '1700000000000.7' }, 'lastActivityAt', 1700000000000],
    ['entryPrice when avgPrice is absent', { avgPrice: undefined, entryPrice: '59000' }, 'entryPrice', 59000],
  ])('%s', (_name, patch, field, expected) => {
    expect(toPosition('main', { ...bybitRow, ...patch })[field as keyof ReturnType<typeof toPosition>]).toBe(expected);
  });

  it.each([
    ['mark price missing', { markPrice: undefined }, /markPrice = missing/],
    ['mark price not a number', { markPrice: 'abc' }, /markPrice = not a number/],
    ['side unknown', { side: 'Both' }, /side = "Both"/],
    ['size negative', { size: '-1' }, /size = -1/],
    ['position value not a number', { positionValue: 'x' }, /positionValue = not a number/],
  ])('rejects a malformed row (%s) naming the field', (_name, patch, message) => {
    const run = () => toPosition('main', { ...bybitRow, ...patch });
    expect(run).toThrow(ExchangeCallError);
    expect(run).toThrow(message);
  });

  it.each([
    ['an open row', { size: '0.5' }, true],
    ['a flat row', { size: '0', side: '' }, false],
    ['a flat row, numeric 0', { size: 0, side: 'None' }, false],
  ])('isOpenPosition: %s', (_name, patch, expected) => {
    expect(isOpenPosition({ ...bybitRow, ...patch })).toBe(expected);
  });

  // A size that is not a plain positive number must fail the read, never pass for a flat row: a dropped
  // row is a closed position to the monitor (and, with closeOnMainClose, a closed mirror).
  it.each([
    ['negative', '-1', /size = -1/],
    ['"NaN"', 'NaN', /size = not a number/],
    ['empty', '', /size = missing/],
    ['missing', undefined, /size = missing/],
    ['overflowing', '1e400', /size = not a number/],
  ])('a %s size fails the read, naming the field and the symbol', (_name, size, message) => {
    const read = () =>
      toPositions('main', [
        bybitRow,
        { ...bybitRow, symbol: 'ETHUSDT', size: '0', side: '' },
        { ...bybitRow, symbol: 'SOLUSDT', size },
      ]);
    expect(read).toThrow(ExchangeCallError);
    expect(read).toThrow(message);
    expect(read).toThrow(/position \(SOLUSDT\)/);
  });

  it('toPositions leaves flat rows out and keeps the open ones', () => {
    const flat = { ...bybitRow, symbol: 'ETHUSDT', size: '0', side: '' };
    expect(toPositions('main', [bybitRow, flat]).map((p) => p.symbol)).toEqual(['BTCUSDT']);
  });

  // Bybit's linear category (and its USDT settle coin) also lists USDC perpetuals and dated futures.
  it.each([
    ['BTCUSDT', false],
    ['1000PEPEUSDT', false],
    ['BTCPERP', true],
    ['ETHUSDC', true],
    ['BTC-26DEC25', true],
    ['BTCUSDT-26DEC25', true],
    ['btcusdt', false],
    ['BTC USDT', false],
    ['', false],
    [undefined, false],
  ])('symbol %j is a market not watched: %s', (symbol, expected) => {
    expect(notWatched({ symbol })).toBe(expected);
  });

  it('toPositions leaves rows of symbols not watched out; a garbled symbol still fails the read', () => {
    const rows = ['BTCPERP', 'BTC-26DEC25', 'BTCUSDT-26DEC25'].map((symbol) => ({ ...bybitRow, symbol }));
    expect(toPositions('main', [bybitRow, ...rows]).map((p) => p.symbol)).toEqual(['BTCUSDT']);
    expect(() => toPositions('main', [bybitRow, { ...bybitRow, symbol: 'btcusdt' }])).toThrow(/symbol/);
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
  it('takes a raw ticker row (REST list, stream push, position row) as it is', () => {
    expect(toTicker({ symbol: 'BTCUSDT', markPrice: '61000', lastPrice: '61001', bid1Price: '1' }, 5)).toEqual({
      symbol: 'BTCUSDT',
      markPrice: 61000,
      lastPrice: 61001,
      at: 5,
    });
  });
  // A row the fast path does not take goes to the schema, whose error names the field; a valid one is built as is.
  it.each([
    [{ symbol: 'BTCUSDT', markPrice: 61000 }, 5, { lastPrice: null }],
    [{ symbol: 'BTCUSDT', markPrice: '61000', lastPrice: '0' }, 5, { lastPrice: null }],
    [{ symbol: 'BTCUSDT', markPrice: '61000', lastPrice: '' }, 5, { lastPrice: null }],
    [{ symbol: 'BTCUSDT', markPrice: '61000', lastPrice: '-1' }, 5, 'lastPrice'],
    [{ symbol: 'BTCUSDT', markPrice: '61000', lastPrice: 'x' }, 5, 'lastPrice = not a number'],
    [{ symbol: 'BTCUSDT', markPrice: '0' }, 5, 'markPrice'],
    [{ symbol: 'BTCUSDT', markPrice: '' }, 5, 'markPrice = missing'],
    [{ symbol: 'BTCUSDT' }, 5, 'markPrice = missing'],
    [{ symbol: 'BTCUSDT', markPrice: 'Infinity' }, 5, 'markPrice'],
    [{ symbol: 'btcusdt', markPrice: '1' }, 5, 'symbol'],
    [{ symbol: 'BTC/USDT:USDT', markPrice: '1' }, 5, 'symbol'],
    [{ markPrice: '1' }, 5, 'symbol'],
    [{ symbol: 'BTCUSDT', markPrice: '1' }, 5.5, 'at'],
    [{ symbol: 'BTCUSDT', markPrice: '1' }, -1, 'at'],
  ] as const)('row %j at %d → %j', (row, at, expected) => {
    if (typeof expected === 'string') {
      expect(() => toTicker(row, at)).toThrow(new RegExp(`malformed ticker .*${expected.replace(/[.*]/g, '\\$&')}`));
    } else expect(toTicker(row, at)).toMatchObject(expected);
  });
});
