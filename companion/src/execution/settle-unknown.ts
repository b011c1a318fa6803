import type { ExecuteResult } from '@tierwatch/shared';
import type { EventBus } from '../core/bus.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { actionTermsOf, resolveActionLeg } from './action-legs.ts';
import { type Entry, view } from './book.ts';
import type { LegRecord } from './journal/index.ts';
import { type LegDeps, legTerms, resolveLeg, TERMINAL } from './legs.ts';

/**
 * Legs whose outcome is still unknown after their lookups gave up (the exchange down right after the send,
 * a mirror slower than the settle window) are looked up again in the background, with capped backoff,
 * until the exchange answers. Without this a leg stayed `unknown` for the life of the process: no
 * execution-finished, and the key kept answering a stale `pending` until a restart.
 *
 * Each round is one lookup per unknown leg. By the time a leg is here its settle deadline has passed (the
 * lookups gave up `lookupGiveUpMs` after it), so "not found" now means not placed, for certain. Nothing is
 * ever sent: the only call is the lookup.
 */

export interface SettleUnknownDeps {
  /** The live result: legs are replaced in it as they settle. */
  result: ExecuteResult;
  /** The limit price the legs were sent with (null for market orders). */
  limitPrice: number | null;
  legDeps(account: string): LegDeps;
  append(record: LegRecord): Promise<void>;
  /** A leg settled but others are still unknown: publish the progress. */
  progressed(): void;
  clock: Clock;
  signal: AbortSignal;
  log: Logger;
  /** The first wait, doubled each round up to `maxMs`. */
  backoff: { firstMs: number; maxMs: number };
  /** What a not-found leg's error says. */
  notPlacedMessage?: string;
}

/** Resolves once no leg is left that can still be looked up; rejects only when `signal` aborts. */
export async function settleUnknownLegs(deps: SettleUnknownDeps): Promise<void> {
  const { result: r, clock } = deps;
  let wait = deps.backoff.firstMs;
  for (;;) {
    // A leg whose account left the config cannot be looked up by this process: it stays pending (reported
    // by recovery), and the loop ends when it is the only kind left.
    const open = r.legs
      .map((leg, i) => ({ leg, i, ld: lookupDeps(deps, leg.account) }))
      .filter((x): x is typeof x & { ld: LegDeps } => !TERMINAL.has(x.leg.status) && x.ld !== null);
    if (open.length === 0) return;
    await clock.sleep(wait, deps.signal);
    wait = Math.min(wait * 2, deps.backoff.maxMs);
    let settled = 0;
    await Promise.all(
      open.map(async ({ leg, i, ld }) => {
        const action = actionTermsOf(r, deps.limitPrice);
        const once = { ...ld, lookupGiveUpMs: 0 };
        const outcome = action
          ? await resolveActionLeg(once, leg, action, clock.now(), deps.notPlacedMessage)
          : await resolveLeg(
              once,
              leg,
              legTerms(leg, { ...r, price: deps.limitPrice }),
              clock.now(),
              deps.notPlacedMessage,
            );
        if (!TERMINAL.has(outcome.status)) return;
        r.legs[i] = outcome;
        settled++;
        await deps.append({ v: 1, type: 'leg', at: clock.now(), executionId: r.executionId, leg: outcome });
      }),
    );
    if (settled > 0) {
      deps.log.info(
        { executionId: r.executionId, legs: r.legs.map((l) => `${l.account}:${l.status}`) },
        'unknown legs settled by a later lookup',
      );
      if (r.legs.some((l) => !TERMINAL.has(l.status))) deps.progressed();
    }
  }
}

function lookupDeps(deps: SettleUnknownDeps, account: string): LegDeps | null {
  try {
    return deps.legDeps(account);
  } catch {
    return null;
  }
}

/**
 * Looks an execution's unknown legs up in the background (a no-op, null, once it is finished), publishing
 * each step as execution-updated, and finishes it once they settle. Returns the work, for the caller to track.
 */
export function settleInBackground(
  entry: Entry,
  deps: Omit<SettleUnknownDeps, 'result' | 'limitPrice' | 'progressed'> & { bus: EventBus; finish(): Promise<void> },
): Promise<void> | null {
  if (entry.finished) return null;
  const { executionId } = entry.result;
  deps.log.warn({ executionId }, 'legs of unknown outcome: looking them up again in the background');
  const progressed = () => deps.bus.publish({ type: 'execution-updated', at: deps.clock.now(), result: view(entry) });
  return settleUnknownLegs({ ...deps, result: entry.result, limitPrice: entry.limitPrice, progressed }).then(
    deps.finish,
  );
}
