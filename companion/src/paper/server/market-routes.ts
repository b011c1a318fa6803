import type { PaperEngine } from '../engine/engine.ts';
import { BybitError, type Instrument, paramsError } from '../engine/types.ts';
import { KLINE_INTERVALS } from '../streams/messages.ts';
import * as fmt from './bybit-dialect.ts';
import { page } from './params.ts';
import { CATEGORIES, type Route, symbolOf } from './route-kit.ts';

/**
 * The public market endpoints: server time, instruments and tickers from the engine; /v5/market/kline and
 * /v5/market/orderbook derived from the walk: candles of the recorded mark, and a book one tick either side
 * of it with a level per tick after that (the sim has no other traders).
 */

export function bookSides(engine: PaperEngine, inst: Instrument, depth: number) {
  const mark = engine.mark(inst.symbol);
  const size = (inst.minQty * 100).toFixed(inst.qtyDecimals);
  const side = (dir: 1 | -1) =>
    Array.from({ length: depth }, (_, i) => [(mark + dir * (i + 1) * inst.tickSize).toFixed(inst.priceDecimals), size]);
  return { b: side(-1), a: side(1) };
}

let bookSeq = 0;

export const MARKET_ROUTES: Record<string, Route> = {
  '/v5/market/time': {
    method: 'GET',
    private: false,
    handle: ({ engine }) => {
      const now = engine.now();
      return { timeSecond: String(Math.floor(now / 1000)), timeNano: `${now}000000` };
    },
  },
  '/v5/market/instruments-info': {
    method: 'GET',
    private: false,
    handle: ({ engine, p }) => {
      const category = p.oneOf('category', CATEGORIES);
      const one = category === 'linear' ? symbolOf(engine, p, false) : undefined;
      const status = p.str('status');
      const all =
        category !== 'linear' || (status !== undefined && status !== 'Trading')
          ? []
          : one
            ? [one]
            : engine.instruments();
      const { list, nextPageCursor } = page(all, p, 500, 1000);
      return { category, list: list.map(fmt.instrumentInfo), nextPageCursor };
    },
  },
  '/v5/market/tickers': {
    method: 'GET',
    private: false,
    handle: ({ engine, p }) => {
      const category = p.oneOf('category', CATEGORIES);
      if (category !== 'linear') return { category, list: [] };
      const one = symbolOf(engine, p, false);
      const list = (one ? [one] : engine.instruments()).map((i) => fmt.ticker(i, engine.market(i.symbol) as never));
      return { category, list };
    },
  },
  '/v5/market/kline': {
    method: 'GET',
    private: false,
    handle: ({ engine, p }) => {
      const category = p.oneOf('category', CATEGORIES, 'linear');
      const inst = symbolOf(engine, p, true) as Instrument;
      const interval = p.need('interval');
      const minutes = KLINE_INTERVALS[interval];
      if (minutes === undefined)
        throw paramsError(`interval must be one of ${Object.keys(KLINE_INTERVALS).join(', ')}`);
      if (category !== 'linear') return { category, symbol: inst.symbol, list: [] };
      const ms = minutes * 60_000;
      const limit = p.int('limit', 1, 1000, 200);
      const now = engine.now();
      const end = Math.min(p.num('end') ?? now, now);
      const start = p.num('start') ?? end - (limit - 1) * ms;
      if (start > end) throw new BybitError(10001, 'params error: start must be <= end');
      const list = engine.candles
        .range(inst.symbol, ms, Math.max(start, end - (limit - 1) * ms), end, engine.mark(inst.symbol))
        .reverse()
        .map((c) => [
          String(c.start),
          c.open.toFixed(inst.priceDecimals),
          c.high.toFixed(inst.priceDecimals),
          c.low.toFixed(inst.priceDecimals),
          c.close.toFixed(inst.priceDecimals),
          '0',
          '0',
        ]);
      return { category, symbol: inst.symbol, list };
    },
  },
  '/v5/market/orderbook': {
    method: 'GET',
    private: false,
    handle: ({ engine, p }) => {
      p.oneOf('category', CATEGORIES);
      const inst = symbolOf(engine, p, true) as Instrument;
      const depth = p.int('limit', 1, 500, 25);
      const now = Math.floor(engine.now());
      const seq = ++bookSeq;
      return { s: inst.symbol, ...bookSides(engine, inst, depth), ts: now, u: seq, seq, cts: now };
    },
  },
};
