import { BybitError, type Instrument, paramsError } from '../engine/types.ts';
import { linear, type Route, symbolOf } from './route-kit.ts';

/** Order and position changes beyond create/cancel/trading-stop: amend, cancel-all, set-leverage. */

export const TRADE_ROUTES: Record<string, Route> = {
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
