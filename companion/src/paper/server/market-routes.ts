import type { PaperEngine } from '../engine/engine.ts';
import { BybitError, type Instrument, paramsError } from '../engine/types.ts';
import { KLINE_INTERVALS } from '../streams/messages.ts';
import { CATEGORIES, type Route, symbolOf } from './route-kit.ts';

/**
 * /v5/market/kline and /v5/market/orderbook, derived from the walk: candles of the recorded mark, and a
 * book one tick either side of it with a level per tick after that (the sim has no other traders).
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
