import { Balance, Order, Position, SYMBOL_PATTERN, Ticker } from '@tierwatch/shared';
import type { z } from 'zod';
import { ExchangeCallError } from './errors.ts';

/**
 * ccxt's unified structures → protocol types, with explicit nulls. Pure functions: the only knowledge of
 * ccxt's shapes outside the adapter. A malformed row fails the whole read with an error naming the row and
 * field: a missing row would look like a closed position to the monitor, which is worse than no data.
 */

type Loose = Record<string, unknown>;

const num = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : Number.NaN;
};
/** Bybit sends "0" or "" for an unset TP, SL or liquidation price. */
const level = (v: unknown): number | null => {
  const n = num(v);
  return n === null || n === 0 ? null : n;
};
const info = (o: Loose): Loose => (o.info && typeof o.info === 'object' ? (o.info as Loose) : {});
/** ccxt's market id (BTCUSDT) is the protocol's symbol; fall back to the unified one (BTC/USDT:USDT). */
const marketId = (o: Loose): string => {
  const raw = info(o).symbol;
  if (typeof raw === 'string' && raw) return raw;
  const unified = String(o.symbol ?? '');
  return unified.replace(/:.*$/, '').replace('/', '');
};

function check<T>(schema: z.ZodType<T>, value: unknown, account: string, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.');
  const got = (value as Loose)[String(issue.path[0])];
  const shown =
    got === null || got === undefined ? 'missing' : Number.isNaN(got) ? 'not a number' : JSON.stringify(got);
  throw new ExchangeCallError(
    'retry',
    'EXCHANGE_ERROR',
    `${account}: the exchange sent a malformed ${what}: ${field} = ${shown} (${issue.message})`,
    account,
  );
}

/**
 * One row of Bybit's /v5/position/list, straight from the response: ccxt's parsePosition costs more than
 * the rest of a monitoring tick together at thousands of positions (string arithmetic, a dozen derived
 * fields the companion never reads), so positions skip it, like tickers do. Signing, transport and error
 * mapping stay ccxt's.
 */
export function toPosition(account: string, raw: Loose): Position {
  const symbol = String(raw.symbol ?? '');
  // One-way mode: side Buy/Sell. Hedge mode: positionIdx 1 is the long leg, 2 the short.
  const side =
    raw.positionIdx === '1' || raw.positionIdx === 1
      ? 'long'
      : raw.positionIdx === '2' || raw.positionIdx === 2
        ? 'short'
        : raw.side === 'Buy'
          ? 'long'
          : raw.side === 'Sell'
            ? 'short'
            : raw.side;
  const updated = num(raw.updatedTime);
  return check(
    Position,
    {
      account,
      symbol,
      side,
      size: num(raw.size),
      entryPrice: num(raw.avgPrice ?? raw.entryPrice),
      markPrice: num(raw.markPrice),
      takeProfit: level(raw.takeProfit),
      stopLoss: level(raw.stopLoss),
      liquidationPrice: level(raw.liqPrice),
      unrealisedPnl: num(raw.unrealisedPnl) ?? 0,
      leverage: level(raw.leverage),
      positionValue: num(raw.positionValue),
      lastActivityAt: updated === null || Number.isNaN(updated) ? null : Math.floor(updated),
    },
    account,
    `position (${symbol})`,
  );
}

/**
 * Bybit also lists flat symbols (size "0", side "") in some modes: those are not positions. Only a size
 * that reads as exactly zero is flat; anything else that is not a positive number ("-1", "NaN", "", a
 * missing size, "1e400") is a malformed row and goes on to fail the read in toPosition. Dropping it here
 * would make an open position look closed.
 */
export const isOpenPosition = (raw: Loose): boolean => num(raw.size) !== 0;

/** A symbol as Bybit writes one: upper-case letters and digits, dated contracts with dashes. */
const BYBIT_SYMBOL = /^[A-Z0-9]+(-[A-Z0-9]+)*$/;

/**
 * A row of a Bybit symbol Tierwatch does not watch: it watches USDT perpetuals (the protocol's symbols),
 * but Bybit's linear category, and its USDT settle coin, also list USDC perpetuals (BTCPERP) and dated
 * futures (BTC-26DEC25, BTCUSDT-26DEC25). Such rows are left out of reads and pushes: one of them would
 * otherwise fail the account's whole read as malformed. A row whose symbol is missing or garbled is still
 * malformed.
 */
export const notWatched = (raw: Loose): boolean =>
  typeof raw.symbol === 'string' && BYBIT_SYMBOL.test(raw.symbol) && !SYMBOL_PATTERN.test(raw.symbol);

/**
 * One account's position/list rows: the flat ones and those of symbols not watched left out, every other
 * one normalised or the read fails.
 */
export const toPositions = (account: string, rows: readonly Loose[]): Position[] =>
  rows.filter((raw) => isOpenPosition(raw) && !notWatched(raw)).map((raw) => toPosition(account, raw));

const ORDER_STATUS: Record<string, Order['status']> = {
  open: 'open',
  closed: 'filled',
  canceled: 'cancelled',
  cancelled: 'cancelled',
  expired: 'cancelled',
  rejected: 'rejected',
};

export function toOrder(account: string, o: Loose): Order {
  const filled = num(o.filled) ?? 0;
  const status = ORDER_STATUS[String(o.status)] ?? 'open';
  return check(
    Order,
    {
      account,
      id: String(o.id ?? ''),
      clientOrderId: typeof o.clientOrderId === 'string' && o.clientOrderId ? o.clientOrderId : null,
      symbol: marketId(o),
      side: o.side,
      type: o.type === 'market' ? 'market' : 'limit',
      price: level(o.price),
      qty: num(o.amount),
      filledQty: filled,
      reduceOnly: o.reduceOnly === true,
      status: status === 'open' && filled > 0 ? 'partially_filled' : status,
      takeProfit: level(o.takeProfitPrice),
      stopLoss: level(o.stopLossPrice),
      createdAt: num(o.timestamp) ?? 0,
    },
    account,
    `order (${String(o.id)})`,
  );
}

/** Every currency the account holds, plus USDT (the margin currency) even when empty. */
export function toBalances(account: string, b: Loose): Balance[] {
  const total = (b.total ?? {}) as Record<string, unknown>;
  const currencies = Object.keys(total).filter((c) => (num(total[c]) ?? 0) > 0 || c === 'USDT');
  if (!currencies.includes('USDT')) currencies.unshift('USDT');
  return currencies.map((currency) => {
    const entry = (b[currency] ?? {}) as Loose;
    return check(
      Balance,
      { account, currency, total: num(entry.total) ?? 0, free: num(entry.free) ?? 0, used: num(entry.used) ?? 0 },
      account,
      `balance (${currency})`,
    );
  });
}

/**
 * A Bybit ticker row (REST's list, a stream's push, the mark a position row carries), raw: ccxt never
 * parses them. The hot path of every price (4,000 a second on live streams): a row that is plainly valid is
 * built as is; anything else goes through the schema, for an error naming the field.
 */
export function toTicker(row: Loose, at: number): Ticker {
  const symbol = typeof row.symbol === 'string' ? row.symbol : '';
  const t = { symbol, markPrice: num(row.markPrice), lastPrice: level(row.lastPrice), at };
  const { markPrice: mark, lastPrice: last } = t;
  const plain =
    SYMBOL_PATTERN.test(symbol) &&
    mark !== null &&
    Number.isFinite(mark) &&
    mark > 0 &&
    (last === null || (Number.isFinite(last) && last > 0)) &&
    Number.isInteger(at) &&
    at >= 0;
  return plain ? (t as Ticker) : check(Ticker, t, 'market', `ticker (${symbol})`);
}
