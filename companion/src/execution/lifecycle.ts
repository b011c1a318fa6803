import type { ActionRequest, ExecuteRequest, ExecuteResult } from '@tierwatch/shared';
import type { ResourceCache } from '../cache/index.ts';
import { AppError } from '../core/app-error.ts';
import type { EventBus } from '../core/bus.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Entry } from './book.ts';
import { newExecutionId } from './ids.ts';
import type { Journal } from './journal/index.ts';
import { isPlaced, type LegDeps, statusOf, TERMINAL } from './legs.ts';
import type { Prepared } from './prepared.ts';

/**
 * An execution's two ends: it begins when its intent is journaled (fsynced, before anything is sent) and
 * ends when its final status is journaled and published. Between them the service places the legs.
 */
export interface LifecycleDeps {
  journal: Journal;
  entries: Map<string, Entry>;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  /** Journals a record after orders went out (appendOrLog: never fails the execution). */
  write(record: Parameters<Journal['append']>[0]): Promise<void>;
  /** The monitor reads a traded account again at once. */
  refreshAccount?(account: string): void;
}

/** Journals the intent before anything is sent; only then does the execution exist. Returns its id. */
export async function beginExecution(
  deps: LifecycleDeps,
  req: ExecuteRequest | ActionRequest,
  hash: string,
  plan: Prepared,
): Promise<string> {
  const executionId = newExecutionId();
  const now = deps.clock.now();
  const result: ExecuteResult = {
    executionId,
    idempotencyKey: req.idempotencyKey,
    status: 'pending',
    symbol: plan.symbol,
    side: plan.side,
    orderType: plan.orderType,
    startedAt: now,
    finishedAt: null,
    adjustments: plan.adjustments,
    legs: plan.legs,
    recovery: null,
    ...(plan.action ? { action: plan.action } : {}),
  };
  try {
    await deps.journal.append({
      v: 1,
      type: 'intent',
      at: now,
      executionId,
      idempotencyKey: req.idempotencyKey,
      requestHash: hash,
      request: req,
      result,
    });
  } catch (err) {
    // The intent is not durable (a full disk): nothing may be sent, and the key stays free (execute()).
    deps.log.error({ err: String(err) }, 'journal write failed; execution refused');
    throw new AppError(
      'JOURNAL_UNAVAILABLE',
      `${err instanceof Error ? err.message : String(err)}; nothing was placed, and the same key can be sent again once the journal can be written`,
    );
  }
  deps.entries.set(executionId, {
    result: structuredClone(result),
    requestHash: hash,
    finished: false,
    limitPrice: plan.limitPrice,
  });
  deps.bus.publish({ type: 'execution-started', at: now, executionId, symbol: plan.symbol, side: plan.side });
  deps.log.info(
    { executionId, symbol: plan.symbol, side: plan.side, action: plan.action?.kind, legs: plan.legs },
    'execution started',
  );
  return executionId;
}

/**
 * Final status, journaled, published; an alert (warning log + the event's status) unless complete. An
 * execution with legs of unknown outcome stays open (pending) and is left to the background lookups.
 */
export async function finishExecution(deps: LifecycleDeps, executionId: string, note: string | null): Promise<void> {
  const entry = deps.entries.get(executionId)!;
  const r = entry.result;
  r.status = statusOf(r);
  if (r.status === 'pending') {
    deps.log.error({ executionId, legs: r.legs }, 'execution left with legs of unknown outcome');
    return;
  }
  r.finishedAt = deps.clock.now();
  if (note !== null) r.recovery = { at: r.finishedAt, note };
  entry.finished = true;
  await deps.write({ v: 1, type: 'finished', at: r.finishedAt, executionId, result: r });
  deps.bus.publish({ type: 'execution-finished', at: r.finishedAt, result: structuredClone(r) });
  const summary = r.legs.map((l) => `${l.account}:${l.status}`).join(' ');
  if (r.status === 'complete') deps.log.info({ executionId, summary, recovered: note !== null }, 'execution complete');
  else
    deps.log.warn(
      { executionId, status: r.status, summary, errors: r.legs.map((l) => l.error) },
      `execution ${r.status}`,
    );
  for (const leg of r.legs) if (isPlaced(leg)) deps.refreshAccount?.(leg.account);
}

/**
 * Sends every pending leg at once, journaling each outcome as it comes; the accounts' cached reads are
 * dropped as their legs land (margin, positions and orders changed: the next pre-check must not see the old).
 */
export async function placeLegs(
  entry: Entry,
  plan: Prepared,
  deps: {
    legDeps(account: string): LegDeps;
    cache?: ResourceCache;
    clock: Clock;
    write(record: Parameters<Journal['append']>[0]): Promise<void>;
  },
): Promise<void> {
  const executionId = entry.result.executionId;
  await Promise.all(
    entry.result.legs.map(async (leg, i) => {
      // A leg planned as nothing-to-send (an action's account without the position) is already settled.
      if (TERMINAL.has(leg.status)) return;
      const outcome = await plan.place(deps.legDeps(leg.account), leg);
      entry.result.legs[i] = outcome;
      deps.cache?.invalidate(leg.account);
      await deps.write({ v: 1, type: 'leg', at: deps.clock.now(), executionId, leg: outcome });
    }),
  );
}

/** A journal append that never fails the execution once orders went out: the orders stand either way. */
export function appendOrLog(
  journal: Journal,
  log: Logger,
): (record: Parameters<Journal['append']>[0]) => Promise<void> {
  return async (record) => {
    try {
      await journal.append(record);
    } catch (err) {
      log.error({ err, type: record.type, executionId: record.executionId }, 'journal write failed');
    }
  };
}
