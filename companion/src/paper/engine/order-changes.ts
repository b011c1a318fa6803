import { onStep } from '@tierwatch/shared';
import { markOrder } from './changes.ts';
import { applyFill, finalise } from './ledger.ts';
import { checkLevels, type MarketView, openOrder } from './orders.ts';
import { BybitError, type Instrument, type PaperAccount, type PaperOrder, paramsError } from './types.ts';

/** Changes to orders already placed: /v5/order/amend and /v5/order/cancel-all. */

/** Open orders of a symbol (or all), as /v5/order/cancel-all picks them: plain orders, or conditional ones. */
export function cancelAll(
  acc: PaperAccount,
  symbol: string | undefined,
  filter: 'Order' | 'StopOrder' | 'all',
  now: number,
): PaperOrder[] {
  const out: PaperOrder[] = [];
  for (const o of [...acc.open.values()]) {
    if (symbol !== undefined && o.symbol !== symbol) continue;
    const conditional = o.orderStatus === 'Untriggered';
    if ((filter === 'Order' && conditional) || (filter === 'StopOrder' && !conditional)) continue;
    o.orderStatus = conditional ? 'Deactivated' : 'Cancelled';
    o.updatedTime = now;
    finalise(acc, o);
    out.push(o);
  }
  return out;
}

export interface AmendRequest {
  qty?: number;
  price?: number;
  triggerPrice?: number;
  takeProfit?: number;
  stopLoss?: number;
}

/** /v5/order/amend: an open order's qty, price, trigger or attached TP/SL; a limit amended across the mark fills. */
export function amendOrder(
  acc: PaperAccount,
  symbol: string,
  ids: { orderId?: string; orderLinkId?: string },
  req: AmendRequest,
  m: MarketView,
): PaperOrder {
  const order = openOrder(acc, symbol, ids, 'amend');
  const inst = m.instrument(symbol) as Instrument;
  const next = {
    qty: order.qty,
    price: order.price,
    trigger: order.trigger ?? null,
    tp: order.takeProfit,
    sl: order.stopLoss,
  };
  if (req.qty !== undefined) {
    if (!onStep(req.qty, inst.qtyStep) || req.qty < inst.minQty || req.qty <= order.cumExecQty)
      throw new BybitError(10001, `Qty invalid: ${req.qty}`);
    next.qty = req.qty;
  }
  if (req.price !== undefined) {
    if (order.orderType !== 'Limit') throw paramsError('price can only be amended on a Limit order');
    if (!(req.price > 0) || !onStep(req.price, inst.tickSize))
      throw new BybitError(10001, `Price invalid: ${req.price}`);
    next.price = req.price;
  }
  if (req.triggerPrice !== undefined) {
    if (!next.trigger || order.orderStatus !== 'Untriggered')
      throw paramsError('triggerPrice can only be amended on an untriggered conditional order');
    const mark = m.mark(symbol);
    if (next.trigger.direction === 1 ? req.triggerPrice <= mark : req.triggerPrice >= mark)
      throw new BybitError(
        next.trigger.direction === 1 ? 110092 : 110093,
        `trigger_price[${req.triggerPrice}] vs current[${mark}]`,
      );
    next.trigger = { ...next.trigger, price: req.triggerPrice };
  }
  if (req.takeProfit !== undefined) next.tp = req.takeProfit === 0 ? null : req.takeProfit;
  if (req.stopLoss !== undefined) next.sl = req.stopLoss === 0 ? null : req.stopLoss;
  const unchanged =
    next.qty === order.qty &&
    next.price === order.price &&
    next.trigger?.price === order.trigger?.price &&
    next.tp === order.takeProfit &&
    next.sl === order.stopLoss;
  if (unchanged)
    throw new BybitError(10001, 'The order remains unchanged as the parameters entered match the existing ones.');
  checkLevels(order.side, next.trigger?.price ?? next.price ?? m.mark(symbol), next.tp, next.sl);
  Object.assign(order, {
    qty: next.qty,
    price: next.price,
    trigger: next.trigger,
    takeProfit: next.tp,
    stopLoss: next.sl,
  });
  order.updatedTime = m.now;
  markOrder(acc, order);
  const mark = m.mark(symbol);
  if (order.orderStatus !== 'Untriggered' && order.orderType === 'Limit' && order.price !== null) {
    if (order.side === 'Buy' ? mark <= order.price : mark >= order.price) {
      const leverage = acc.leverageBySymbol?.get(symbol) ?? m.leverage;
      applyFill(
        acc,
        order,
        { price: order.price, qty: order.qty - order.cumExecQty, at: m.now, isMaker: false, mark },
        leverage,
      );
      finalise(acc, order);
    }
  }
  return order;
}
