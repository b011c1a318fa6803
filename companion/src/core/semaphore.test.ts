import { describe, expect, it } from 'vitest';
import { flushMicrotasks } from './clock.ts';
import { Semaphore } from './semaphore.ts';

describe('Semaphore', () => {
  it('never runs more than its limit, even when a slot is freed while newcomers arrive', async () => {
    const sem = new Semaphore(3);
    let running = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const task = () =>
      sem.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => gates.push(r));
        running--;
      });
    const all = Array.from({ length: 10 }, task);
    await flushMicrotasks();
    expect(running).toBe(3);
    while (gates.length > 0) {
      gates.shift()!();
      all.push(task()); // a newcomer right as a slot frees
      await flushMicrotasks();
      expect(running).toBeLessThanOrEqual(3);
      if (all.length > 20) break;
    }
    while (gates.length > 0 || sem.inUse > 0) {
      gates.shift()?.();
      await flushMicrotasks();
    }
    await Promise.all(all);
    expect(peak).toBe(3);
  });
});
