import type { ExecuteResult } from '@tierwatch/shared';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { actionTermsOf, resolveActionLeg } from './action-legs.ts';
import type { LegRecord } from './journal/index.ts';
import { type LegDeps, legTerms, resolveLeg, TERMINAL } from './legs.ts';

/**
 * Recovery rules, applied on start to every execution whose intent is in the journal without a final
 * record (the companion stopped, or was killed, while it ran):
 *
 * - A leg with a journaled outcome (placed, filled, rejected) keeps it.
 * - Any other leg is looked up on its account by its client order id (derived from the idempotency key,
 *   so the same id the lost send carried). Found with the leg's terms: placed (or filled) and recorded as
 *   such; found with other terms: a conflict, not placed (legs.ts, withOrder).
 * - Not found: the order might still be in flight to the exchange, so the lookup is repeated once
 *   `settleMs` has passed since this start (a signed request older than Bybit's recv_window is refused,
 *   so nothing sent before the crash can be accepted after that). Still not found: NOT PLACED, recorded as
 *   rejected with the reason. It is never sent late: the trader decided at the price of that moment, and
 *   a new request (new key) is the way to place it now.
 * - Lookups that keep failing (exchange down) leave the leg unknown and the execution pending; the next
 *   start tries again.
 *
 * Every settled execution is journaled as finished (with `recovery` saying what was found) and published
 * as execution-finished, which is also the alert: the extension notifies on a non-complete status.
 */

export interface RecoveryReport {
  /** Executions settled now, by final status. */
  settled: { executionId: string; status: ExecuteResult['status']; note: string }[];
  /** Executions still pending (their lookups failed). */
  stillPending: string[];
}

export interface ReconcileDeps {
  ids: string[];
  entries: ReadonlyMap<string, { result: ExecuteResult; finished: boolean; limitPrice: number | null }>;
  legDeps(account: string): LegDeps;
  /** When this start began: the settle deadline is counted from here (see above). */
  settleFrom: number;
  append(record: LegRecord): Promise<void>;
  finish(executionId: string, note: string): Promise<void>;
  clock: Clock;
  signal: AbortSignal;
  log: Logger;
}

const NOT_PLACED =
  'not placed: the companion stopped before the exchange accepted this order, and it is not sent late (send a new request to place it now)';

export async function reconcile(deps: ReconcileDeps): Promise<RecoveryReport> {
  const report: RecoveryReport = { settled: [], stillPending: [] };
  await Promise.all(
    deps.ids.map(async (executionId) => {
      const entry = deps.entries.get(executionId);
      if (!entry || entry.finished) return;
      const r = entry.result;
      deps.log.warn(
        { executionId, legs: r.legs.map((l) => `${l.account}:${l.status}`) },
        'reconciling an unfinished execution',
      );
      const found: string[] = [];
      // Each leg on its own: one that cannot be looked up (its account left the config, the exchange keeps
      // failing) stays pending and is reported, and the others still settle.
      const legFailures: string[] = [];
      await Promise.all(
        r.legs.map(async (leg, i) => {
          if (TERMINAL.has(leg.status)) return;
          let ld: LegDeps;
          try {
            ld = deps.legDeps(leg.account);
          } catch (err) {
            legFailures.push(`${leg.account}: ${err instanceof Error ? err.message : String(err)}`);
            return;
          }
          const action = actionTermsOf(r, entry.limitPrice);
          const outcome = action
            ? await resolveActionLeg(ld, { ...leg, error: null }, action, deps.settleFrom + ld.settleMs, NOT_PLACED)
            : await resolveLeg(
                ld,
                { ...leg, error: null },
                legTerms(leg, { ...r, price: entry.limitPrice }),
                deps.settleFrom + ld.settleMs,
                NOT_PLACED,
              );
          r.legs[i] = outcome;
          found.push(`${leg.account} ${outcome.status === 'rejected' ? 'not placed' : outcome.status}`);
          await deps.append({ v: 1, type: 'leg', at: deps.clock.now(), executionId, leg: outcome });
        }),
      );
      if (r.legs.some((l) => !TERMINAL.has(l.status))) {
        if (legFailures.length > 0) {
          deps.log.error(
            { executionId, legFailures },
            'unfinished execution has legs that cannot be looked up; left pending',
          );
        }
        report.stillPending.push(executionId);
        return;
      }
      const note = `the companion stopped during this execution; on restart the exchange was asked: ${found.sort().join(', ') || 'every leg was already recorded'}`;
      await deps.finish(executionId, note);
      report.settled.push({ executionId, status: r.status, note });
    }),
  );
  return report;
}
