import { MAKER_FEE, TAKER_FEE } from '../engine/ledger.ts';
import type { ClosedPnl, Instrument } from '../engine/types.ts';
import { page } from './params.ts';
import { linear, type Route, symbolOf } from './route-kit.ts';

/** /v5/account/fee-rate and /v5/position/closed-pnl. */

const money = (v: number): string => v.toFixed(8).replace(/\.?0+$/, '') || '0';
const WEEK = 7 * 86_400_000;

function closedPnlDto(inst: Instrument, c: ClosedPnl) {
  const px = (v: number) => v.toFixed(inst.priceDecimals);
  return {
    symbol: c.symbol,
    orderId: c.orderId,
    side: c.side,
    qty: c.qty.toFixed(inst.qtyDecimals),
    orderPrice: px(c.orderPrice),
    orderType: c.orderType,
    execType: c.execType,
    closedSize: c.closedSize.toFixed(inst.qtyDecimals),
    cumEntryValue: money(c.avgEntryPrice * c.closedSize),
    avgEntryPrice: px(c.avgEntryPrice),
    cumExitValue: money(c.avgExitPrice * c.closedSize),
    avgExitPrice: px(c.avgExitPrice),
    closedPnl: money(c.closedPnl),
    fillCount: '1',
    leverage: String(c.leverage),
    createdTime: String(Math.floor(c.createdTime)),
    updatedTime: String(Math.floor(c.updatedTime)),
  };
}

export const ACCOUNT_ROUTES: Record<string, Route> = {
  '/v5/account/fee-rate': {
    method: 'GET',
    private: true,
    handle: ({ engine, p }) => {
      if (!linear(p)) return { category: p.str('category'), list: [] };
      const one = symbolOf(engine, p, false);
      const list = (one ? [one] : engine.instruments()).map((i) => ({
        symbol: i.symbol,
        baseCoin: '',
        takerFeeRate: String(TAKER_FEE),
        makerFeeRate: String(MAKER_FEE),
      }));
      return { category: 'linear', list };
    },
  },
  '/v5/position/closed-pnl': {
    method: 'GET',
    private: true,
    handle: ({ engine, p, acc }) => {
      if (!linear(p)) return { category: p.str('category'), list: [], nextPageCursor: '' };
      const one = symbolOf(engine, p, false);
      const end = p.num('endTime') ?? engine.now();
      const start = p.num('startTime') ?? end - WEEK;
      const all = (acc.closedPnl ?? [])
        .filter((c) => (!one || c.symbol === one.symbol) && c.updatedTime >= start && c.updatedTime <= end)
        .sort((a, b) => b.updatedTime - a.updatedTime);
      const { list, nextPageCursor } = page(all, p, 50, 100);
      return {
        category: 'linear',
        list: list.map((c) => closedPnlDto(engine.instrument(c.symbol) as Instrument, c)),
        nextPageCursor,
      };
    },
  },
};
