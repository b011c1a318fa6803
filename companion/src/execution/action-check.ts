import type { Account, ActionRequest, Position } from '@tierwatch/shared';
import type { ResourceCache } from '../cache/index.ts';
import { AppError } from '../core/app-error.ts';
import type { Clock } from '../core/clock.ts';
import type { Semaphore } from '../core/semaphore.ts';
import type { AccountClient, CallOptions, MarketData } from '../exchange/types.ts';
import { type ActionPlan, planAction } from './action-plan.ts';

/**
 * What an action reads before anything is journaled or sent, on the top lane: each selected account's
 * position on the symbol (its size, entry and levels are what the legs are planned from) and, for SL to
 * break-even, the account's fee rate. A failed position read refuses the action with nothing sent: sizes
 * guessed from a stale picture could leave part of a position the trader meant to close. The one exception is
 * a read of the last few seconds (the popup reads positions when it shows what an action will do): used as
 * read, so the action then costs one round trip, like an execution after its review.
 */

export interface ActionCheckDeps {
  /** The API's cache: positions read within `positionsMaxAgeMs` (the popup's preview read) are used as read. */
  cache?: ResourceCache;
  clock: Clock;
  positionsMaxAgeMs: number;
  /** Each account's fee rates by symbol, kept an hour (they change with the account's VIP level, rarely). */
  feeRates: Map<string, { rates: Map<string, number>; at: number }>;
  accounts: readonly Account[];
  clients: ReadonlyMap<string, AccountClient>;
  market: MarketData;
  /** The freshest mark the monitor heard for a symbol (a push or a read) and when; absent: the reads' own. */
  markOf?: (symbol: string) => { price: number; at: number } | null;
  sem: Semaphore;
  fallbackFeeRate: number;
  signal: AbortSignal;
}

export async function checkAction(req: ActionRequest, deps: ActionCheckDeps): Promise<ActionPlan> {
  const lane = { lane: 'execution' as const, signal: deps.signal };
  const names = req.accounts ?? deps.accounts.map((a) => a.name);
  const known = names.filter((n) => deps.accounts.some((a) => a.name === n));
  const read = await Promise.all(
    known.map(async (name): Promise<[string, Position | null, number | null, number]> => {
      const client = deps.clients.get(name);
      if (!client) throw new AppError('UNKNOWN_ACCOUNT', `no exchange client for account ${name}`);
      const cached = deps.cache?.peek(name, 'positions');
      const young = cached && deps.clock.now() - cached.fetchedAt < deps.positionsMaxAgeMs ? cached.data : undefined;
      const readAt = young && cached ? cached.fetchedAt : deps.clock.now();
      const known = deps.feeRates.get(name);
      const knownFee = known && deps.clock.now() - known.at < 3_600_000 ? known.rates.get(req.symbol) : undefined;
      const [positions, fee] = await Promise.all([
        (young ? Promise.resolve(young) : deps.sem.run(() => client.fetchPositions(lane))).catch((err) => {
          throw new AppError(
            'EXCHANGE_UNAVAILABLE',
            `could not read ${name}'s positions to plan the action; nothing was sent (${err instanceof Error ? err.message : err})`,
          );
        }),
        req.action.kind !== 'sl-break-even' || !(client.fetchFeeRate || client.fetchFeeRates)
          ? Promise.resolve(null)
          : knownFee !== undefined
            ? Promise.resolve(knownFee)
            : deps.sem
                .run(() => feeRatesOf(client, req.symbol, lane))
                .then((all) => {
                  const rates = new Map([...all].map(([s, f]) => [s, Math.max(f.taker, f.maker)]));
                  deps.feeRates.set(name, { rates, at: deps.clock.now() });
                  return rates.get(req.symbol) ?? null;
                })
                .catch(() => null),
      ]);
      const p = positions.find((x) => x.symbol === req.symbol && x.side === req.side && x.size > 0) ?? null;
      return [name, p, fee, readAt];
    }),
  );
  // Every account marks the same contract. Levels are checked against the freshest mark known: a preview
  // read of a few seconds ago may predate a price the stream has brought since (and the popup shows).
  const newest = read.filter(([, p]) => p !== null).sort((a, b) => b[3] - a[3])[0];
  const heard = deps.markOf?.(req.symbol) ?? null;
  const mark = heard && newest && heard.at > newest[3] ? heard.price : (newest?.[1]?.markPrice ?? 0);
  return planAction({
    req,
    accounts: deps.accounts,
    instrument: deps.market.instrument(req.symbol),
    positions: new Map(read.map(([n, p]) => [n, p])),
    feeRates: new Map(read.map(([n, , f]) => [n, f])),
    fallbackFeeRate: deps.fallbackFeeRate,
    mark,
  });
}

/** Every symbol's rates in one call where the client can, else the one symbol's (the dearer rate is used). */
async function feeRatesOf(
  client: AccountClient,
  symbol: string,
  lane: CallOptions,
): Promise<Map<string, { taker: number; maker: number }>> {
  if (client.fetchFeeRates) return client.fetchFeeRates(lane);
  return new Map([[symbol, await client.fetchFeeRate!(symbol, lane)]]);
}
