import { describe, expect, it } from 'vitest';
import { runCrashLoop } from './crash-loop.ts';

/** The crash bench in small (`pnpm bench crash` runs 20 rounds): SIGKILL mid-execution, restart, compare. */
describe('SIGKILL at random points, restart, repeat', () => {
  it('3 rounds: no duplicate order, no lost leg', async () => {
    const f = await runCrashLoop(3, 23);
    expect(f.executionsSent).toBeGreaterThanOrEqual(3);
    expect(f.lostSamples).toEqual([]);
    expect(f.lostLegs).toBe(0);
    expect(f.duplicateOrders).toBe(0);
    expect(f.actionsSent).toBeGreaterThanOrEqual(1);
    expect(f.positionsFlipped).toBe(0);
  }, 110_000);
});
