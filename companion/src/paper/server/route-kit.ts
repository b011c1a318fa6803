import type { PaperEngine } from '../engine/engine.ts';
import { BybitError, type Instrument, type PaperAccount, type PaperOrder, paramsError } from '../engine/types.ts';
import type { ApiPermissions } from '../options.ts';
import * as fmt from './bybit-dialect.ts';
import type { Params } from './params.ts';

/** What every route module shares: the route shape and the parameter rules Bybit applies everywhere. */

export interface RouteContext {
  engine: PaperEngine;
  p: Params;
  acc: PaperAccount;
  leverage: number;
  permissions: ApiPermissions;
  /** Bybit's position mode of the account (USDT perpetuals): one-way (positionIdx 0) or hedge (1 buy, 2 sell). */
  positionMode: PositionMode;
}

export type PositionMode = 'one-way' | 'hedge';

/** Bybit answers 10001 when a write's positionIdx does not fit the account's position mode. */
export function checkPositionIdx(p: Params, mode: PositionMode): void {
  const idx = p.int('positionIdx', 0, 2, 0);
  if ((mode === 'one-way') !== (idx === 0)) throw new BybitError(10001, 'position idx not match position mode');
}

/** Bybit's permission rules: a read-only key writes nothing; a write needs its ContractTrade permission. */
export function checkPermission(route: Route, perms: ApiPermissions): void {
  if (route.method !== 'POST' || !route.private) return;
  if (perms.readOnly || (route.permission && !perms.contractTrade.includes(route.permission)))
    throw new BybitError(10005, 'Permission denied, please check your API key permissions.');
}

export interface Route {
  method: 'GET' | 'POST';
  private: boolean;
  /** The ContractTrade permission a write needs (Bybit answers 10005 without it). */
  permission?: 'Order' | 'Position';
  handle(ctx: RouteContext): unknown;
}

export const CATEGORIES = ['linear', 'inverse', 'spot', 'option'] as const;

/** Linear is the only market here; the other categories exist and are empty. */
export function linear(p: Params): boolean {
  return p.oneOf('category', CATEGORIES) === 'linear';
}

export function symbolOf(engine: PaperEngine, p: Params, required: boolean): Instrument | undefined {
  const s = required ? p.need('symbol') : p.str('symbol');
  if (s === undefined) return undefined;
  const inst = engine.instrument(s);
  if (!inst) throw new BybitError(10001, 'Not supported symbols');
  return inst;
}

export function needSymbolOrSettle(p: Params): void {
  if (p.str('symbol') === undefined && p.str('settleCoin') === undefined && p.str('baseCoin') === undefined) {
    throw paramsError('symbol or settleCoin is required');
  }
  const settle = p.str('settleCoin');
  if (settle !== undefined && settle !== 'USDT' && settle !== 'USDC') throw paramsError('settleCoin invalid');
}

export const inst = (engine: PaperEngine, symbol: string) => engine.instrument(symbol) as Instrument;
export const orderDto = (engine: PaperEngine, o: PaperOrder) => fmt.order(inst(engine, o.symbol), o);

export function matchesIds(o: PaperOrder, p: Params): boolean {
  const id = p.str('orderId');
  const link = p.str('orderLinkId');
  return (id === undefined || o.orderId === id) && (link === undefined || o.orderLinkId === link);
}

export const nonZero = (v: number | undefined): number | null => (v === undefined || v === 0 ? null : v);

/** Bybit shows tpslMode Partial on a position that has partial TP/SL orders. */
export const hasPartial = (acc: PaperAccount, symbol: string): boolean =>
  [...acc.open.values()].some(
    (o) => o.symbol === symbol && (o.stopOrderType === 'PartialTakeProfit' || o.stopOrderType === 'PartialStopLoss'),
  );
