import type { Order, Position, Ticker } from '@tierwatch/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import type { Bybit } from './bybit.ts';
import { ExchangeConfig } from './config.ts';
import { RateBudget } from './rate-budget.ts';
import { CcxtStreams } from './streams.ts';

/**
 * The private stream carries the whole linear category: USDC perpetuals and dated futures beside the USDT
 * perpetuals Tierwatch watches. Their rows are left out of every push; a push is never dropped for them.
 * The frames arrive through onFrame, as bybit.ts delivers them.
 */

/** A ccxt instance stand-in: its watches settle only when it is closed (as ccxt pro's do). */
function fakeBybit() {
  const pending: ((err: Error) => void)[] = [];
  const watch = () => new Promise<never>((_resolve, reject) => void pending.push(reject));
  return {
    onFrame: null as ((url: string, message: unknown) => void) | null,
    loadHttpProxyAgent: async () => {},
    watchPositions: watch,
    watchOrders: watch,
    watchMyTrades: watch,
    watchBalance: watch,
    close: async () => {
      for (const reject of pending.splice(0)) reject(new Error('closed'));
    },
    parseOrder: (row: Record<string, unknown>) => ({
      id: row.orderId,
      info: row,
      side: 'buy',
      type: 'limit',
      price: 100,
      amount: 1,
      filled: 0,
      status: 'open',
      timestamp: 1,
    }),
  } as unknown as Bybit & { onFrame: (url: string, message: unknown) => void };
}

const row = (symbol: string, extra: Record<string, unknown> = {}) => ({
  symbol,
  side: 'Buy',
  size: '1',
  avgPrice: '100',
  markPrice: '101',
  takeProfit: '110',
  stopLoss: '90',
  positionIdx: 0,
  seq: 7,
  ...extra,
});

describe('CcxtStreams: symbols not watched on the private stream', () => {
  let streams: CcxtStreams | null = null;
  afterEach(async () => {
    await streams?.stop();
  });

  it('leaves their rows out of position, order and execution pushes; the watched rows go on', async () => {
    const config = ExchangeConfig.parse({ streams: { gapWaitMs: 30 } });
    const ex = fakeBybit();
    const heard = {
      positions: [] as Position[][],
      tickers: [] as Ticker[],
      orders: [] as Order[],
      gaps: [] as string[],
    };
    streams = new CcxtStreams({
      ...config.streams,
      clock: systemClock,
      budget: new RateBudget({ ip: config.ipLimit, perAccount: {}, share: 1, maxInFlight: 4, clock: systemClock }),
      logger: silentLogger,
      publicInstance: () => {
        throw new Error('no public connection in this test');
      },
      accounts: new Map([['main', ex]]),
    });
    streams.start({
      tickers: (ts) => void heard.tickers.push(...ts),
      positions: (_account, open) => void heard.positions.push(open),
      orders: (_account, os) => void heard.orders.push(...os),
      reconnected: () => {},
      gap: (_key, _account, reason, symbols) => void heard.gaps.push(`${reason}: ${symbols.join(',')}`),
    });
    const others = ['BTCPERP', 'BTC-26DEC25', 'BTCUSDT-26DEC25'];
    ex.onFrame('ws://x/v5/private', {
      topic: 'position',
      data: [row('BTCUSDT'), ...others.map((s) => row(s))],
    });
    ex.onFrame('ws://x/v5/private', {
      topic: 'order',
      data: ['ETHUSDT', ...others].map((symbol, i) => ({ symbol, orderId: `o${i}` })),
    });
    // A fill on a symbol not watched expects no position row: no gap is reported for it.
    ex.onFrame('ws://x/v5/private', { topic: 'execution', data: [{ symbol: 'BTCPERP', execType: 'Trade', seq: 9 }] });
    await new Promise((r) => setTimeout(r, 100));
    expect(heard.positions.map((open) => open.map((p) => p.symbol))).toEqual([['BTCUSDT']]);
    expect(heard.tickers.map((t) => t.symbol)).toEqual(['BTCUSDT']);
    expect(heard.orders.map((o) => o.symbol)).toEqual(['ETHUSDT']);
    expect(heard.gaps).toEqual([]);
    // A garbled symbol is no symbol of another market: the push is malformed, and dropped whole.
    ex.onFrame('ws://x/v5/private', { topic: 'position', data: [row('BTCUSDT'), row('btc usdt')] });
    expect(heard.positions).toHaveLength(1);
  });
});
