import type { ExecuteResult } from '@tierwatch/shared';
import type { EventBus } from '../core/bus.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Semaphore } from '../core/semaphore.ts';
import type { AccountClient } from '../exchange/types.ts';
import type { LegRecord } from './journal/index.ts';

/**
 * A market leg is acknowledged before it fills: once the execution is answered, each such leg is read back
 * (top lane, once) and its fill recorded. Never places anything; a failed read changes nothing.
 */

export interface FillsDeps {
  clients: ReadonlyMap<string, AccountClient>;
  sem: Semaphore;
  signal: AbortSignal;
  /** Journals one leg's new state (the caller stamps the time). */
  append(record: Omit<LegRecord, 'at'>): Promise<void>;
  log: Logger;
}

/** Updates `r`'s placed market legs in place from the exchange; true when any leg changed. */
export async function readFillsBack(r: ExecuteResult, deps: FillsDeps): Promise<boolean> {
  // An action's legs that are not orders (levels, cancels) have nothing to fill.
  if (r.orderType !== 'market' || (r.action && r.action.kind !== 'close')) return false;
  let changed = false;
  await Promise.all(
    r.legs.map(async (leg, i) => {
      const client = deps.clients.get(leg.account);
      if (leg.status !== 'placed' || !client) return;
      try {
        const found = await deps.sem.run(() =>
          client.findOrder(leg.clientOrderId, r.symbol, { lane: 'execution', signal: deps.signal }),
        );
        if (!found || found.filledQty <= 0) return;
        const filled = found.filledQty >= leg.qty;
        const next = {
          ...leg,
          status: filled ? 'filled' : 'placed',
          filledQty: found.filledQty,
          avgPrice: found.avgPrice,
        } as const;
        r.legs[i] = next;
        changed = true;
        await deps.append({ v: 1, type: 'leg', executionId: r.executionId, leg: next });
      } catch (err) {
        deps.log.warn({ executionId: r.executionId, account: leg.account, err: String(err) }, 'fill read-back failed');
      }
    }),
  );
  return changed;
}

/** Reads a market execution's fills back once it is answered; publishes execution-updated when any changed. */
export async function confirmFills(
  r: ExecuteResult | undefined,
  deps: Omit<FillsDeps, 'append'> & { bus: EventBus; clock: Clock; append(record: LegRecord): Promise<void> },
): Promise<void> {
  if (!r) return;
  const changed = await readFillsBack(r, {
    ...deps,
    append: (record) => deps.append({ ...record, at: deps.clock.now() }),
  });
  if (changed) deps.bus.publish({ type: 'execution-updated', at: deps.clock.now(), result: structuredClone(r) });
}
