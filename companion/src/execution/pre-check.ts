import type { Account, Balance, ExecuteRequest } from '@tierwatch/shared';
import { MARKET_KEY, type ResourceCache } from '../cache/index.ts';
import { AppError } from '../core/app-error.ts';
import type { Clock } from '../core/clock.ts';
import type { Semaphore } from '../core/semaphore.ts';
import type { AccountClient, MarketData } from '../exchange/types.ts';
import type { ExecutionConfig } from './config.ts';
import { checkBalances, type ExecutionPlan, planExecution, preflight } from './validate.ts';

/**
 * What an execution reads before anything is journaled or sent: the mark (market orders) and every
 * selected account's balance, on the top lane, then the pure checks of validate.ts. A failed read refuses
 * the execution with nothing placed.
 *
 * Given the API's cache, balances and the mark are taken from it while younger than `balanceMaxAgeMs` /
 * `markMaxAgeMs` (the trade form reads both when the trader reviews the order), saving a round trip on the
 * hot path; the exchange has the last word on margin either way.
 */

export interface PreCheckDeps {
  accounts: readonly Account[];
  clients: ReadonlyMap<string, AccountClient>;
  market: MarketData;
  cache?: ResourceCache;
  clock: Clock;
  sem: Semaphore;
  config: Pick<ExecutionConfig, 'balanceMaxAgeMs' | 'markMaxAgeMs' | 'leverage' | 'feeRate'>;
  signal: AbortSignal;
}

export async function preCheck(req: ExecuteRequest, deps: PreCheckDeps): Promise<ExecutionPlan> {
  const { market, clients, cache, sem, config } = deps;
  const selected = preflight(req, deps.accounts, market.instrument(req.symbol), market.instrumentProblem?.(req.symbol));
  const lane = { lane: 'execution' as const, signal: deps.signal };
  const unavailable = (what: string, err: unknown) =>
    new AppError(
      'EXCHANGE_UNAVAILABLE',
      `could not read ${what} to validate the order; nothing was placed (${err instanceof Error ? err.message : err})`,
    );
  const now = deps.clock.now();
  const recent = <T>(entry: { data: T; fetchedAt: number } | undefined, maxAgeMs: number): T | undefined =>
    entry && now - entry.fetchedAt < maxAgeMs ? entry.data : undefined;
  const [mark, balances] = await Promise.all([
    req.orderType === 'market'
      ? sem
          .run(async () => {
            const tickers = recent(cache?.peek(MARKET_KEY, 'tickers'), config.markMaxAgeMs);
            const cached = tickers?.find((t) => t.symbol === req.symbol);
            return cached ? [cached] : market.fetchTickers([req.symbol], lane);
          })
          .then((t) => t.find((x) => x.symbol === req.symbol)?.markPrice ?? null)
          .catch((err) => {
            throw unavailable(`the mark price of ${req.symbol}`, err);
          })
      : Promise.resolve(null),
    Promise.all(
      selected.map(async (a): Promise<[string, Balance[]]> => {
        const client = clients.get(a.name);
        if (!client) throw new AppError('UNKNOWN_ACCOUNT', `no exchange client for account ${a.name}`);
        try {
          const cached = recent(cache?.peek(a.name, 'balances'), config.balanceMaxAgeMs);
          return [a.name, cached ?? (await sem.run(() => client.fetchBalances(lane)))];
        } catch (err) {
          throw unavailable(`the balance of ${a.name}`, err);
        }
      }),
    ),
  ]);
  const plan = planExecution({ req, accounts: deps.accounts, instrument: market.instrument(req.symbol), mark });
  checkBalances(plan, new Map(balances), config);
  return plan;
}
