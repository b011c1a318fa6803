import type { PaperAccount, PaperExecution, PaperOrder, Side } from './types.ts';

/**
 * Bookkeeping shared by user orders, limit fills and TP/SL closes: one fill moves the position
 * (one-way mode: one net position per symbol), the wallet and the fill history in one place.
 */

export const TAKER_FEE = 0.00055;
export const MAKER_FEE = 0.0002;
const HISTORY_CAP = 2000;
const EXECUTIONS_CAP = 20_000;

export interface Fill {
  price: number;
  qty: number;
  at: number;
  isMaker: boolean;
  mark: number;
}

export const sign = (side: Side): 1 | -1 => (side === 'Buy' ? 1 : -1);
export const opposite = (side: Side): Side => (side === 'Buy' ? 'Sell' : 'Buy');

let execSeq = 0;

/** Applies one fill of `order` to the account; returns the realised PnL of the closed part. */
export function applyFill(acc: PaperAccount, order: PaperOrder, fill: Fill, leverage: number): number {
  const feeRate = fill.isMaker ? MAKER_FEE : TAKER_FEE;
  const fee = fill.price * fill.qty * feeRate;
  const pos = acc.positions.get(order.symbol);
  let realised = 0;
  let closedSize = 0;
  if (!pos) {
    acc.positions.set(order.symbol, {
      symbol: order.symbol,
      side: order.side,
      size: fill.qty,
      entryPrice: fill.price,
      leverage,
      takeProfit: null,
      stopLoss: null,
      createdTime: fill.at,
      updatedTime: fill.at,
      cumRealisedPnl: -fee,
    });
  } else if (pos.side === order.side) {
    const size = pos.size + fill.qty;
    pos.entryPrice = (pos.entryPrice * pos.size + fill.price * fill.qty) / size;
    pos.size = size;
    pos.updatedTime = fill.at;
    pos.cumRealisedPnl -= fee;
  } else {
    closedSize = Math.min(pos.size, fill.qty);
    realised = (fill.price - pos.entryPrice) * closedSize * sign(pos.side);
    const rest = fill.qty - closedSize;
    pos.size = Number((pos.size - closedSize).toPrecision(12));
    pos.updatedTime = fill.at;
    pos.cumRealisedPnl += realised - fee;
    if (pos.size <= 0) {
      acc.positions.delete(order.symbol);
      cancelReduceOnly(acc, order.symbol, fill.at);
      if (rest > 0) {
        acc.positions.set(order.symbol, {
          ...pos,
          side: order.side,
          size: rest,
          entryPrice: fill.price,
          takeProfit: null,
          stopLoss: null,
          createdTime: fill.at,
          cumRealisedPnl: 0,
        });
      }
    }
  }
  acc.wallet += realised - fee;
  order.cumExecQty = Number((order.cumExecQty + fill.qty).toPrecision(12));
  order.cumExecValue += fill.price * fill.qty;
  order.cumExecFee += fee;
  order.avgPrice = order.cumExecValue / order.cumExecQty;
  order.updatedTime = fill.at;
  order.orderStatus = order.cumExecQty >= order.qty ? 'Filled' : 'PartiallyFilled';
  // An order's attached TP/SL becomes the position's (tpslMode Full), as on Bybit.
  const after = acc.positions.get(order.symbol);
  if (after && after.side === order.side) {
    if (order.takeProfit !== null) after.takeProfit = order.takeProfit;
    if (order.stopLoss !== null) after.stopLoss = order.stopLoss;
  }
  const exec: PaperExecution = {
    execId: `e${(++execSeq).toString(36).padStart(8, '0')}-${order.orderId.slice(-8)}`,
    orderId: order.orderId,
    orderLinkId: order.orderLinkId,
    symbol: order.symbol,
    side: order.side,
    orderType: order.orderType,
    orderPrice: order.price,
    orderQty: order.qty,
    execPrice: fill.price,
    execQty: fill.qty,
    execFee: fee,
    feeRate,
    execTime: fill.at,
    isMaker: fill.isMaker,
    closedSize,
    execType: order.createType === 'CreateByLiq' ? 'BustTrade' : 'Trade',
    stopOrderType: order.stopOrderType,
    createType: order.createType,
    markPrice: fill.mark,
  };
  acc.executions.push(exec);
  if (acc.executions.length > EXECUTIONS_CAP) acc.executions.splice(0, acc.executions.length - EXECUTIONS_CAP);
  return realised;
}

/** Maintenance margin rate of the paper's one risk tier. */
export const MAINTENANCE_MARGIN_RATE = 0.005;

/** Isolated-style estimate: the initial margin less the maintenance margin gone (as /v5/position/list shows it). */
export function liquidationPrice(p: { side: 'Buy' | 'Sell'; entryPrice: number; leverage: number }): number {
  return p.entryPrice * (1 - sign(p.side) * (1 / p.leverage - MAINTENANCE_MARGIN_RATE));
}

/** Moves a final order from the open book to the history. */
export function finalise(acc: PaperAccount, order: PaperOrder): void {
  acc.open.delete(order.orderId);
  acc.history.push(order);
  if (acc.history.length > HISTORY_CAP) acc.history.splice(0, acc.history.length - HISTORY_CAP);
}

/** A closed position leaves no reduce-only orders behind (Bybit cancels them). */
function cancelReduceOnly(acc: PaperAccount, symbol: string, at: number): void {
  for (const o of [...acc.open.values()]) {
    if (o.symbol === symbol && o.reduceOnly) {
      o.orderStatus = 'Cancelled';
      o.updatedTime = at;
      finalise(acc, o);
    }
  }
}

/** Initial margin tied up by positions and open orders, for the balance and the funds check. */
export function marginInUse(
  acc: PaperAccount,
  markOf: (symbol: string) => number,
  leverage: number,
): { positionIM: number; orderIM: number; upnl: number } {
  let positionIM = 0;
  let upnl = 0;
  for (const p of acc.positions.values()) {
    const mark = markOf(p.symbol);
    positionIM += (p.size * p.entryPrice) / p.leverage;
    upnl += (mark - p.entryPrice) * p.size * sign(p.side);
  }
  let orderIM = 0;
  for (const o of acc.open.values()) {
    if (!o.reduceOnly)
      orderIM +=
        ((o.qty - o.cumExecQty) * (o.price ?? markOf(o.symbol))) / (acc.positions.get(o.symbol)?.leverage ?? leverage);
  }
  return { positionIM, orderIM, upnl };
}
