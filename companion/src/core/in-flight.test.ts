import { describe, expect, it } from 'vitest';
import { InFlight } from './in-flight.ts';

describe('InFlight', () => {
  it('settled() waits for tracked work, including work started while waiting', async () => {
    const work = new InFlight();
    const order: string[] = [];
    let second: Promise<void> | null = null;
    void work.track(
      new Promise<void>((resolve) =>
        setTimeout(() => {
          order.push('first');
          second = work.track(new Promise<void>((r) => setTimeout(() => r(order.push('second') as never), 5)));
          resolve();
        }, 5),
      ),
    );
    await work.settled();
    expect(order).toEqual(['first', 'second']);
    expect(second).not.toBeNull();
  });

  it('drain() gives up after waitMs on work that never settles, and a rejection does not throw', async () => {
    const work = new InFlight();
    void work.track(new Promise(() => {}));
    void work.track(Promise.reject(new Error('boom'))).catch(() => {});
    const t0 = Date.now();
    await work.drain(30);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
  });
});
