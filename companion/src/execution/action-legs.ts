import type { ExecuteResult, LegResult, PositionAction } from '@tierwatch/shared';
import { ExchangeCallError } from '../exchange/errors.ts';
import { legKindOf, stopLevels } from './action-plan.ts';
import {
  certainlyRefused,
  type LegDeps,
  legTerms,
  type OrderPlan,
  placeLeg,
  protocolError,
  resolveLeg,
} from './legs.ts';

/**
 * One account's part of an action. A close is an order (placeLeg: reduce-only, looked up by its client
 * order id when the answer is lost). Levels (TP/SL, break-even, trailing) are one trading-stop call and a
 * cancel is one cancel-all: neither has an id to look up, so a lost answer is settled by reading the
 * position (or its open orders) back and comparing with what was asked. Nothing is ever sent twice.
 */

/** What an action's legs share; the execution's result carries the same fields (symbol, side, action). */
export type ActionTerms = OrderPlan & { action: PositionAction };

/** Bybit answers 34040 "not modified" when the levels already are what was asked: the leg's goal holds. */
function notModified(err: unknown): boolean {
  return err instanceof ExchangeCallError && /34040|not modified/i.test(err.message);
}

export async function placeActionLeg(deps: LegDeps, leg: LegResult, t: ActionTerms): Promise<LegResult> {
  const kind = legKindOf(t.action);
  if (kind === 'close') return placeLeg(deps, leg, t);
  const { client, sem } = deps;
  const opts = { lane: 'execution' as const, signal: deps.signal };
  if (kind === 'cancel-orders' && !client.cancelAllOrders)
    return {
      ...leg,
      status: 'rejected',
      error: { code: 'INTERNAL', message: `account ${leg.account} cannot cancel all orders` },
    };
  try {
    await sem.run(() => {
      if (kind === 'cancel-orders') return client.cancelAllOrders!(t.symbol, opts);
      return client.setTradingStop(t.symbol, t.side, stopLevels(t.action, leg), opts);
    });
    return { ...leg, status: 'placed', error: null };
  } catch (err) {
    if (notModified(err)) return { ...leg, status: 'placed', error: null };
    // Stopping mid-call: the outcome is unknown, and the next start's recovery reads it back.
    if (deps.signal?.aborted) throw err;
    const error = protocolError(err);
    if (certainlyRefused(err)) return { ...leg, status: 'rejected', error };
    return resolveActionLeg(deps, { ...leg, status: 'unknown', error }, t, deps.clock.now() + deps.settleMs);
  }
}

/**
 * Settles an action leg of unknown outcome (a lost answer, or after a crash). A close is looked up by its
 * client order id (resolveLeg). Levels and cancels are read back: done when the exchange shows what was
 * asked; not done once `deadline` has passed without it (then the leg is rejected, never sent again).
 */
export async function resolveActionLeg(
  deps: LegDeps,
  leg: LegResult,
  t: ActionTerms,
  deadline: number,
  notDoneMessage?: string,
): Promise<LegResult> {
  const kind = legKindOf(t.action);
  if (kind === 'close') return resolveLeg(deps, leg, legTerms(leg, t), deadline, notDoneMessage);
  const { client, sem, clock } = deps;
  const opts = { lane: 'execution' as const, signal: deps.signal };
  const giveUpAt = deadline + (deps.lookupGiveUpMs ?? 30_000);
  for (;;) {
    const lookedAt = clock.now();
    try {
      const done = await sem.run(() => isDone(client, leg, t, opts));
      if (done === true) return { ...leg, status: 'placed', error: null };
      if (lookedAt >= deadline) {
        const why = typeof done === 'string' ? done : 'the exchange does not show it';
        const cause = leg.error ? ` (the call failed: ${leg.error.message})` : '';
        return {
          ...leg,
          status: 'rejected',
          error: { code: 'EXCHANGE_ERROR', message: `${notDoneMessage ?? 'not applied'}: ${why}${cause}` },
        };
      }
    } catch (err) {
      if (deps.signal?.aborted) throw err;
      if (clock.now() >= giveUpAt) {
        const e = protocolError(err);
        return { ...leg, status: 'unknown', error: { code: e.code, message: `lookup failed: ${e.message}` } };
      }
    }
    const wait = clock.now() < deadline ? deadline - clock.now() : 1000;
    await clock.sleep(Math.max(1, wait), deps.signal);
  }
}

/** true when the account shows the leg done; false, or why it cannot be shown, otherwise. */
async function isDone(
  client: LegDeps['client'],
  leg: LegResult,
  t: ActionTerms,
  opts: { lane: 'execution'; signal?: AbortSignal },
): Promise<boolean | string> {
  if (t.action.kind === 'cancel-orders') {
    const open = (await client.fetchOpenOrders(opts)).filter((o) => o.symbol === t.symbol);
    return open.length === 0 || `${open.length} order(s) still open on ${t.symbol}`;
  }
  if (t.action.kind === 'trailing') return 'a trailing stop cannot be read back; check the position';
  const p = (await client.fetchPositions(opts)).find((x) => x.symbol === t.symbol && x.side === t.side);
  if (!p) return `no ${t.side} ${t.symbol} position any more`;
  const asked = stopLevels(t.action, leg);
  const same = (a: number | null | undefined, b: number | null) =>
    a === undefined || (a === null ? b === null : b !== null && Math.abs(a - b) <= 1e-9 * Math.max(1, a));
  return same(asked.takeProfit, p.takeProfit) && same(asked.stopLoss, p.stopLoss);
}

/** The terms an execution's result implies, when it is an action's (else null: an ordinary execution). */
export function actionTermsOf(r: ExecuteResult, limitPrice: number | null): ActionTerms | null {
  if (!r.action) return null;
  return { symbol: r.symbol, side: r.side, orderType: r.orderType, price: limitPrice, action: r.action };
}
