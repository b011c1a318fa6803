import type { LegResult, ProtocolError } from '@tierwatch/shared';
import { AppError } from '../core/app-error.ts';
import type { Clock } from '../core/clock.ts';
import { ExchangeCallError } from '../exchange/errors.ts';
import type { AccountClient, PlacedOrder } from '../exchange/types.ts';
import type { Semaphore } from './guard.ts';
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

function protocolError(err: unknown): ProtocolError {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

/** What a found order says about the leg. */
export function withOrder(leg: LegResult, o: PlacedOrder): LegResult {
  // A cancelled order was still placed (it existed on the exchange); only the exchange's own rejection is not.
  const rejected = o.status === 'rejected';
  return {
    ...leg,
    status: rejected ? 'rejected' : o.status === 'filled' ? 'filled' : 'placed',
    orderId: o.orderId,
    qty: o.qty || leg.qty,
    filledQty: o.filledQty,
    avgPrice: o.avgPrice,
    error: rejected ? { code: 'INVALID_ORDER', message: `the exchange ${o.status} order ${o.orderId}` } : null,
  };
}

/**
 * Did the exchange refuse the order outright (nothing placed, certain)? A duplicate client id is NOT such
 * a refusal: it means an earlier send of this very leg got through, so it is looked up like a lost answer.
 */
function certainlyRefused(err: unknown): boolean {
  if (!(err instanceof ExchangeCallError)) return false;
  if (err.exchangeClass === 'DuplicateOrderId' || /duplicate/i.test(err.message)) return false;
  return err.action === 'reject' || err.action === 'reauth';
}

export async function placeLeg(deps: LegDeps, leg: LegResult, plan: ExecutionPlan): Promise<LegResult> {
  const { client, sem } = deps;
  try {
    const placed = await sem.run(() =>
      client.placeOrder(
        {
          symbol: plan.symbol,
          side: plan.side,
          type: plan.orderType,
          qty: leg.qty,
          price: plan.price,
          takeProfit: plan.takeProfit,
          stopLoss: plan.stopLoss,
          reduceOnly: false,
          clientOrderId: leg.clientOrderId,
        },
        { lane: 'execution', signal: deps.signal },
      ),
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
    return resolveLeg(deps, { ...leg, status: 'unknown', error }, plan.symbol, deps.clock.now() + deps.settleMs);
  }
}

/**
 * Settles a leg whose outcome is not known by looking its client order id up. Found: placed (or filled).
 * Not found: looked up again once `deadline` has passed (until then the exchange might still accept it);
 * still not found then: not placed, for certain. Lookups that keep failing leave the leg 'unknown'.
 */
export async function resolveLeg(
  deps: LegDeps,
  leg: LegResult,
  symbol: string,
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
        client.findOrder(leg.clientOrderId, symbol, { lane: 'execution', signal: deps.signal }),
      );
      if (found) return withOrder(leg, found);
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
