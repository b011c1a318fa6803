import { describe, expect, it } from 'vitest';
import { backoffMs, healthOf } from './stream-runner.ts';

const timing = { staleMs: 600, subscribeTimeoutMs: 1500, backoffMinMs: 200, backoffMaxMs: 2000 };

describe('backoffMs', () => {
  it.each([
    // attempt, random, expected: half the floor at random 0, the doubling cap at random 1, never past max
    [0, 0, 100],
    [0, 1, 200],
    [1, 1, 400],
    [3, 1, 1600],
    [4, 1, 2000],
    [30, 1, 2000],
    [30, 0, 100],
    [2, 0.5, 450],
  ])('attempt %i with random %f waits %i ms', (attempt, r, want) => {
    expect(backoffMs(attempt, timing, () => r)).toBe(want);
  });
});

describe('healthOf', () => {
  it.each([
    [{ connected: false, lastFrameAt: 1000 }, 1000, 'down'],
    [{ connected: true, lastFrameAt: null }, 1000, 'down'],
    [{ connected: true, lastFrameAt: 1000 }, 1600, 'live'],
    [{ connected: true, lastFrameAt: 1000 }, 1601, 'stale'],
  ] as const)('%o at %i is %s', (s, now, want) => {
    expect(healthOf(s, now, 600)).toBe(want);
  });
});
