import { onStep } from '@tierwatch/shared';
import { markOrder, markPosition } from './changes.ts';
import { partialLevelOrder } from './conditional.ts';
import type { MarketView } from './orders.ts';
import { checkLevels } from './orders.ts';
import { BybitError, type Instrument, type PaperAccount, paramsError } from './types.ts';

/**
 * What is set on a position rather than placed as an order: /v5/position/trading-stop (Full and Partial
 * TP/SL, trailing stop) and /v5/position/set-leverage. Bybit answers a request that changes nothing with
 * an error (34040, 110043) rather than OK, and so does the paper exchange.
 */

export interface TradingStopRequest {
  /** Full (default): the position's own TP/SL; Partial: reduce-only TP/SL orders of tpSize/slSize. */
  tpslMode?: 'Full' | 'Partial';
  takeProfit?: number;
  stopLoss?: number;
  tpSize?: number;
  slSize?: number;
  /** Distance in price; 0 clears the trailing stop. */
  trailingStop?: number;
  activePrice?: number;
}

export function setTradingStop(
  acc: PaperAccount,
  symbol: string,
  req: TradingStopRequest,
  inst: Instrument,
  m: MarketView,
): void {
  const pos = acc.positions.get(symbol);
  if (!pos) throw new BybitError(10001, 'can not set tp/sl/ts for zero position');
  const mark = m.mark(symbol);
  for (const v of [req.takeProfit, req.stopLoss, req.trailingStop, req.activePrice]) {
    if (v !== undefined && v !== 0 && !onStep(v, inst.tickSize))
      throw new BybitError(10001, `Price invalid: ${v} (tickSize ${inst.tickSize})`);
  }
  checkLevels(pos.side, mark, req.takeProfit ?? null, req.stopLoss ?? null);
  const long = pos.side === 'Buy';
  if (
    req.activePrice !== undefined &&
    req.activePrice !== 0 &&
    (long ? req.activePrice <= mark : req.activePrice >= mark)
  )
    throw new BybitError(
      10001,
      `activePrice:${req.activePrice} should be ${long ? 'higher' : 'lower'} than the current price ${mark}`,
    );
  let changed = false;
  if (req.tpslMode === 'Partial') {
    for (const [kind, level, size] of [
      ['PartialTakeProfit', req.takeProfit, req.tpSize],
      ['PartialStopLoss', req.stopLoss, req.slSize],
    ] as const) {
      if (level === undefined || level === 0) continue;
      if (size === undefined || !(size > 0) || !onStep(size, inst.qtyStep))
        throw paramsError(`${kind === 'PartialTakeProfit' ? 'tpSize' : 'slSize'} is required in tpslMode Partial`);
      const exists = [...acc.open.values()].some(
        (o) => o.symbol === symbol && o.stopOrderType === kind && o.trigger?.price === level && o.qty === size,
      );
      if (exists) continue;
      const o = partialLevelOrder(pos, m.nextOrderId(), m.now, kind, level, Math.min(size, pos.size));
      acc.open.set(o.orderId, o);
      markOrder(acc, o);
      changed = true;
    }
  } else {
    const same = (given: number | undefined, now: number | null) =>
      given === undefined || (given === 0 ? now === null : given === now);
    if (!same(req.takeProfit, pos.takeProfit) || !same(req.stopLoss, pos.stopLoss)) changed = true;
    if (req.takeProfit !== undefined) pos.takeProfit = req.takeProfit === 0 ? null : req.takeProfit;
    if (req.stopLoss !== undefined) pos.stopLoss = req.stopLoss === 0 ? null : req.stopLoss;
  }
  if (req.trailingStop !== undefined) {
    const t = pos.trailing ?? null;
    const active = req.activePrice === undefined || req.activePrice === 0 ? null : req.activePrice;
    if (req.trailingStop === 0) {
      if (t) changed = true;
      pos.trailing = null;
    } else if (!t || t.distance !== req.trailingStop || t.activePrice !== active) {
      pos.trailing = { distance: req.trailingStop, activePrice: active, best: null };
      changed = true;
    }
  }
  // Bybit refuses a request that changes nothing with 34040 rather than answering OK.
  if (!changed) throw new BybitError(34040, 'not modified');
  pos.updatedTime = m.now;
  markPosition(acc, symbol);
}

export function setLeverage(
  acc: PaperAccount,
  inst: Instrument,
  buy: number,
  sell: number,
  fallback: number,
  now: number,
): void {
  if (buy !== sell) throw new BybitError(10001, 'buyLeverage must equal sellLeverage in one-way mode');
  if (!(buy >= 1) || buy > inst.maxLeverage)
    throw new BybitError(10001, `leverage must be in [1, ${inst.maxLeverage}]`);
  const current = acc.leverageBySymbol?.get(inst.symbol) ?? fallback;
  if (current === buy) throw new BybitError(110043, 'Set leverage not modified');
  acc.leverageBySymbol ??= new Map();
  acc.leverageBySymbol.set(inst.symbol, buy);
  const pos = acc.positions.get(inst.symbol);
  if (pos) {
    pos.leverage = buy;
    pos.updatedTime = now;
    markPosition(acc, inst.symbol);
  }
}
