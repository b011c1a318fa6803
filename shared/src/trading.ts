import { z } from 'zod';
import { AccountName, EpochMs, Price, Quantity, SymbolName } from './primitives.ts';
import { Tier } from './tier.ts';

export const PositionSide = z.enum(['long', 'short']);
export type PositionSide = z.infer<typeof PositionSide>;

/** One open position as the exchange reports it, normalised; absent values are explicit nulls. */
export const Position = z.object({
  account: AccountName,
  symbol: SymbolName,
  side: PositionSide,
  size: Quantity,
  entryPrice: Price,
  markPrice: Price,
  takeProfit: Price.nullable(),
  stopLoss: Price.nullable(),
  liquidationPrice: Price.nullable(),
  unrealisedPnl: z.number(),
  leverage: z.number().positive().nullable(),
  /**
   * Bybit's positionValue: size × entry price in USDT; null when the exchange sends none. With the leverage
   * it gives the initial margin, the base of the ROI a trader reads on the exchange.
   */
  positionValue: z.number().nonnegative().nullable(),
  /** Last fill or change the exchange knows of (Bybit's updatedTime); null when unknown. */
  lastActivityAt: EpochMs.nullable(),
});
export type Position = z.infer<typeof Position>;

/**
 * What the companion noticed about a position, beside its tier. NO_TP / NO_SL: that level is not set.
 * UNCLASSIFIABLE: a price it needs is not a usable number. UNKNOWN_INSTRUMENT: its symbol is not among the
 * exchange's instruments (or their rules were refused), so the companion cannot trade it. LEVELS_INVERTED:
 * the TP is not beyond the SL in the position's favour (a long with its TP at or below its SL), so the
 * distances to them mean nothing. LIQ_BEFORE_SL: the liquidation price comes before the SL on the way
 * there, so the exchange liquidates the position before its stop-loss can ever fire.
 */
export const PositionFlag = z.enum([
  'NO_TP',
  'NO_SL',
  'UNCLASSIFIABLE',
  'UNKNOWN_INSTRUMENT',
  'LEVELS_INVERTED',
  'LIQ_BEFORE_SL',
]);
export type PositionFlag = z.infer<typeof PositionFlag>;

/** Each flag said plainly, for the popup and notifications (one wording for both sides). */
export const POSITION_FLAG_TEXT: Record<PositionFlag, string> = {
  NO_TP: 'no TP',
  NO_SL: 'no SL',
  UNCLASSIFIABLE: 'prices unreadable',
  UNKNOWN_INSTRUMENT: 'unknown instrument',
  LEVELS_INVERTED: 'TP and SL inverted',
  LIQ_BEFORE_SL: 'liquidation before stop-loss',
};

/** The alert for LIQ_BEFORE_SL, one wording for the companion's alert log and the extension. */
export const liquidationBeforeSlMessage = (
  p: Pick<Position, 'account' | 'symbol' | 'side' | 'liquidationPrice' | 'stopLoss'>,
): string =>
  `${p.symbol} ${p.side} on ${p.account}: liquidation at ${p.liquidationPrice} comes before its stop-loss at ${p.stopLoss}; the SL cannot fire`;

/** Said after a CRITICAL alert's own words when the position's SL cannot fire (LIQ_BEFORE_SL). */
export const criticalSuffix = (p: Pick<TieredPosition, 'flags'>): string =>
  p.flags.includes('LIQ_BEFORE_SL') ? ` (${POSITION_FLAG_TEXT.LIQ_BEFORE_SL})` : '';

/**
 * A flag this side does not know (a newer companion added it) is left out, not a reason to refuse the
 * whole position, and with it a whole snapshot.
 */
const PositionFlags = z
  .array(z.string())
  .transform((flags) => flags.filter((f): f is PositionFlag => PositionFlag.safeParse(f).success));

/** A position as the companion serves it: with its tier and distances, in percent of the mark price. */
export const TieredPosition = Position.extend({
  tier: Tier,
  distanceToTpPct: z.number().nonnegative().nullable(),
  distanceToSlPct: z.number().nonnegative().nullable(),
  flags: PositionFlags,
});
export type TieredPosition = z.infer<typeof TieredPosition>;

export const OrderSide = z.enum(['buy', 'sell']);
export const OrderType = z.enum(['market', 'limit']);
export const OrderStatus = z.enum(['open', 'partially_filled', 'filled', 'cancelled', 'rejected']);

export const Order = z.object({
  account: AccountName,
  id: z.string().min(1),
  clientOrderId: z.string().nullable(),
  symbol: SymbolName,
  side: OrderSide,
  type: OrderType,
  price: Price.nullable(),
  qty: Quantity,
  filledQty: z.number().nonnegative(),
  reduceOnly: z.boolean(),
  status: OrderStatus,
  takeProfit: Price.nullable(),
  stopLoss: Price.nullable(),
  createdAt: EpochMs,
});
export type Order = z.infer<typeof Order>;
export type OrderSide = z.infer<typeof OrderSide>;
export type OrderType = z.infer<typeof OrderType>;

export const Balance = z.object({
  account: AccountName,
  currency: z.string().min(1),
  total: z.number().nonnegative(),
  free: z.number(),
  used: z.number().nonnegative(),
});
export type Balance = z.infer<typeof Balance>;

export const Ticker = z.object({
  symbol: SymbolName,
  markPrice: Price,
  lastPrice: Price.nullable(),
  at: EpochMs,
});
export type Ticker = z.infer<typeof Ticker>;

/** Trading rules of one linear perpetual, with its last known mark price (for sizing and % levels). */
export const InstrumentInfo = z.object({
  symbol: SymbolName,
  tickSize: z.number().positive(),
  qtyStep: z.number().positive(),
  minQty: z.number().positive(),
  maxQty: z.number().positive(),
  minNotional: z.number().nonnegative(),
  markPrice: Price.nullable(),
});
export type InstrumentInfo = z.infer<typeof InstrumentInfo>;
