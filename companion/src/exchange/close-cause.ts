import type { PositionSide } from '@tierwatch/shared';

/**
 * Why a position closed, read from Bybit's own history rows: /v5/order/history (stopOrderType, createType,
 * orderLinkId) and /v5/execution/list (the same fields plus execType). Pure, so every mapping is tested.
 */

export type ExchangeCloseReason = 'tp' | 'sl' | 'trailing-stop' | 'liquidation' | 'action' | 'manual';

export interface CloseCause {
  symbol: string;
  /** The side of the position that closed (the closing order's is the opposite). */
  side: PositionSide;
  reason: ExchangeCloseReason;
  /** The closing fill's average price; null when the row gave none. */
  price: number | null;
  /** The level that triggered it (TP, SL or trailing trigger); null when not a triggered close. */
  level: number | null;
  clientOrderId: string | null;
  /** Exchange time of the close (updatedTime / execTime). */
  at: number;
}

type Row = Record<string, unknown>;

/** Client order ids the companion sends: `tw-` (executions and actions), `twmc-` (mirror closes). */
export const OUR_CLIENT_ORDER_ID = /^tw[a-z]*-/;

/** Closes the exchange forces: liquidation, its takeover, auto-deleveraging, the margin-rate close. */
const FORCED_CREATE = new Set([
  'CreateByLiq',
  'CreateByTakeOver_PassThrough',
  'CreateByAdl_PassThrough',
  'CreateByMmRateClose',
]);
const FORCED_EXEC = new Set(['BustTrade', 'AdlTrade']);
const TP = new Set([
  'TakeProfit',
  'PartialTakeProfit',
  'CreateByTakeProfit',
  'CreateByPartialTakeProfit',
  'CreateByTrailingProfit',
]);
const SL = new Set(['StopLoss', 'PartialStopLoss', 'CreateByStopLoss', 'CreateByPartialStopLoss']);
const TRAILING = new Set(['TrailingStop', 'CreateByTrailingStop']);

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const positive = (v: unknown): number | null => {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : null;
};

/** The reason one history row gives. The forced close is checked first: it can carry any stopOrderType. */
export function closeReasonOf(row: Row): ExchangeCloseReason {
  const create = str(row.createType);
  const stop = str(row.stopOrderType);
  if (FORCED_CREATE.has(create) || FORCED_EXEC.has(str(row.execType))) return 'liquidation';
  if (TRAILING.has(stop) || TRAILING.has(create)) return 'trailing-stop';
  if (TP.has(stop) || TP.has(create)) return 'tp';
  if (SL.has(stop) || SL.has(create)) return 'sl';
  if (OUR_CLIENT_ORDER_ID.test(str(row.orderLinkId))) return 'action';
  return 'manual';
}

/** Whether a row is a fill that reduced a position (a close), as opposed to an open or an unfilled order. */
function isClosingRow(row: Row): boolean {
  if ('execType' in row) {
    return positive(row.closedSize) !== null || FORCED_EXEC.has(str(row.execType));
  }
  const status = str(row.orderStatus);
  if (status !== 'Filled' && status !== 'PartiallyFilledCanceled') return false;
  return (
    row.reduceOnly === true ||
    row.closeOnTrigger === true ||
    str(row.stopOrderType) !== '' ||
    FORCED_CREATE.has(str(row.createType))
  );
}

/**
 * The newest close per symbol + position side among `rows` (order history or executions), at or after
 * `since` (exchange ms), for the given symbols only.
 */
export function closeCauses(rows: readonly Row[], symbols: ReadonlySet<string>, since: number): CloseCause[] {
  const newest = new Map<string, CloseCause>();
  for (const row of rows) {
    const symbol = str(row.symbol);
    if (!symbols.has(symbol) || !isClosingRow(row)) continue;
    const at = Number(row.execTime ?? row.updatedTime ?? row.createdTime);
    if (!Number.isFinite(at) || at < since) continue;
    // The closing order sells a long and buys back a short.
    const side: PositionSide = str(row.side) === 'Sell' ? 'long' : 'short';
    const reason = closeReasonOf(row);
    const key = `${symbol}|${side}`;
    const prev = newest.get(key);
    if (prev && prev.at > at) continue;
    newest.set(key, {
      symbol,
      side,
      reason,
      price: positive(row.avgPrice) ?? positive(row.execPrice),
      level: reason === 'tp' || reason === 'sl' || reason === 'trailing-stop' ? positive(row.triggerPrice) : null,
      clientOrderId: str(row.orderLinkId) || null,
      at,
    });
  }
  return [...newest.values()];
}
