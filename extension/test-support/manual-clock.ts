/**
 * A clock the test moves by hand: the time the code under test reads, its timers, and `advance`, which runs
 * every timer due within the step in time order (a timer set by one that runs is run too, if due).
 */
export function manualClock(start = 0) {
  let now = start;
  let nextId = 1;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  return {
    now: () => now,
    setTimeout(fn: () => void, ms: number): number {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout(id: unknown): void {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    advance(ms: number): void {
      const until = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const t = timers[0];
        if (!t || t.at > until) break;
        timers.shift();
        now = t.at;
        t.fn();
      }
      now = until;
    },
  };
}
