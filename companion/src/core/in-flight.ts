/**
 * Work a component started and has not seen finish (executions, background lookups): tracked so that it can
 * wait for all of it, or for a while of it when stopping.
 */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  /** Tracks `p` until it settles; returns it. */
  track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    const drop = () => this.running.delete(p);
    p.then(drop, drop);
    return p;
  }

  /** Resolves once everything tracked has settled, including work started meanwhile. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Waits up to `waitMs` (wall clock) for what is tracked now to settle. */
  async drain(waitMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running]),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
      }),
    ]);
    clearTimeout(timer);
  }
}
