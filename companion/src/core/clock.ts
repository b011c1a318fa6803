/**
 * Time is injected everywhere (hummingbot's habit): logic asks a Clock for `now` and sleeps on it, so the
 * same code runs in real time, in scaled time (benchmarks: simulated minutes in real seconds, real I/O
 * still flowing) and in manual time (unit tests: advance by hand, no waiting).
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortable(signal: AbortSignal | undefined, start: (done: () => void) => () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      cancel();
      reject(signal?.reason);
    };
    const cancel = start(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    abortable(signal, (done) => {
      const t = setTimeout(done, Math.max(0, ms));
      return () => clearTimeout(t);
    }),
};

/** Runs `scale` times faster than the wall clock, starting at `startAt`. */
export class ScaledClock implements Clock {
  private readonly realStart = performance.now();
  constructor(
    readonly scale: number,
    private readonly startAt = Date.now(),
  ) {
    if (!(scale > 0)) throw new Error(`ScaledClock: scale must be > 0, got ${scale}`);
  }
  now(): number {
    return Math.floor(this.startAt + (performance.now() - this.realStart) * this.scale);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms / this.scale, signal);
  }
}

/** Time moves only when a test calls `advance`; sleepers wake in due order. */
export class ManualClock implements Clock {
  private sleepers: { at: number; wake: () => void }[] = [];
  constructor(private current = 1_700_000_000_000) {}
  now(): number {
    return this.current;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return abortable(signal, (done) => {
      const entry = { at: this.current + Math.max(0, ms), wake: done };
      this.sleepers.push(entry);
      return () => {
        this.sleepers = this.sleepers.filter((s) => s !== entry);
      };
    });
  }
  /** Moves time forward step by step, waking each sleeper at its due time and letting its work run. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      // Let work already in flight reach its next sleep before looking for who is due.
      await flushMicrotasks();
      const next = this.sleepers.filter((s) => s.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.current = Math.max(this.current, next.at);
      this.sleepers = this.sleepers.filter((s) => s !== next);
      next.wake();
      await flushMicrotasks();
    }
    this.current = target;
    await flushMicrotasks();
  }
  get pendingSleepers(): number {
    return this.sleepers.length;
  }
}

/** Lets promise chains settle (several turns, since awaits nest). */
export async function flushMicrotasks(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}
