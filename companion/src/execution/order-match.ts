import type { PositionSide } from '@tierwatch/shared';
import type { FoundOrder } from '../exchange/types.ts';
import { fmt } from './rounding.ts';

/**
 * Is the order the exchange holds under a leg's client order id the order this leg would have sent?
 *
 * A duplicate client order id, or an order found by a lookup, is only "our earlier send" when its terms
 * are the leg's terms. The id is derived from the idempotency key and the account, so another order can
 * sit under it: a key reused after its intent line was lost, two companions on one data dir, a script that
 * chose its keys. Adopting such an order would report a trade the trader never made (the other order's
 * side and size) with protection that is on no order. So every term that shapes the position is
 * compared, and any difference makes the leg a conflict that reports the exchange's order as it is.
 */

/** What one leg sends: its account's quantity and the execution's shared terms. */
export interface LegTerms {
  symbol: string;
  side: PositionSide;
  type: 'market' | 'limit';
  qty: number;
  /** The limit price; null for a market order (whose exchange-side price is Bybit's slippage cap). */
  price: number | null;
  reduceOnly: boolean;
  takeProfit: number | null;
  stopLoss: number | null;
}

/**
 * Values are step-exact decimals on both sides (the companion snaps before sending, the exchange answers
 * in its own decimals), so only float residue can separate equal ones.
 */
const same = (a: number | null, b: number | null): boolean =>
  a === null || b === null ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

const show = (v: number | null) => (v === null ? 'none' : fmt(v));

/** The differences between the found order and the leg, said plainly; empty when it is the leg's order. */
export function orderMismatches(found: FoundOrder, leg: LegTerms): string[] {
  const out: string[] = [];
  if (found.symbol !== leg.symbol) out.push(`symbol ${found.symbol} (asked ${leg.symbol})`);
  const side = leg.side === 'long' ? 'buy' : 'sell';
  if (found.side !== side) out.push(`side ${found.side} (asked ${side})`);
  if (found.type !== leg.type) out.push(`type ${found.type} (asked ${leg.type})`);
  if (!same(found.qty, leg.qty)) out.push(`quantity ${fmt(found.qty)} (asked ${fmt(leg.qty)})`);
  if (leg.type === 'limit' && !same(found.price, leg.price))
    out.push(`price ${show(found.price)} (asked ${show(leg.price)})`);
  if (found.reduceOnly !== leg.reduceOnly)
    out.push(`reduce-only ${found.reduceOnly ? 'yes' : 'no'} (asked ${leg.reduceOnly ? 'yes' : 'no'})`);
  if (!same(found.takeProfit, leg.takeProfit))
    out.push(`take-profit ${show(found.takeProfit)} (asked ${show(leg.takeProfit)})`);
  if (!same(found.stopLoss, leg.stopLoss)) out.push(`stop-loss ${show(found.stopLoss)} (asked ${show(leg.stopLoss)})`);
  return out;
}
