import type { Account, ActionRequest, Position } from '@tierwatch/shared';
import { AppError } from '../core/app-error.ts';
import type { AccountClient, MarketData } from '../exchange/types.ts';
import { type ActionPlan, planAction } from './action-plan.ts';
import type { Semaphore } from './guard.ts';

/**
 * What an action reads before anything is journaled or sent, on the top lane: each selected account's
 * position on the symbol (its size, entry and levels are what the legs are planned from) and, for SL to
 * break-even, the account's fee rate. A failed position read refuses the action with nothing sent: sizes
 * guessed from a stale picture could leave part of a position the trader meant to close.
 */

export interface ActionCheckDeps {
  accounts: readonly Account[];
  clients: ReadonlyMap<string, AccountClient>;
  market: MarketData;
  sem: Semaphore;
  fallbackFeeRate: number;
  signal: AbortSignal;
}

export async function checkAction(req: ActionRequest, deps: ActionCheckDeps): Promise<ActionPlan> {
  const lane = { lane: 'execution' as const, signal: deps.signal };
  const names = req.accounts ?? deps.accounts.map((a) => a.name);
  const known = names.filter((n) => deps.accounts.some((a) => a.name === n));
  const read = await Promise.all(
    known.map(async (name): Promise<[string, Position | null, number | null]> => {
      const client = deps.clients.get(name);
      if (!client) throw new AppError('UNKNOWN_ACCOUNT', `no exchange client for account ${name}`);
      const [positions, fee] = await Promise.all([
        deps.sem
          .run(() => client.fetchPositions(lane))
          .catch((err) => {
            throw new AppError(
              'EXCHANGE_UNAVAILABLE',
              `could not read ${name}'s positions to plan the action; nothing was sent (${err instanceof Error ? err.message : err})`,
            );
          }),
        req.action.kind === 'sl-break-even' && client.fetchFeeRate
          ? deps.sem
              .run(() => client.fetchFeeRate!(req.symbol, lane))
              .then((f) => Math.max(f.taker, f.maker))
              .catch(() => null)
          : Promise.resolve(null),
      ]);
      const p = positions.find((x) => x.symbol === req.symbol && x.side === req.side && x.size > 0) ?? null;
      return [name, p, fee];
    }),
  );
  const held = read.map(([, p]) => p).filter((p): p is Position => p !== null);
  return planAction({
    req,
    accounts: deps.accounts,
    instrument: deps.market.instrument(req.symbol),
    positions: new Map(read.map(([n, p]) => [n, p])),
    feeRates: new Map(read.map(([n, , f]) => [n, f])),
    fallbackFeeRate: deps.fallbackFeeRate,
    // Every account marks the same contract; the freshest read's mark is the one levels are checked against.
    mark: held[0]?.markPrice ?? 0,
  });
}
