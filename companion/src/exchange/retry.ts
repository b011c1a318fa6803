import type { Clock } from '../core/clock.ts';
import { type ExchangeCallError, isRetryable } from './errors.ts';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

/** The layer's policy, with the caller's own number of retries when it gave one. */
export function retryPolicy(base: RetryPolicy, opts: { retries?: number }): RetryPolicy {
  return opts.retries === undefined ? base : { ...base, attempts: opts.retries };
}

/** Capped exponential backoff with full jitter; the exchange's own reset time wins when it gave one. */
export function retryDelay(
  policy: RetryPolicy,
  retryIndex: number,
  err: ExchangeCallError,
  random: () => number,
): number {
  if (err.retryAfterMs !== null) return Math.min(policy.maxMs * 5, err.retryAfterMs);
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** retryIndex);
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/**
 * Retries retryable failures (network, timeouts, rate limits) on the injected clock, so simulated-time
 * benchmarks and manual-time tests see the same behaviour as real time. Why not p-retry: its waits run on
 * the wall clock. Rejections (bad input) and auth failures are never retried.
 */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  opts: { policy: RetryPolicy; clock: Clock; signal?: AbortSignal; random?: () => number },
): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      const err = e as ExchangeCallError;
      if (typeof err?.action !== 'string' || !isRetryable(err) || i >= opts.policy.attempts) throw err;
      await opts.clock.sleep(retryDelay(opts.policy, i, err, opts.random ?? Math.random), opts.signal);
    }
  }
}
