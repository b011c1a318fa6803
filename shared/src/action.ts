import { z } from 'zod';
import { AccountName, IdempotencyKey, Price, SymbolName } from './primitives.ts';
import { PositionSide } from './trading.ts';

/**
 * An action on a held position family (the main account's position and its mirrors' on the same symbol
 * and side), each account on its own size. Every order an action sends is reduce-only: an action never
 * opens or flips a position. Levels (TP, SL, trailing) are set on the position, not sent as orders.
 */

/** Share of each account's position to close, in percent; 100 closes it all. */
const Percent = z.number().gt(0).max(100);

export const PositionAction = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('close'), percent: Percent.default(100) }).strict(),
  z.object({ kind: z.literal('close-limit'), price: Price, percent: Percent.default(100) }).strict(),
  z
    .object({
      kind: z.literal('set-tpsl'),
      /** Absent: left as it is; null: cleared. */
      takeProfit: Price.nullable().optional(),
      stopLoss: Price.nullable().optional(),
    })
    .strict()
    .refine((a) => a.takeProfit !== undefined || a.stopLoss !== undefined, {
      message: 'give takeProfit, stopLoss or both (null clears one)',
      path: ['takeProfit'],
    }),
  /** The SL to entry plus the round trip's fees at the account's fee rate, on the safe side of the tick. */
  z.object({ kind: z.literal('sl-break-even') }).strict(),
  /** Bybit's trailingStop: a distance in price; from activePrice on when given; distance null clears it. */
  z.object({ kind: z.literal('trailing'), distance: Price.nullable(), activePrice: Price.optional() }).strict(),
  /** Cancels the position's pending orders on its symbol (cancel-all for the symbol on each account). */
  z.object({ kind: z.literal('cancel-orders') }).strict(),
]);
export type PositionAction = z.infer<typeof PositionAction>;
export type PositionActionKind = PositionAction['kind'];

export const ActionRequest = z
  .object({
    /** The same key rules as an execution: one action per key, a second send answers the first's result. */
    idempotencyKey: IdempotencyKey,
    symbol: SymbolName,
    /** The held position's side (a close sends the opposite side, reduce-only). */
    side: PositionSide,
    action: PositionAction,
    /** Default: the main account and every mirror that holds the position. */
    accounts: z.array(AccountName).min(1).max(50).optional(),
  })
  .strict();
export type ActionRequest = z.infer<typeof ActionRequest>;
/** What a client sends (defaults not yet applied). */
export type ActionRequestInput = z.input<typeof ActionRequest>;

/** Actions that only protect (they never reduce exposure at a price): the options may let them go in one click. */
export const PROTECTIVE_ACTIONS: readonly PositionActionKind[] = ['sl-break-even', 'trailing', 'set-tpsl'];
