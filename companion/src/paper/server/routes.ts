import { marginInUse } from '../engine/ledger.ts';
import type { PlaceRequest } from '../engine/orders.ts';
import { BybitError, type Instrument, type PaperOrder, paramsError } from '../engine/types.ts';
import { ACCOUNT_ROUTES } from './account-routes.ts';
import * as fmt from './bybit-dialect.ts';
import { MARKET_ROUTES } from './market-routes.ts';
import { page } from './params.ts';
import {
  CATEGORIES,
  checkPositionIdx,
  hasPartial,
  inst,
  linear,
  matchesIds,
  needSymbolOrSettle,
  nonZero,
  orderDto,
  type Route,
  symbolOf,
} from './route-kit.ts';
import { TRADE_ROUTES } from './trade-routes.ts';

/** The Bybit v5 endpoints ccxt's bybit class calls for our use, keyed by path; other categories answer empty. */

export const ROUTES: Record<string, Route> = {
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
  '/v5/user/query-api': {
    method: 'GET',
    private: true,
    handle: ({ engine, acc, permissions }) => ({
      id: String(acc.uid),
      note: `paper ${acc.name}`,
      apiKey: acc.apiKey,
      readOnly: permissions.readOnly ? 1 : 0,
      secret: '',
      permissions: {
        ContractTrade: permissions.readOnly ? [] : permissions.contractTrade,
        Spot: [],
        Wallet: permissions.wallet,
        Options: [],
        Derivatives: [],
        Exchange: [],
        NFT: [],
      },
      ips: permissions.ips,
      type: 1,
      // Bybit: the days left for a key that expires, -2 for one that does not.
      deadlineDay: permissions.expiredAt
        ? Math.max(0, Math.floor((Date.parse(permissions.expiredAt) - engine.now()) / 86_400_000))
        : -2,
      expiredAt: permissions.expiredAt ?? '',
      createdAt: '2024-01-01T00:00:00Z',
      unified: 0,
      uta: 1,
      userID: acc.uid,
      inviterID: 0,
      vipLevel: 'No VIP',
      mktMakerLevel: '0',
      affiliateID: 0,
      rsaPublicKey: '',
      isMaster: true,
    }),
  },
  '/v5/account/info': {
    method: 'GET',
    private: true,
    handle: () => ({
      marginMode: 'REGULAR_MARGIN',
      updatedTime: '0',
      unifiedMarginStatus: 6,
      dcpStatus: 'OFF',
      timeWindow: 10,
      smpGroup: 0,
      isMasterTrader: false,
      spotHedgingStatus: 'OFF',
    }),
  },
  '/v5/asset/coin/query-info': {
    method: 'GET',
    private: true,
    handle: () => ({ rows: [{ name: 'USDT', coin: 'USDT', remainAmount: '1000000', chains: [] }] }),
  },
  '/v5/account/wallet-balance': {
    method: 'GET',
    private: true,
    handle: ({ engine, p, acc, leverage }) => {
      const type = p.need('accountType');
      if (type !== 'UNIFIED') throw new BybitError(10001, 'accountType only support UNIFIED.');
      const coin = p.str('coin');
      const w = fmt.wallet(acc, marginInUse(acc, engine.mark, leverage));
      if (coin !== undefined && !coin.split(',').includes('USDT')) w.coin = [];
      return { list: [w] };
    },
  },
  '/v5/position/list': {
    method: 'GET',
    private: true,
    handle: ({ engine, p, acc, positionMode }) => {
      if (!linear(p)) return { category: p.str('category'), list: [], nextPageCursor: '' };
      needSymbolOrSettle(p);
      const one = symbolOf(engine, p, false);
      const settleOk = (p.str('settleCoin') ?? 'USDT') === 'USDT';
      const all = [...acc.positions.values()]
        .filter((x) => settleOk && (!one || x.symbol === one.symbol))
        .sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
      const { list, nextPageCursor } = page(all, p, 20, 200);
      return {
        category: 'linear',
        list: list.map((x) => {
          const row = fmt.position(inst(engine, x.symbol), x, engine.mark(x.symbol), hasPartial(acc, x.symbol));
          // Hedge mode: each side has its own slot, 1 for the buy side and 2 for the sell side.
          return positionMode === 'hedge' ? { ...row, positionIdx: row.side === 'Sell' ? 2 : 1 } : row;
        }),
        nextPageCursor,
      };
    },
  },
  '/v5/order/realtime': {
    method: 'GET',
    private: true,
    handle: ({ engine, p, acc }) => {
      if (!linear(p)) return { category: p.str('category'), list: [], nextPageCursor: '' };
      needSymbolOrSettle(p);
      const one = symbolOf(engine, p, false);
      // No filter: every kind of open order (Bybit's unified account); otherwise plain, conditional, or TP/SL ones.
      const filter = p.str('orderFilter')
        ? p.oneOf('orderFilter', ['Order', 'StopOrder', 'tpslOrder', 'OcoOrder', 'BidirectionalTpslOrder'])
        : 'all';
      const kindOf = (o: PaperOrder) =>
        o.stopOrderType === 'PartialTakeProfit' || o.stopOrderType === 'PartialStopLoss'
          ? 'tpslOrder'
          : o.stopOrderType === 'Stop' && o.orderStatus === 'Untriggered'
            ? 'StopOrder'
            : 'Order';
      const byId = p.str('orderId') !== undefined || p.str('orderLinkId') !== undefined;
      // Bybit also answers recent closed orders when asked by id (openOnly=0): ccxt's fetchOrder relies on it.
      const pool = byId ? [...acc.open.values(), ...acc.history.slice(-500)] : [...acc.open.values()];
      const all = pool
        .filter(
          (o) => (!one || o.symbol === one.symbol) && matchesIds(o, p) && (filter === 'all' || kindOf(o) === filter),
        )
        .sort((a, b) => b.createdTime - a.createdTime);
      const { list, nextPageCursor } = page(all, p, 20, 50);
      return { category: 'linear', list: list.map((o) => orderDto(engine, o)), nextPageCursor };
    },
  },
  '/v5/order/history': {
    method: 'GET',
    private: true,
    handle: ({ engine, p, acc }) => {
      if (!linear(p)) return { category: p.str('category'), list: [], nextPageCursor: '' };
      const one = symbolOf(engine, p, false);
      const status = p.str('orderStatus');
      const all = [...acc.history, ...acc.open.values()]
        .filter(
          (o) =>
            (!one || o.symbol === one.symbol) && matchesIds(o, p) && (status === undefined || o.orderStatus === status),
        )
        .sort((a, b) => b.createdTime - a.createdTime);
      const { list, nextPageCursor } = page(all, p, 20, 50);
      return { category: 'linear', list: list.map((o) => orderDto(engine, o)), nextPageCursor };
    },
  },
  '/v5/execution/list': {
    method: 'GET',
    private: true,
    handle: ({ engine, p, acc }) => {
      if (!linear(p)) return { category: p.str('category'), list: [], nextPageCursor: '' };
      const one = symbolOf(engine, p, false);
      const start = p.num('startTime');
      const end = p.num('endTime');
      const execType = p.str('execType');
      const all = acc.executions
        .filter(
          (e) =>
            (!one || e.symbol === one.symbol) &&
            (start === undefined || e.execTime >= start) &&
            (end === undefined || e.execTime <= end) &&
            (execType === undefined || (e.execType ?? 'Trade') === execType) &&
            (p.str('orderId') === undefined || e.orderId === p.str('orderId')) &&
            (p.str('orderLinkId') === undefined || e.orderLinkId === p.str('orderLinkId')),
        )
        .sort((a, b) => b.execTime - a.execTime);
      const { list, nextPageCursor } = page(all, p, 50, 100);
      return { category: 'linear', list: list.map((e) => fmt.execution(inst(engine, e.symbol), e)), nextPageCursor };
    },
  },
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
  ...TRADE_ROUTES,
  ...MARKET_ROUTES,
  ...ACCOUNT_ROUTES,
};
