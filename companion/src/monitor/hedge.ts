import type { Clock } from '../core/clock.ts';

/**
 * A hedged read ("The Tail at Scale", Dean and Barroso): when a read has not answered `afterMs` after it
 * went out, the same read goes out once more and the first answer wins; the other is dropped and its
 * retries are cancelled through the signal.
 *
 * Why for the CRITICAL price read: the monitor waits at most one critical interval for it, so one read held
 * by the exchange (a timeout it answers seconds later) costs a whole critical check, and at a few percent
 * of held reads those missed checks are the tail of the critical gap. A second read sent while the first
 * is merely slow catches most of them for one extra call on a slow read only. Reads are idempotent, so
 * sending one twice is safe; an order is never hedged.
 *
 * A read that fails before `afterMs` is not hedged (the read's own quick retry covers a passing error):
 * the result is that failure.
 */
export function hedged<T>(
  read: (signal: AbortSignal) => Promise<T>,
  afterMs: number,
  clock: Clock,
): Promise<{ value: T; reads: 1 | 2 }> {
  return new Promise((resolve, reject) => {
    const ctl = new AbortController();
    let reads: 1 | 2 = 1;
    let inFlight = 0;
    let firstError: unknown;
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      ctl.abort(new Error('hedged read settled'));
      fn();
    };
    const start = () => {
      inFlight++;
      read(ctl.signal).then(
        (value) => finish(() => resolve({ value, reads })),
        (err) => {
          inFlight--;
          firstError ??= err;
          if (inFlight === 0) finish(() => reject(firstError));
        },
      );
    };
    start();
    clock.sleep(afterMs, ctl.signal).then(
      () => {
        if (done) return;
        reads = 2;
        start();
      },
      () => {},
    );
  });
}

/**
 * When to hedge, from how long recent reads took: twice their 90th percentile, so an ordinary slow read is
 * not doubled, never sooner than `minMs` and never later than `maxMs` (half the critical interval, or the
 * second read could not land in time to matter). With no history yet: twice `minMs`, to be cautious.
 */
export function hedgeDelay(recentMs: readonly number[], minMs: number, maxMs: number): number {
  if (recentMs.length === 0) return Math.min(maxMs, 2 * minMs);
  const sorted = [...recentMs].sort((a, b) => a - b);
  const p90 = sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)]!;
  return Math.min(maxMs, Math.max(minMs, 2 * p90));
}
