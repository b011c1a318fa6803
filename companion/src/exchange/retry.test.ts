import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { type ErrorAction, ExchangeCallError } from './errors.ts';
import { retryDelay, withRetry } from './retry.ts';

const policy = { attempts: 2, baseMs: 100, maxMs: 1000 };
const err = (action: ErrorAction, retryAfterMs: number | null = null) =>
  new ExchangeCallError(action, 'EXCHANGE_ERROR', action, 'main', retryAfterMs);

describe('retryDelay', () => {
  it.each([
    [0, 0, 50],
    [0, 1, 100],
    [1, 1, 200],
    [3, 1, 800],
    [4, 1, 1000],
    [9, 1, 1000],
  ])('retry %i with random %f waits %i ms (capped, jittered)', (index, random, expected) => {
    expect(retryDelay(policy, index, err('retry'), () => random)).toBe(expected);
  });
  it("uses the exchange's reset time when given", () => {
    expect(retryDelay(policy, 0, err('backoff', 750), () => 0)).toBe(750);
  });
});

describe('withRetry', () => {
  it.each<[ErrorAction, number]>([
    ['retry', 3],
    ['backoff', 3],
    ['reject', 1],
    ['reauth', 1],
    ['fatal', 1],
  ])('%s failures are attempted %i time(s)', async (action, expected) => {
    const clock = new ManualClock(0);
    let calls = 0;
    const run = withRetry(
      async () => {
        calls++;
        throw err(action);
      },
      { policy, clock, random: () => 1 },
    );
    const settled = run.catch((e: unknown) => e);
    await clock.advance(10_000);
    expect(await settled).toBeInstanceOf(ExchangeCallError);
    expect(calls).toBe(expected);
  });

  it('returns the first success', async () => {
    const clock = new ManualClock(0);
    let calls = 0;
    const run = withRetry(
      async () => {
        if (++calls < 2) throw err('retry');
        return 'ok';
      },
      { policy, clock, random: () => 1 },
    );
    await clock.advance(200);
    expect(await run).toBe('ok');
  });
});
