import type { PlaceRequest } from '../engine/orders.ts';
import { BybitError, type Instrument, paramsError } from '../engine/types.ts';
import { checkPositionIdx, linear, nonZero, type Route, symbolOf } from './route-kit.ts';

/** Order and position changes: create, cancel, trading-stop, amend, cancel-all, set-leverage. */

export const TRADE_ROUTES: Record<string, Route> = {
  '/v5/order/create': {
    method: 'POST',
    private: true,
    permission: 'Order',
    handle: ({ engine, p, acc, positionMode }) => {
      if (!linear(p))
        throw new BybitError(10001, 'params error: only category linear is supported by the paper exchange');
      checkPositionIdx(p, positionMode);
      const orderType = p.oneOf('orderType', ['Market', 'Limit'] as const);
      const qty = p.num('qty');
      if (qty === undefined || !(qty > 0)) throw paramsError('qty must be a positive number');
      if ((p.num('takeProfit') ?? 0) < 0 || (p.num('stopLoss') ?? 0) < 0)
        throw paramsError('takeProfit and stopLoss must be >= 0');
      const symbol = (symbolOf(engine, p, true) as Instrument).symbol;
      const triggerPrice = nonZero(p.num('triggerPrice'));
      const direction = p.int('triggerDirection', 0, 2, 0);
      const mark = engine.mark(symbol);
      const req: PlaceRequest = {
        symbol,
        side: p.oneOf('side', ['Buy', 'Sell'] as const),
        orderType,
        qty,
        price: orderType === 'Limit' ? (p.num('price') ?? null) : null,
        orderLinkId: p.str('orderLinkId') ?? '',
        reduceOnly: p.bool('reduceOnly'),
        takeProfit: nonZero(p.num('takeProfit')),
        stopLoss: nonZero(p.num('stopLoss')),
        timeInForce: p.oneOf('timeInForce', ['GTC', 'IOC', 'FOK', 'PostOnly'] as const, 'GTC'),
        trigger:
          triggerPrice === null
            ? null
            : {
                price: triggerPrice,
                // Without a direction, the side of the mark the trigger sits on says which way it fires.
                direction: direction === 1 || direction === 2 ? direction : triggerPrice > mark ? 1 : 2,
                by: p.oneOf('triggerBy', ['LastPrice', 'MarkPrice', 'IndexPrice'] as const, 'LastPrice'),
              },
        closeOnTrigger: p.bool('closeOnTrigger'),
        tpslMode: p.oneOf('tpslMode', ['Full', 'Partial'] as const, 'Full'),
        tpSize: p.num('tpSize') ?? null,
        slSize: p.num('slSize') ?? null,
      };
      const o = engine.placeOrder(acc, req);
      return { orderId: o.orderId, orderLinkId: o.orderLinkId };
    },
  },
  '/v5/order/cancel': {
    method: 'POST',
    private: true,
    permission: 'Order',
    handle: ({ engine, p, acc }) => {
      if (!linear(p)) throw new BybitError(110001, 'order not exists or too late to cancel');
      const symbol = (symbolOf(engine, p, true) as Instrument).symbol;
      const orderId = p.str('orderId');
      const orderLinkId = p.str('orderLinkId');
      if (orderId === undefined && orderLinkId === undefined) throw paramsError('orderId or orderLinkId is required');
      const o = engine.cancelOrder(acc, symbol, { orderId, orderLinkId });
      return { orderId: o.orderId, orderLinkId: o.orderLinkId };
    },
  },
  '/v5/position/trading-stop': {
    method: 'POST',
    private: true,
    permission: 'Position',
    handle: ({ engine, p, acc, positionMode }) => {
      if (!linear(p)) throw paramsError('only category linear is supported by the paper exchange');
      const symbol = (symbolOf(engine, p, true) as Instrument).symbol;
      checkPositionIdx(p, positionMode);
      const tpslMode = p.oneOf('tpslMode', ['Full', 'Partial'] as const, 'Full');
      const req = {
        tpslMode,
        takeProfit: p.num('takeProfit'),
        stopLoss: p.num('stopLoss'),
        tpSize: p.num('tpSize'),
        slSize: p.num('slSize'),
        trailingStop: p.num('trailingStop'),
        activePrice: p.num('activePrice'),
      };
      if (req.takeProfit === undefined && req.stopLoss === undefined && req.trailingStop === undefined)
        throw paramsError('takeProfit, stopLoss or trailingStop is required');
      if ([req.takeProfit, req.stopLoss, req.trailingStop, req.activePrice].some((v) => (v ?? 0) < 0))
        throw paramsError('takeProfit, stopLoss, trailingStop and activePrice must be >= 0');
      engine.setTradingStop(acc, symbol, req);
      return {};
    },
  },
  '/v5/order/amend': {
    method: 'POST',
    private: true,
    permission: 'Order',
    handle: ({ engine, p, acc }) => {
      if (!linear(p)) throw paramsError('only category linear is supported by the paper exchange');
      const symbol = (symbolOf(engine, p, true) as Instrument).symbol;
      const orderId = p.str('orderId');
      const orderLinkId = p.str('orderLinkId');
      if (orderId === undefined && orderLinkId === undefined) throw paramsError('orderId or orderLinkId is required');
      const req = {
        qty: p.num('qty'),
        price: p.num('price'),
        triggerPrice: p.num('triggerPrice'),
        takeProfit: p.num('takeProfit'),
        stopLoss: p.num('stopLoss'),
      };
      const o = engine.amendOrder(acc, symbol, { orderId, orderLinkId }, req);
      return { orderId: o.orderId, orderLinkId: o.orderLinkId };
    },
  },
  '/v5/order/cancel-all': {
    method: 'POST',
    private: true,
    permission: 'Order',
    handle: ({ engine, p, acc }) => {
      if (!linear(p)) return { list: [], success: '1' };
      const symbol = symbolOf(engine, p, false)?.symbol;
      if (symbol === undefined && p.str('settleCoin') === undefined && p.str('baseCoin') === undefined)
        throw paramsError('symbol, baseCoin or settleCoin is required');
      const base = p.str('baseCoin');
      const filter = p.str('orderFilter') ? p.oneOf('orderFilter', ['Order', 'StopOrder'] as const) : 'all';
      const symbols = base !== undefined && symbol === undefined ? `${base}USDT` : symbol;
      const cancelled = engine.cancelAll(acc, symbols, filter);
      return { list: cancelled.map((o) => ({ orderId: o.orderId, orderLinkId: o.orderLinkId })), success: '1' };
    },
  },
  '/v5/position/set-leverage': {
    method: 'POST',
    private: true,
    permission: 'Position',
    handle: ({ engine, p, acc }) => {
      if (!linear(p)) throw paramsError('only category linear is supported by the paper exchange');
      const symbol = (symbolOf(engine, p, true) as Instrument).symbol;
      const buy = p.num('buyLeverage');
      const sell = p.num('sellLeverage');
      if (buy === undefined || sell === undefined)
        throw new BybitError(10001, 'buyLeverage and sellLeverage are required');
      engine.setLeverage(acc, symbol, buy, sell);
      return {};
    },
  },
};
