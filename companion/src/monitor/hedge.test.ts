import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { hedgeDelay, hedged } from './hedge.ts';

/** A read that answers (or fails) after `ms` of the manual clock; records when each attempt went out. */
function reads(clock: ManualClock, plan: { ms: number; fail?: boolean }[]) {
  const sentAt: number[] = [];
  const aborted: boolean[] = [];
  const read = async (signal: AbortSignal) => {
    const i = sentAt.length;
    sentAt.push(clock.now());
    const step = plan[i]!;
    await clock.sleep(step.ms).catch(() => {});
    aborted[i] = signal.aborted;
    if (step.fail) throw new Error(`read ${i} failed`);
    return `answer ${i}`;
  };
  return { read, sentAt, aborted };
}

describe('hedged', () => {
  it.each([
    ['answers before the delay: one read', [{ ms: 100 }], 'answer 0', [0]],
    ['answers exactly at the delay: one read (the answer is in first)', [{ ms: 250 }], 'answer 0', [0]],
    ['held: a second read at the delay, which wins', [{ ms: 2500 }, { ms: 100 }], 'answer 1', [0, 250]],
    ['slow but first: the first still wins', [{ ms: 300 }, { ms: 100 }], 'answer 0', [0, 250]],
    ['held, the hedge fails: the first is still awaited', [{ ms: 600 }, { ms: 50, fail: true }], 'answer 0', [0, 250]],
  ] as const)('%s', async (_name, plan, value, sentAt) => {
    const clock = new ManualClock(0);
    const r = reads(clock, [...plan]);
    const p = hedged(r.read, 250, clock);
    await clock.advance(3000);
    expect((await p).value).toBe(value);
    expect(r.sentAt).toEqual(sentAt);
  });

  it('a read that fails before the delay is sent again at once, once', async () => {
    const clock = new ManualClock(0);
    const r = reads(clock, [{ ms: 10, fail: true }, { ms: 50 }]);
    const p = hedged(r.read, 250, clock);
    await clock.advance(3000);
    expect(await p).toEqual({ value: 'answer 1', reads: 2 });
    expect(r.sentAt).toEqual([0, 10]);
  });

  it('both fail fast: the first error, and no third read', async () => {
    const clock = new ManualClock(0);
    const r = reads(clock, [
      { ms: 10, fail: true },
      { ms: 10, fail: true },
    ]);
    const settled = hedged(r.read, 250, clock).catch((e: Error) => e.message);
    await clock.advance(3000);
    expect(await settled).toBe('read 0 failed');
    expect(r.sentAt).toEqual([0, 10]);
  });

  it('both fail: the first error', async () => {
    const clock = new ManualClock(0);
    const r = reads(clock, [
      { ms: 400, fail: true },
      { ms: 500, fail: true },
    ]);
    const settled = hedged(r.read, 250, clock).catch((e: Error) => e.message);
    await clock.advance(3000);
    expect(await settled).toBe('read 0 failed');
  });

  it("the winner's answer aborts the loser's signal (its retries stop)", async () => {
    const clock = new ManualClock(0);
    const r = reads(clock, [{ ms: 2500 }, { ms: 100 }]);
    const p = hedged(r.read, 250, clock);
    await clock.advance(3000);
    await p;
    expect(r.aborted[0]).toBe(true); // the held first read, when it finally returns
  });
});

describe('hedgeDelay', () => {
  it.each([
    ['no history: twice the minimum', [], 500],
    ['fast reads: the minimum', [50, 60, 70], 250],
    ['three times the median', [100, 90, 110, 100, 400, 100, 100, 700, 100, 100], 300],
    ['a few retried reads do not move it', [60, 60, 60, 60, 60, 60, 60, 60, 600, 650], 250],
    ['slow reads: capped at the maximum', [400, 450, 480], 500],
  ] as const)('%s', (_name, recent, expected) => {
    expect(hedgeDelay(recent, 250, 500)).toBe(expected);
  });
});
