import { marginInUse } from '../engine/ledger.ts';
import { BybitError, type PaperOrder } from '../engine/types.ts';
import { ACCOUNT_ROUTES } from './account-routes.ts';
import * as fmt from './bybit-dialect.ts';
import { MARKET_ROUTES } from './market-routes.ts';
import { page } from './params.ts';
import {
  hasPartial,
  inst,
  linear,
  matchesIds,
  needSymbolOrSettle,
  orderDto,
  type Route,
  symbolOf,
} from './route-kit.ts';
import { TRADE_ROUTES } from './trade-routes.ts';

/** The Bybit v5 endpoints ccxt's bybit class calls for our use, keyed by path; other categories answer empty. */

export const ROUTES: Record<string, Route> = {
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
  ...TRADE_ROUTES,
  ...MARKET_ROUTES,
  ...ACCOUNT_ROUTES,
};
