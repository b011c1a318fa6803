import { z } from 'zod';
import { PositionAction } from './action.ts';
import { type ErrorCode, errorCodeNames } from './errors.ts';
import { AccountName, EpochMs, IdempotencyKey, Price, Quantity, SymbolName } from './primitives.ts';
import { OrderType, PositionSide } from './trading.ts';

export const ExecuteRequest = z
  .object({
    idempotencyKey: IdempotencyKey,
    symbol: SymbolName,
    side: PositionSide,
    orderType: OrderType,
    /** Required for limit orders; must sit on the instrument's tick. */
    price: Price.optional(),
    /** Contracts for the main account; mirrors get this times their ratio. Exclusive with riskAmount. */
    quantity: Quantity.optional(),
    /** Quote currency lost if the stop-loss is hit; the quantity is derived from it and the SL. */
    riskAmount: z.number().positive().optional(),
    takeProfit: Price.nullable().optional(),
    stopLoss: Price.nullable().optional(),
    /** Default: the main account and every mirror at its ratio. */
    accounts: z.array(AccountName).min(1).max(50).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if ((r.quantity === undefined) === (r.riskAmount === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['quantity'], message: 'give exactly one of quantity or riskAmount' });
    }
    if (r.riskAmount !== undefined && (r.stopLoss === undefined || r.stopLoss === null)) {
      ctx.addIssue({ code: 'custom', path: ['stopLoss'], message: 'riskAmount needs a stopLoss to size from' });
    }
    if (r.orderType === 'limit' && r.price === undefined) {
      ctx.addIssue({ code: 'custom', path: ['price'], message: 'a limit order needs a price' });
    }
    if (r.orderType === 'market' && r.price !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['price'], message: 'a market order takes no price' });
    }
  });
export type ExecuteRequest = z.infer<typeof ExecuteRequest>;

export const ProtocolError = z.object({
  code: z.enum(errorCodeNames),
  message: z.string(),
});
export type ProtocolError = { code: ErrorCode; message: string };

export const LegStatus = z.enum(['pending', 'placed', 'filled', 'rejected', 'unknown']);
export type LegStatus = z.infer<typeof LegStatus>;

export const LegResult = z.object({
  account: AccountName,
  clientOrderId: z.string(),
  status: LegStatus,
  orderId: z.string().nullable(),
  qty: Quantity,
  filledQty: z.number().nonnegative(),
  avgPrice: Price.nullable(),
  takeProfit: Price.nullable(),
  stopLoss: Price.nullable(),
  error: ProtocolError.nullable(),
});
export type LegResult = z.infer<typeof LegResult>;

export const ExecutionStatus = z.enum(['pending', 'complete', 'partial', 'failed']);
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;

export const ExecuteResult = z.object({
  executionId: z.string(),
  idempotencyKey: IdempotencyKey,
  status: ExecutionStatus,
  symbol: SymbolName,
  side: PositionSide,
  orderType: OrderType,
  startedAt: EpochMs,
  finishedAt: EpochMs.nullable(),
  /** What validation changed, said plainly (e.g. "quantity 0.1234 rounded down to 0.123, the qty step"). */
  adjustments: z.array(z.string()),
  legs: z.array(LegResult),
  /**
   * Set when the companion stopped before the execution finished and settled it on the next start by
   * looking its orders up on the exchange: when, and what it found. Absent or null otherwise.
   */
  recovery: z.object({ at: EpochMs, note: z.string() }).nullable().optional(),
  /**
   * Set when this is an action on a held position (close, TP/SL, break-even, trailing, cancel orders), not a
   * new order: `side` is then the position's side, and each leg is one account's part of the action.
   */
  action: PositionAction.optional(),
});
export type ExecuteResult = z.infer<typeof ExecuteResult>;
