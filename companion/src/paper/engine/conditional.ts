import { markPosition } from './changes.ts';
import { applyFill, finalise, opposite, sign } from './ledger.ts';
import { fillAtMarket, type MarketView } from './orders.ts';
import type { PaperAccount, PaperOrder, PaperPosition, StopOrderType } from './types.ts';

/**
 * Everything the price sets off, checked at each market step after limit fills: conditional orders
 * (Untriggered until the price crosses their trigger), partial TP/SL orders, trailing stops, and the
 * position's own TP, SL and liquidation. Within one step the price moved from the last mark to this one,
 * so of the levels it crossed the one nearest the old mark was reached first: a stop-loss placed beyond
 * the liquidation price is never reached, the position is liquidated first, as on Bybit.
 */

/** Maintenance margin rate of the paper exchange's single risk tier. */
export const MMR = 0.005;

/** Where the initial margin is gone (isolated-style estimate, as the position list shows it). */
export const bustPrice = (p: PaperPosition): number => Math.max(0, p.entryPrice * (1 - sign(p.side) / p.leverage));
/** Where equity reaches the maintenance margin: Bybit liquidates here, closing at the bust price. */
export const liqPrice = (p: PaperPosition): number =>
  Math.max(0, p.entryPrice * (1 - sign(p.side) * (1 / p.leverage - MMR)));

/**
 * A partial TP or SL (tpslMode Partial) waiting for its level: a reduce-only market close of `qty`,
 * triggered when the mark crosses `level` in the position's favour (TP) or against it (SL).
 */
export function partialLevelOrder(
  pos: PaperPosition,
  id: string,
  at: number,
  kind: 'PartialTakeProfit' | 'PartialStopLoss',
  level: number,
  qty: number,
): PaperOrder {
  const o = closingOrder(
    pos,
    id,
    at,
    kind,
    kind === 'PartialTakeProfit' ? 'CreateByPartialTakeProfit' : 'CreateByPartialStopLoss',
    qty,
  );
  const up = (kind === 'PartialTakeProfit') === (pos.side === 'Buy');
  o.orderStatus = 'Untriggered';
  o.trigger = { price: level, direction: up ? 1 : 2, by: 'MarkPrice' };
  o.tpslMode = 'Partial';
  return o;
}

export function closingOrder(
  pos: PaperPosition,
  id: string,
  at: number,
  kind: StopOrderType,
  createType: string,
  qty = pos.size,
): PaperOrder {
  return {
    orderId: id,
    orderLinkId: '',
    symbol: pos.symbol,
    side: opposite(pos.side),
    orderType: 'Market',
    price: null,
    qty,
    cumExecQty: 0,
    cumExecValue: 0,
    cumExecFee: 0,
    avgPrice: null,
    orderStatus: 'New',
    reduceOnly: true,
    takeProfit: null,
    stopLoss: null,
    timeInForce: 'IOC',
    stopOrderType: kind,
    createType,
    createdTime: at,
    updatedTime: at,
    closeOnTrigger: kind !== '',
  };
}

const crossed = (o: PaperOrder, mark: number): boolean =>
  !!o.trigger && (o.trigger.direction === 1 ? mark >= o.trigger.price : mark <= o.trigger.price);

/** Conditional and partial TP/SL orders whose trigger the mark has crossed. */
export function fireConditionals(acc: PaperAccount, m: MarketView, previous: (symbol: string) => number): void {
  const due = [...acc.open.values()]
    .filter((o) => o.orderStatus === 'Untriggered' && crossed(o, m.mark(o.symbol)))
    // The trigger nearest the previous mark was reached first.
    .sort((a, b) => Math.abs(a.trigger!.price - previous(a.symbol)) - Math.abs(b.trigger!.price - previous(b.symbol)));
  for (const o of due) {
    if (o.orderStatus !== 'Untriggered') continue;
    const mark = m.mark(o.symbol);
    o.updatedTime = m.now;
    if (o.reduceOnly) {
      const pos = acc.positions.get(o.symbol);
      if (!pos || pos.side === o.side) {
        o.orderStatus = 'Deactivated';
        finalise(acc, o);
        continue;
      }
      o.qty = Math.min(o.qty, pos.size);
    }
    o.orderStatus = 'Triggered';
    if (o.orderType === 'Market') {
      fillAtMarket(acc, o, m, mark);
      continue;
    }
    o.orderStatus = 'New';
    const price = o.price as number;
    if (o.side === 'Buy' ? mark <= price : mark >= price) {
      applyFill(acc, o, { price, qty: o.qty - o.cumExecQty, at: m.now, isMaker: false, mark }, m.leverage);
      finalise(acc, o);
    } else {
      acc.changes.orders.set(o.orderId, o);
    }
  }
}

/** Trailing stops: activate at activePrice (or at once), follow the best mark, close when it falls back by distance. */
export function trailStops(acc: PaperAccount, m: MarketView): void {
  for (const pos of [...acc.positions.values()]) {
    const t = pos.trailing;
    if (!t) continue;
    const mark = m.mark(pos.symbol);
    const long = pos.side === 'Buy';
    if (t.best === null) {
      if (t.activePrice !== null && (long ? mark < t.activePrice : mark > t.activePrice)) continue;
      t.best = mark;
      markPosition(acc, pos.symbol);
    }
    t.best = long ? Math.max(t.best, mark) : Math.min(t.best, mark);
    const stop = long ? t.best - t.distance : t.best + t.distance;
    if (long ? mark > stop : mark < stop) continue;
    const close = closingOrder(pos, m.nextOrderId(), m.now, 'TrailingStop', 'CreateByTrailingStop');
    acc.open.set(close.orderId, close);
    fillAtMarket(acc, close, m, mark);
  }
}

/** The position's own TP, SL and liquidation, whichever of the crossed levels the price reached first. */
export function closeOnLevels(acc: PaperAccount, m: MarketView, previous: (symbol: string) => number): void {
  for (const pos of [...acc.positions.values()]) {
    const mark = m.mark(pos.symbol);
    const long = pos.side === 'Buy';
    const hit: { level: number; kind: 'TakeProfit' | 'StopLoss' | 'Liq' }[] = [];
    if (pos.takeProfit !== null && (long ? mark >= pos.takeProfit : mark <= pos.takeProfit))
      hit.push({ level: pos.takeProfit, kind: 'TakeProfit' });
    if (pos.stopLoss !== null && (long ? mark <= pos.stopLoss : mark >= pos.stopLoss))
      hit.push({ level: pos.stopLoss, kind: 'StopLoss' });
    const liq = liqPrice(pos);
    if (long ? mark <= liq : mark >= liq) hit.push({ level: liq, kind: 'Liq' });
    if (hit.length === 0) continue;
    const from = previous(pos.symbol);
    const first = hit.sort((a, b) => Math.abs(a.level - from) - Math.abs(b.level - from))[0]!;
    if (first.kind === 'Liq') {
      liquidate(acc, pos, m, mark);
      continue;
    }
    const close = closingOrder(
      pos,
      m.nextOrderId(),
      m.now,
      first.kind,
      first.kind === 'StopLoss' ? 'CreateByStopLoss' : 'CreateByTakeProfit',
    );
    // As on Bybit, the close's history row names the level it fired at (triggerPrice): the companion tells
    // a TP close from an SL close, and says at what level, by it.
    close.trigger = { price: first.level, direction: mark >= from ? 1 : 2, by: 'MarkPrice' };
    acc.open.set(close.orderId, close);
    fillAtMarket(acc, close, m, mark);
  }
}

/** Bybit takes the position over and closes it at the bankruptcy price: the whole initial margin is lost. */
function liquidate(acc: PaperAccount, pos: PaperPosition, m: MarketView, mark: number): void {
  const inst = m.instrument(pos.symbol);
  const close = closingOrder(pos, m.nextOrderId(), m.now, '', 'CreateByLiq');
  close.closeOnTrigger = false;
  acc.open.set(close.orderId, close);
  const tick = inst?.tickSize ?? 0;
  const bust =
    tick > 0 ? Number((Math.round(bustPrice(pos) / tick) * tick).toFixed(inst!.priceDecimals)) : bustPrice(pos);
  applyFill(
    acc,
    close,
    { price: bust, qty: pos.size, at: m.now, isMaker: false, mark, execType: 'BustTrade' },
    pos.leverage,
  );
  finalise(acc, close);
}

/** An order's Partial TP/SL become reduce-only conditional orders for the filled quantity (at most tpSize/slSize). */
export function placePendingPartials(acc: PaperAccount, m: MarketView): void {
  const pending = acc.pendingPartials;
  if (!pending || pending.length === 0) return;
  acc.pendingPartials = [];
  for (const { order, qty } of pending) {
    const pos = acc.positions.get(order.symbol);
    if (!pos) continue;
    for (const [kind, level, size] of [
      ['PartialTakeProfit', order.takeProfit, order.tpSize],
      ['PartialStopLoss', order.stopLoss, order.slSize],
    ] as const) {
      if (level === null) continue;
      const q = Math.min(size ?? qty, qty, pos.size);
      const o = partialLevelOrder(pos, m.nextOrderId(), m.now, kind, level, q);
      acc.open.set(o.orderId, o);
      acc.changes.orders.set(o.orderId, o);
    }
  }
}
