import { markExecution, markOrder } from './changes.ts';
import type { PaperAccount, PaperExecution, PaperOrder, PaperPosition, Side } from './types.ts';

/**
 * Bookkeeping shared by user orders, limit fills and TP/SL closes: one fill moves the position
 * (one-way mode: one net position per symbol), the wallet and the fill history in one place.
 */

export const TAKER_FEE = 0.00055;
export const MAKER_FEE = 0.0002;
const HISTORY_CAP = 2000;
const EXECUTIONS_CAP = 20_000;
const CLOSED_PNL_CAP = 2000;

export interface Fill {
  price: number;
  qty: number;
  at: number;
  isMaker: boolean;
  mark: number;
  /** BustTrade: a liquidation, closed at the bankruptcy price. */
  execType?: 'Trade' | 'BustTrade';
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
  } else ({ realised, closedSize } = reduce(acc, pos, order, fill, fee));
  acc.wallet += realised - fee;
  order.cumExecQty = Number((order.cumExecQty + fill.qty).toPrecision(12));
  order.cumExecValue += fill.price * fill.qty;
  order.cumExecFee += fee;
  order.avgPrice = order.cumExecValue / order.cumExecQty;
  order.updatedTime = fill.at;
  order.orderStatus = order.cumExecQty >= order.qty ? 'Filled' : 'PartiallyFilled';
  attachLevels(acc, order, fill.qty);
  recordExecution(acc, order, fill, { fee, feeRate, closedSize });
  return realised;
}

/**
 * A fill against the position: the closed part realised (and recorded as closed PnL), the position shrunk,
 * closed (its reduce-only orders cancelled) or flipped to the fill's side with what is left of the fill.
 */
function reduce(acc: PaperAccount, pos: PaperPosition, order: PaperOrder, fill: Fill, fee: number) {
  const closedSize = Math.min(pos.size, fill.qty);
  const realised = (fill.price - pos.entryPrice) * closedSize * sign(pos.side);
  acc.closedPnl ??= [];
  acc.closedPnl.push({
    symbol: order.symbol,
    orderId: order.orderId,
    side: order.side,
    qty: order.qty,
    orderPrice: order.price ?? fill.price,
    orderType: order.orderType,
    execType: fill.execType ?? 'Trade',
    closedSize,
    avgEntryPrice: pos.entryPrice,
    avgExitPrice: fill.price,
    closedPnl: realised - fee,
    leverage: pos.leverage,
    createdTime: order.createdTime,
    updatedTime: fill.at,
  });
  if (acc.closedPnl.length > CLOSED_PNL_CAP) acc.closedPnl.splice(0, acc.closedPnl.length - CLOSED_PNL_CAP);
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
  return { realised, closedSize };
}

/**
 * An order's attached TP/SL becomes the position's (tpslMode Full), as on Bybit; Partial ones become their
 * own orders (engine/conditional.ts, which needs order ids).
 */
function attachLevels(acc: PaperAccount, order: PaperOrder, qty: number): void {
  const after = acc.positions.get(order.symbol);
  if (!after || after.side !== order.side) return;
  if (order.tpslMode === 'Partial') {
    if (order.takeProfit !== null || order.stopLoss !== null) {
      acc.pendingPartials ??= [];
      acc.pendingPartials.push({ order, qty });
    }
    return;
  }
  if (order.takeProfit !== null) after.takeProfit = order.takeProfit;
  if (order.stopLoss !== null) after.stopLoss = order.stopLoss;
}

function recordExecution(
  acc: PaperAccount,
  order: PaperOrder,
  fill: Fill,
  cost: { fee: number; feeRate: number; closedSize: number },
): void {
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
    execFee: cost.fee,
    feeRate: cost.feeRate,
    execTime: fill.at,
    isMaker: fill.isMaker,
    closedSize: cost.closedSize,
    stopOrderType: order.stopOrderType,
    createType: order.createType,
    markPrice: fill.mark,
    execType: fill.execType ?? 'Trade',
  };
  acc.executions.push(exec);
  markExecution(acc, exec);
  markOrder(acc, order);
  if (acc.executions.length > EXECUTIONS_CAP) acc.executions.splice(0, acc.executions.length - EXECUTIONS_CAP);
}

/** Moves a final order from the open book to the history. */
export function finalise(acc: PaperAccount, order: PaperOrder): void {
  markOrder(acc, order);
  acc.open.delete(order.orderId);
  acc.history.push(order);
  if (acc.history.length > HISTORY_CAP) acc.history.splice(0, acc.history.length - HISTORY_CAP);
}

/** A closed position leaves no reduce-only orders behind (Bybit cancels them). */
function cancelReduceOnly(acc: PaperAccount, symbol: string, at: number): void {
  for (const o of [...acc.open.values()]) {
    if (o.symbol === symbol && o.reduceOnly) {
      o.orderStatus = o.orderStatus === 'Untriggered' ? 'Deactivated' : 'Cancelled';
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
    // A conditional order holds no margin until it triggers (Bybit).
    if (!o.reduceOnly && o.orderStatus !== 'Untriggered')
      orderIM +=
        ((o.qty - o.cumExecQty) * (o.price ?? markOf(o.symbol))) / (acc.positions.get(o.symbol)?.leverage ?? leverage);
  }
  return { positionIM, orderIM, upnl };
}
