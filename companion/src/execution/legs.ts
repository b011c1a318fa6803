import type { ExecuteResult, LegResult, PositionAction, ProtocolError } from '@tierwatch/shared';
import { AppError } from '../core/app-error.ts';
import type { Clock } from '../core/clock.ts';
import type { Semaphore } from '../core/semaphore.ts';
import { ExchangeCallError } from '../exchange/errors.ts';
import type { AccountClient, FoundOrder } from '../exchange/types.ts';
import { type LegTerms, orderMismatches } from './order-match.ts';
import type { ExecutionPlan } from './validate.ts';

/**
 * One account's leg: place it once, and when the answer is lost or ambiguous, find out from the exchange
 * what happened instead of guessing. An order is never sent twice by the companion: the only retry is a
 * lookup by client order id.
 */

export interface LegDeps {
  client: AccountClient;
  sem: Semaphore;
  clock: Clock;
  /** See ExecutionConfig.settleMs: how long a sent order may still be accepted by the exchange. */
  settleMs: number;
  /** Lookups that fail are tried again this long past the settle deadline before the leg is left 'unknown'. */
  lookupGiveUpMs?: number;
  signal?: AbortSignal;
}

export const TERMINAL: ReadonlySet<LegResult['status']> = new Set(['placed', 'filled', 'rejected']);
export const isPlaced = (l: LegResult) => l.status === 'placed' || l.status === 'filled';

/** An execution's status from its legs: pending while any is unsettled, then complete, partial or failed. */
export function statusOf(result: ExecuteResult): ExecuteResult['status'] {
  const legs = result.legs;
  if (legs.some((l) => !TERMINAL.has(l.status))) return 'pending';
  const placed = legs.filter(isPlaced).length;
  return placed === legs.length ? 'complete' : placed === 0 ? 'failed' : 'partial';
}

export function pendingLeg(account: string, clientOrderId: string, qty: number, plan: ExecutionPlan): LegResult {
  return {
    account,
    clientOrderId,
    status: 'pending',
    orderId: null,
    qty,
    filledQty: 0,
    avgPrice: null,
    takeProfit: plan.takeProfit,
    stopLoss: plan.stopLoss,
    error: null,
  };
}

export function protocolError(err: unknown): ProtocolError {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

/** The terms legs share: an execution's, or an action's (set: a reduce-only close of the held side). */
export type OrderPlan = Pick<ExecutionPlan, 'symbol' | 'side' | 'orderType' | 'price'> & {
  action?: PositionAction | null;
};

/** What this leg sends (and what an order found under its id must match): the execution's terms, its quantity. */
export function legTerms(leg: LegResult, plan: OrderPlan): LegTerms {
  // An action's order closes: the opposite side, reduce-only, no levels of its own (it never opens or flips).
  if (plan.action)
    return {
      symbol: plan.symbol,
      side: plan.side === 'long' ? 'short' : 'long',
      type: plan.orderType,
      qty: leg.qty,
      price: plan.orderType === 'limit' ? plan.price : null,
      reduceOnly: true,
      takeProfit: null,
      stopLoss: null,
    };
  return {
    symbol: plan.symbol,
    side: plan.side,
    type: plan.orderType,
    qty: leg.qty,
    price: plan.orderType === 'limit' ? plan.price : null,
    reduceOnly: false,
    takeProfit: leg.takeProfit,
    stopLoss: leg.stopLoss,
  };
}

/**
 * What a found order says about the leg: only what is on the exchange. An order whose terms are not the
 * leg's is not this leg's send (see order-match.ts): the leg is a conflict, not placed, and says which
 * order holds its id and how it differs.
 */
export function withOrder(leg: LegResult, o: FoundOrder, terms: LegTerms): LegResult {
  const mismatches = orderMismatches(o, terms);
  if (mismatches.length > 0) {
    return {
      ...leg,
      status: 'rejected',
      orderId: null,
      filledQty: 0,
      avgPrice: null,
      takeProfit: null,
      stopLoss: null,
      error: {
        code: 'IDEMPOTENCY_CONFLICT',
        message: `not placed: the exchange already holds a different order (${o.orderId}) under this leg's client order id: ${mismatches.join(', ')}; use a new idempotency key`,
      },
    };
  }
  // A cancelled order was still placed (it existed on the exchange); only the exchange's own rejection is not.
  const rejected = o.status === 'rejected';
  return {
    ...leg,
    status: rejected ? 'rejected' : o.status === 'filled' ? 'filled' : 'placed',
    orderId: o.orderId,
    qty: o.qty,
    filledQty: o.filledQty,
    avgPrice: o.avgPrice,
    takeProfit: o.takeProfit,
    stopLoss: o.stopLoss,
    error: rejected ? { code: 'INVALID_ORDER', message: `the exchange ${o.status} order ${o.orderId}` } : null,
  };
}

/**
 * Did the exchange refuse the order outright (nothing placed, certain)? A duplicate client id is NOT such
 * a refusal: an earlier send of this very leg may have got through, so it is looked up like a lost answer,
 * and the order found is this leg's only if its terms are (withOrder).
 */
export function certainlyRefused(err: unknown): boolean {
  if (!(err instanceof ExchangeCallError)) return false;
  if (err.exchangeClass === 'DuplicateOrderId' || /duplicate/i.test(err.message)) return false;
  return err.action === 'reject' || err.action === 'reauth';
}

export async function placeLeg(deps: LegDeps, leg: LegResult, plan: OrderPlan): Promise<LegResult> {
  const { client, sem } = deps;
  const terms = legTerms(leg, plan);
  try {
    const placed = await sem.run(() =>
      client.placeOrder({ ...terms, clientOrderId: leg.clientOrderId }, { lane: 'execution', signal: deps.signal }),
    );
    return {
      ...leg,
      status: 'placed',
      orderId: placed.orderId,
      filledQty: placed.filledQty,
      avgPrice: placed.avgPrice,
    };
  } catch (err) {
    const error = protocolError(err);
    if (certainlyRefused(err)) return { ...leg, status: 'rejected', error };
    // Lost or ambiguous answer (timeout, 5xx, rate limit, duplicate id): the request was signed before this
    // error surfaced, so it cannot be accepted after now + settleMs.
    return resolveLeg(deps, { ...leg, status: 'unknown', error }, terms, deps.clock.now() + deps.settleMs);
  }
}

/**
 * Settles a leg whose outcome is not known by looking its client order id up. Found with the leg's terms:
 * placed (or filled); found with other terms: a conflict (see withOrder).
 * Not found: looked up again once `deadline` has passed (until then the exchange might still accept it);
 * still not found then: not placed, for certain. Lookups that keep failing leave the leg 'unknown'.
 */
export async function resolveLeg(
  deps: LegDeps,
  leg: LegResult,
  terms: LegTerms,
  deadline: number,
  notPlacedMessage = 'not placed: the exchange has no order with this client order id',
): Promise<LegResult> {
  const { client, sem, clock } = deps;
  const giveUpAt = deadline + (deps.lookupGiveUpMs ?? 30_000);
  let lastError: ProtocolError | null = leg.error;
  for (;;) {
    const lookedAt = clock.now();
    try {
      const found = await sem.run(() =>
        client.findOrder(leg.clientOrderId, terms.symbol, { lane: 'execution', signal: deps.signal }),
      );
      if (found) return withOrder(leg, found, terms);
      if (lookedAt >= deadline) {
        const cause = leg.error ? ` (the send failed: ${leg.error.message})` : '';
        return {
          ...leg,
          status: 'rejected',
          error: { code: 'EXCHANGE_ERROR', message: `${notPlacedMessage}${cause}` },
        };
      }
    } catch (err) {
      if (deps.signal?.aborted) throw err;
      lastError = protocolError(err);
      if (clock.now() >= giveUpAt) {
        return {
          ...leg,
          status: 'unknown',
          error: { code: lastError.code, message: `lookup failed: ${lastError.message}` },
        };
      }
    }
    const wait = clock.now() < deadline ? deadline - clock.now() : 1000;
    await clock.sleep(Math.max(1, wait), deps.signal);
  }
}
