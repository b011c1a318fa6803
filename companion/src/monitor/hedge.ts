import type { Clock } from '../core/clock.ts';

/**
 * A hedged read ("The Tail at Scale", Dean and Barroso): when a read has not answered `afterMs` after it
 * went out, or failed before then, the same read goes out once more; the first answer wins, the other is
 * dropped and its retries are cancelled through the signal. At most one extra read per call.
 *
 * Why for the CRITICAL price read: the monitor waits at most one critical interval for it, so one read held
 * by the exchange (a timeout it answers seconds later), or one that failed twice in a row (its own quick
 * retry included), costs a whole critical check; at a few percent of such reads those missed checks are
 * the tail of the critical gap. A second read sent while the first is merely slow, or right after it
 * failed, catches most of them for one extra call on a slow or failed read only. Reads are idempotent, so
 * sending one twice is safe; an order is never hedged.
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
          if (reads === 1) second();
          else if (inFlight === 0) finish(() => reject(firstError));
        },
      );
    };
    const second = () => {
      if (done || reads === 2) return;
      reads = 2;
      start();
    };
    start();
    clock.sleep(afterMs, ctl.signal).then(second, () => {});
  });
}

/**
 * When to hedge, from how long recent reads took: three times their median, so an ordinary slow read is not
 * doubled (the median, not a high percentile: reads that needed their quick retry would drag a p90 up to
 * the cap), never sooner than `minMs` and never later than `maxMs` (half the critical interval, or the
 * second read could not land in time to matter). With no history yet: twice `minMs`, to be cautious.
 */
export function hedgeDelay(recentMs: readonly number[], minMs: number, maxMs: number): number {
  if (recentMs.length === 0) return Math.min(maxMs, 2 * minMs);
  const sorted = [...recentMs].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return Math.min(maxMs, Math.max(minMs, 3 * median));
}
