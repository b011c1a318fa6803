import type { ExecuteRequest, ExecuteResult } from '@tierwatch/shared';
import { type Api, ApiError } from './api.ts';

/**
 * One confirmed execute, from POST to the outcome the trader should see. When the answer is lost (no
 * answer in time, a broken connection, an unreadable body) the orders may stand all the same: the
 * execution is then followed by its idempotency key with GET /executions?key=, never by sending the
 * request again. A re-POST with the same key would join the execution too, but only while the companion
 * remembers the key; if it does not (the request never arrived, a lost data dir, a journal line it could
 * not read) the re-POST would place the order, unasked. A GET cannot place anything, whatever the state.
 *
 * What an answered execution does next (pending legs settling, market fills read back) is not polled for:
 * the companion pushes it on the stream (execution-finished, execution-updated; trade-flow.ts shownResult).
 */

export type Sleep = (ms: number) => Promise<void>;
const timerSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** After a lost answer: ask for the key's execution this many times, this far apart (a restarting
 * companion reloads its journal in a few seconds; one still validating journals its intent soon after). */
export const FOLLOW_ATTEMPTS = 10;
export const FOLLOW_INTERVAL_MS = 1000;

export type PlaceOutcome =
  /** `followed`: found by its key after the answer to the POST was lost. */
  | { kind: 'result'; result: ExecuteResult; followed: boolean }
  /** The companion has no execution under the key: nothing went out. */
  | { kind: 'not-placed'; message: string }
  /** Could not find out: the order may or may not stand. */
  | { kind: 'unknown'; message: string };

/**
 * Could the request have executed although no result came back? An error body from the companion means
 * it decided before sending anything (4xx by contract; its 5xx are raised before the intent is journaled).
 */
export function answerLost(err: unknown): err is ApiError {
  if (!(err instanceof ApiError)) return false;
  if (err.code === 'TIMEOUT' || err.code === 'NETWORK') return true;
  return err.code === 'BAD_RESPONSE' && (err.status === null || err.status < 300 || err.status >= 500);
}

function lostReason(err: ApiError): string {
  if (err.code === 'TIMEOUT') return err.message;
  // Not "not reachable": the request may well have reached it; only the answer is missing.
  if (err.code === 'NETWORK') return 'The connection to the companion broke before it answered';
  return `The companion's answer could not be read (${err.message})`;
}

export async function placeExecution(
  api: Api,
  req: ExecuteRequest,
  opts: { sleep?: Sleep; onChecking?: (message: string) => void } = {},
): Promise<PlaceOutcome> {
  const sleep = opts.sleep ?? timerSleep;
  let first: ExecuteResult;
  try {
    first = await api.execute(req);
  } catch (err) {
    if (!answerLost(err)) throw err;
    opts.onChecking?.(`${lostReason(err)}: the order may have been placed — checking…`);
    return follow(api, req.idempotencyKey, sleep);
  }
  return { kind: 'result', result: first, followed: false };
}

async function follow(api: Api, key: string, sleep: Sleep): Promise<PlaceOutcome> {
  let last: { answered: true } | { answered: false; error: unknown } = { answered: false, error: null };
  for (let i = 0; i < FOLLOW_ATTEMPTS; i++) {
    if (i > 0) await sleep(FOLLOW_INTERVAL_MS);
    try {
      // Filtered here too: a companion without ?key= answers its recent list.
      const found = (await api.executions({ key })).data.find((e) => e.idempotencyKey === key);
      if (found) return { kind: 'result', result: found, followed: true };
      last = { answered: true };
    } catch (error) {
      last = { answered: false, error };
    }
  }
  if (last.answered)
    return {
      kind: 'not-placed',
      message:
        'The companion has no execution under this request’s key: nothing was placed. Place sends the same ' +
        'request again, with the same key, so it cannot go out twice.',
    };
  const why = last.error instanceof Error ? last.error.message : String(last.error);
  return {
    kind: 'unknown',
    message:
      `Could not find out whether the order was placed (${why}). Check Positions first; Place sends the ` +
      'same request with the same key, which never places it twice.',
  };
}
