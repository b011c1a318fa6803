import type { ExecuteResult } from '@tierwatch/shared';
import type { Api } from './api.ts';
import type { Plan } from './execute-form.ts';

/**
 * "The same order went out 3s ago": two clicks with two keys place two orders, which is right when meant
 * and costly when not (a double click across popup and side panel, a retry after a lost answer under a
 * new key). The confirm step asks for a second confirmation when the companion's list of executions (the
 * one record every window shares, kept across popup restarts) holds a recent one of the same order.
 */

/** An execution this recent (by its start) with the same symbol, side, size and accounts is a repeat. */
export const REPEAT_WINDOW_MS = 60_000;
/**
 * Risk-sized legs are estimates here (the companion sizes from its own mark a moment later): sizes this
 * close count as the same. Quantity-sized legs are exact on both sides and must be equal.
 */
export const APPROX_QTY_TOLERANCE = 0.05;

export interface Repeat {
  execution: ExecuteResult;
  ageMs: number;
}

/** The confirm step's view of it: still asking the companion, none, found, or the list could not be read. */
export type RepeatCheck =
  | { state: 'checking' }
  | { state: 'none' }
  | { state: 'found'; repeat: Repeat }
  | { state: 'error'; message: string };

/** The newest execution that repeats `plan` within the window, or null. */
export function findRepeat(
  plan: Plan,
  executions: readonly ExecuteResult[],
  now: number,
  windowMs: number = REPEAT_WINDOW_MS,
): Repeat | null {
  const req = plan.request;
  let newest: Repeat | null = null;
  for (const e of executions) {
    // The very request being confirmed (followed after a lost answer): re-sending it joins it, no repeat.
    if (e.idempotencyKey === req.idempotencyKey) continue;
    // An action (a close, new levels) on a held position is not an order like this one, whatever its side.
    if (!wentOut(e) || e.action || e.symbol !== req.symbol || e.side !== req.side) continue;
    // Clocks of popup and companion are the same machine's; a start "in the future" is just now.
    const ageMs = Math.max(0, now - e.startedAt);
    if (ageMs > windowMs || !sameLegs(plan, e)) continue;
    if (!newest || ageMs < newest.ageMs) newest = { execution: e, ageMs };
  }
  return newest;
}

/** Orders may stand unless the exchange refused every leg. */
const wentOut = (e: ExecuteResult): boolean => e.status !== 'failed';

function sameLegs(plan: Plan, e: ExecuteResult): boolean {
  if (plan.legs.length !== e.legs.length) return false;
  return plan.legs.every((planned) => {
    const sent = e.legs.find((l) => l.account === planned.account);
    if (!sent) return false;
    // Sized by risk with no estimate (no mark or SL to size from yet): the accounts and side must do.
    if (planned.qty === null) return true;
    const tolerance = planned.approx ? APPROX_QTY_TOLERANCE : 1e-9;
    return Math.abs(sent.qty - planned.qty) <= tolerance * Math.max(sent.qty, planned.qty);
  });
}

/**
 * Asks the companion's list (not this window's memory: it holds across popup, side panel and restarts),
 * with `local` (what this window placed) as well, so a repeat of those is caught even when the list fails.
 */
export async function checkRepeat(
  api: Pick<Api, 'executions'>,
  plan: Plan,
  local: readonly ExecuteResult[],
  now: () => number = Date.now,
): Promise<RepeatCheck> {
  let listed: ExecuteResult[];
  try {
    listed = (await api.executions()).data;
  } catch (err) {
    const found = findRepeat(plan, local, now());
    return found
      ? { state: 'found', repeat: found }
      : { state: 'error', message: err instanceof Error ? err.message : String(err) };
  }
  const seen = new Set(listed.map((e) => e.executionId));
  const found = findRepeat(plan, [...listed, ...local.filter((e) => !seen.has(e.executionId))], now());
  return found ? { state: 'found', repeat: found } : { state: 'none' };
}
