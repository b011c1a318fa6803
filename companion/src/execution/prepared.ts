import type { ActionRequest, ExecuteRequest, LegResult, PositionAction, PositionSide } from '@tierwatch/shared';
import { AppError } from '../core/app-error.ts';
import { type ActionCheckDeps, checkAction } from './action-check.ts';
import { placeActionLeg } from './action-legs.ts';
import type { ActionPlan } from './action-plan.ts';
import { clientOrderId } from './ids.ts';
import { type LegDeps, pendingLeg, placeLeg } from './legs.ts';
import { type PreCheckDeps, preCheck } from './pre-check.ts';
import type { ExecutionPlan } from './validate.ts';

/**
 * What an execution or an action sends, planned before its intent is journaled: the one shape the money
 * path (journal, guard, legs, recovery) takes, whichever of the two asked.
 */
export interface Prepared {
  symbol: string;
  side: PositionSide;
  orderType: 'market' | 'limit';
  adjustments: string[];
  limitPrice: number | null;
  action?: PositionAction;
  /** The legs as journaled in the intent: pending, or rejected when nothing is to be sent on that account. */
  legs: LegResult[];
  place(deps: LegDeps, leg: LegResult): Promise<LegResult>;
}

/** An order on every account (execute): one pending leg per account of the plan. */
export function preparedExecution(req: ExecuteRequest, plan: ExecutionPlan): Prepared {
  return {
    symbol: plan.symbol,
    side: plan.side,
    orderType: plan.orderType,
    adjustments: plan.adjustments,
    limitPrice: plan.orderType === 'limit' ? plan.price : null,
    legs: plan.legs.map((l) => pendingLeg(l.account, clientOrderId(req.idempotencyKey, l.account), l.qty, plan)),
    place: (deps, leg) => placeLeg(deps, leg, plan),
  };
}

/** An action on a held position family: a leg per account, rejected up front where there is nothing to do. */
export function preparedAction(req: ActionRequest, plan: ActionPlan): Prepared {
  const terms = { ...plan, action: plan.action };
  return {
    symbol: plan.symbol,
    side: plan.side,
    orderType: plan.orderType,
    adjustments: plan.adjustments,
    limitPrice: plan.price,
    action: plan.action,
    legs: plan.legs.map(
      (l): LegResult => ({
        account: l.account,
        clientOrderId: clientOrderId(req.idempotencyKey, l.account, plan.kind),
        status: l.skip === null ? 'pending' : 'rejected',
        orderId: null,
        qty: l.qty,
        filledQty: 0,
        avgPrice: null,
        takeProfit: l.takeProfit,
        stopLoss: l.stopLoss,
        error: l.skip === null ? null : { code: 'INVALID_ORDER', message: `nothing sent: ${l.skip}` },
      }),
    ),
    place: (deps, leg) => placeActionLeg(deps, leg, terms),
  };
}

/** Refuses (403) an execution naming an account that may not trade (a read-only key); nothing is read first. */
export function refuseUntradable(
  req: ExecuteRequest,
  accounts: readonly { name: string }[],
  tradingRefusal: ((account: string) => string | null) | undefined,
): void {
  (req.accounts ?? accounts.map((a) => a.name)).forEach((name, i) => {
    const why = tradingRefusal?.(name);
    if (why)
      throw new AppError(
        'FORBIDDEN',
        `account ${name}: ${why}; nothing was placed`,
        req.accounts ? ['accounts', i] : ['accounts'],
      );
  });
}

/** What planning reads with: the pre-check's and the action check's inputs, and who may not trade. */
export type PlanningDeps = PreCheckDeps &
  ActionCheckDeps & { tradingRefusal?: ((account: string) => string | null) | undefined };

/** An execution planned: refused accounts first, then the pre-check's reads and checks (pre-check.ts). */
export async function prepareExecution(req: ExecuteRequest, deps: PlanningDeps): Promise<Prepared> {
  refuseUntradable(req, deps.accounts, deps.tradingRefusal);
  return preparedExecution(req, await preCheck(req, deps));
}

/** An action planned from each account's position read now (action-check.ts). */
export async function prepareAction(req: ActionRequest, deps: PlanningDeps): Promise<Prepared> {
  return preparedAction(req, await checkAction(req, deps));
}
