import { onStep } from '@tierwatch/shared';
import { markOrder } from './changes.ts';
import { applyFill, finalise, marginInUse, opposite, sign } from './ledger.ts';
import {
  BybitError,
  type Instrument,
  type PaperAccount,
  type PaperOrder,
  paramsError,
  type Side,
  type Trigger,
} from './types.ts';

/**
 * Order entry as Bybit validates it (one-way mode, linear): every rejection is a retCode ccxt knows,
 * so the companion's error mapping is exercised on the same codes the real exchange sends.
 */

export interface PlaceRequest {
  symbol: string;
  side: Side;
  orderType: 'Market' | 'Limit';
  qty: number;
  price: number | null;
  orderLinkId: string;
  reduceOnly: boolean;
  takeProfit: number | null;
  stopLoss: number | null;
  timeInForce: PaperOrder['timeInForce'];
  /** A conditional order: rests Untriggered until the price crosses. */
  trigger?: Trigger | null;
  closeOnTrigger?: boolean;
  tpslMode?: 'Full' | 'Partial';
  tpSize?: number | null;
  slSize?: number | null;
}

export interface MarketView {
  now: number;
  mark(symbol: string): number;
  instrument(symbol: string): Instrument | undefined;
  slippageBps: number;
  leverage: number;
  nextOrderId(): string;
}

export function placeOrder(acc: PaperAccount, req: PlaceRequest, m: MarketView): PaperOrder {
  const inst = m.instrument(req.symbol);
  if (!inst) throw new BybitError(10001, 'Not supported symbols');
  const mark = m.mark(req.symbol);
  const { trigger, reduceOnly, basePrice } = checkRequest(acc, req, inst, mark);
  const leverage = acc.leverageBySymbol?.get(req.symbol) ?? m.leverage;
  const qty = sized(acc, req, m, { trigger, reduceOnly, basePrice, leverage });
  const order = newOrder(req, m, { qty, reduceOnly, trigger });
  if (order.orderLinkId) acc.linkIds.set(order.orderLinkId, order);
  acc.open.set(order.orderId, order);
  markOrder(acc, order);
  if (trigger) {
    order.orderStatus = 'Untriggered';
    return order;
  }
  const crosses =
    req.orderType === 'Limit' && (req.side === 'Buy' ? mark <= (req.price as number) : mark >= (req.price as number));
  if (req.orderType === 'Market') {
    fillAtMarket(acc, order, m, mark);
  } else if (crosses) {
    if (order.timeInForce === 'PostOnly') {
      order.orderStatus = 'Cancelled';
      finalise(acc, order);
    } else {
      applyFill(acc, order, { price: req.price as number, qty, at: m.now, isMaker: false, mark }, leverage);
      finalise(acc, order);
    }
  } else if (order.timeInForce === 'IOC' || order.timeInForce === 'FOK') {
    order.orderStatus = 'Cancelled';
    finalise(acc, order);
  }
  return order;
}

/** Bybit's checks of an order request, with its codes; what the order is then priced and sized at. */
function checkRequest(acc: PaperAccount, req: PlaceRequest, inst: Instrument, mark: number) {
  if (req.orderLinkId.length > 36) throw paramsError('orderLinkId is longer than 36 characters');
  if (req.orderLinkId && acc.linkIds.has(req.orderLinkId)) throw new BybitError(110072, 'OrderLinkedID is duplicate');
  if (!onStep(req.qty, inst.qtyStep))
    throw new BybitError(10001, `Qty invalid: ${req.qty} is not a multiple of qtyStep ${inst.qtyStep}`);
  if (req.qty < inst.minQty) throw new BybitError(10001, `The number of contracts is below the minimum ${inst.minQty}`);
  if (req.qty > inst.maxQty)
    throw new BybitError(10001, `The number of contracts exceeds maximum limit allowed: ${inst.maxQty}`);
  const trigger = req.trigger ?? null;
  if (trigger) {
    if (!(trigger.price > 0) || !onStep(trigger.price, inst.tickSize))
      throw new BybitError(10001, `TriggerPrice invalid: ${trigger.price} (tickSize ${inst.tickSize})`);
    if (trigger.direction === 1 && trigger.price <= mark)
      throw new BybitError(110092, `expect Rising, but trigger_price[${trigger.price}] <= current[${mark}]`);
    if (trigger.direction === 2 && trigger.price >= mark)
      throw new BybitError(110093, `expect Falling, but trigger_price[${trigger.price}] >= current[${mark}]`);
  }
  const reduceOnly = req.reduceOnly || req.closeOnTrigger === true;
  if (req.tpslMode === 'Partial') {
    for (const [level, size] of [
      [req.takeProfit, req.tpSize],
      [req.stopLoss, req.slSize],
    ] as const) {
      if (level !== null && (size === undefined || size === null || !(size > 0) || size > req.qty))
        throw paramsError('tpSize and slSize must be set, positive and at most qty in tpslMode Partial');
    }
  }
  if (req.orderType === 'Limit') {
    if (req.price === null) throw paramsError('price is required for Limit orders');
    if (!(req.price > 0) || !onStep(req.price, inst.tickSize))
      throw new BybitError(10001, `Price invalid: ${req.price} (tickSize ${inst.tickSize})`);
    if (req.price > mark * 10 || req.price < mark / 10)
      throw new BybitError(110003, 'Order price is out of permissible range');
  }
  const basePrice = trigger ? trigger.price : req.orderType === 'Limit' ? (req.price as number) : mark;
  if (req.qty * basePrice < inst.minNotional && !reduceOnly) {
    throw new BybitError(110094, `Order does not meet minimum order value ${inst.minNotional}USDT`);
  }
  checkLevels(req.side, basePrice, req.takeProfit, req.stopLoss);
  return { trigger, reduceOnly, basePrice };
}

/**
 * The quantity the order stands for: a reduce-only one is cut to the opposite position (none: refused);
 * any other needs the margin for what does not reduce (110007 without it). A conditional one is checked
 * when it fires.
 */
function sized(
  acc: PaperAccount,
  req: PlaceRequest,
  m: MarketView,
  o: { trigger: PlaceRequest['trigger']; reduceOnly: boolean; basePrice: number; leverage: number },
): number {
  if (o.trigger) return req.qty;
  const pos = acc.positions.get(req.symbol);
  if (o.reduceOnly) {
    if (!pos || pos.side === req.side)
      throw new BybitError(110017, 'Reduce-only rule not satisfied: no opposite position to reduce');
    return Math.min(req.qty, pos.size);
  }
  const { positionIM, orderIM, upnl } = marginInUse(acc, m.mark, m.leverage);
  const available = acc.wallet + Math.min(0, upnl) - positionIM - orderIM;
  const reducing = pos && pos.side !== req.side ? Math.min(pos.size, req.qty) : 0;
  const need = ((req.qty - reducing) * o.basePrice) / o.leverage;
  if (need > available) throw new BybitError(110007, 'ab not enough for new order');
  return req.qty;
}

function newOrder(
  req: PlaceRequest,
  m: MarketView,
  o: { qty: number; reduceOnly: boolean; trigger: PlaceRequest['trigger'] },
): PaperOrder {
  const trigger = o.trigger ?? null;
  return {
    orderId: m.nextOrderId(),
    orderLinkId: req.orderLinkId,
    symbol: req.symbol,
    side: req.side,
    orderType: req.orderType,
    price: req.price,
    qty: o.qty,
    cumExecQty: 0,
    cumExecValue: 0,
    cumExecFee: 0,
    avgPrice: null,
    orderStatus: 'New',
    reduceOnly: o.reduceOnly,
    takeProfit: req.takeProfit,
    stopLoss: req.stopLoss,
    timeInForce: req.orderType === 'Market' ? 'IOC' : req.timeInForce,
    stopOrderType: trigger ? 'Stop' : '',
    createType: 'CreateByUser',
    createdTime: m.now,
    updatedTime: m.now,
    trigger,
    closeOnTrigger: req.closeOnTrigger === true,
    tpslMode: req.tpslMode ?? 'Full',
    tpSize: req.tpSize ?? null,
    slSize: req.slSize ?? null,
  };
}

/** Fills at mark moved against the trader by the configured slippage. */
export function fillAtMarket(
  acc: PaperAccount,
  order: PaperOrder,
  m: Pick<MarketView, 'now' | 'instrument' | 'slippageBps' | 'leverage'>,
  mark: number,
): void {
  const inst = m.instrument(order.symbol) as Instrument;
  const raw = mark * (1 + (sign(order.side) * m.slippageBps) / 10_000);
  const price = Number((Math.round(raw / inst.tickSize) * inst.tickSize).toFixed(inst.priceDecimals));
  const leverage = acc.leverageBySymbol?.get(order.symbol) ?? m.leverage;
  applyFill(acc, order, { price, qty: order.qty - order.cumExecQty, at: m.now, isMaker: false, mark }, leverage);
  finalise(acc, order);
}

/** Bybit: a long's TP above the base price and SL below it; the reverse for a short. 0 clears a level. */
export function checkLevels(side: Side, base: number, tp: number | null, sl: number | null): void {
  const up = side === 'Buy';
  if (tp !== null && tp > 0 && (up ? tp <= base : tp >= base)) {
    throw new BybitError(
      10001,
      `TakeProfit:${tp} set for ${up ? 'Buy' : 'Sell'} position should be ${up ? 'higher' : 'lower'} than base_price:${base}`,
    );
  }
  if (sl !== null && sl > 0 && (up ? sl >= base : sl <= base)) {
    throw new BybitError(
      10001,
      `StopLoss:${sl} set for ${up ? 'Buy' : 'Sell'} position should be ${up ? 'lower' : 'higher'} than base_price:${base}`,
    );
  }
}

/** An open order of `symbol` by id or link id, as /v5/order/amend and /cancel find it (110001 if none). */
export function openOrder(
  acc: PaperAccount,
  symbol: string,
  ids: { orderId?: string; orderLinkId?: string },
  verb: 'amend' | 'cancel',
): PaperOrder {
  const order = ids.orderId
    ? acc.open.get(ids.orderId)
    : ids.orderLinkId
      ? acc.linkIds.get(ids.orderLinkId)
      : undefined;
  if (!order || order.symbol !== symbol || !acc.open.has(order.orderId))
    throw new BybitError(110001, `order not exists or too late to ${verb}`);
  return order;
}

export function cancelOrder(
  acc: PaperAccount,
  symbol: string,
  ids: { orderId?: string; orderLinkId?: string },
  now: number,
): PaperOrder {
  const order = openOrder(acc, symbol, ids, 'cancel');
  order.orderStatus = order.orderStatus === 'Untriggered' ? 'Deactivated' : 'Cancelled';
  order.updatedTime = now;
  finalise(acc, order);
  return order;
}

export { opposite };
