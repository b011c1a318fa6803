import { describe, expect, it } from 'vitest';
import { makeInstrument } from './instruments.ts';

describe('makeInstrument: steps written as Bybit sends them', () => {
  it.each([
    // price, tick, qty step (10 ** -4 and 10 ** -5 carry binary dust; these must not)
    [65_000, 1, 0.00001],
    [3_000, 0.1, 0.001],
    [150, 0.01, 0.01],
    [0.5, 0.00001, 10],
    [0.00002, 1e-9, 100_000],
  ])('at %s: tick %s, qty step %s', (price, tick, step) => {
    const inst = makeInstrument('TESTUSDT', price, 0);
    expect(inst.tickSize).toBe(tick);
    expect(inst.qtyStep).toBe(step);
    expect(String(inst.qtyStep)).not.toMatch(/9999/);
    // What the REST and stream rows print a size with: a 62-step size reads back as 62 steps.
    expect(Number((62 * inst.qtyStep).toFixed(inst.qtyDecimals)) / inst.qtyStep).toBeCloseTo(62, 9);
    expect(inst.qtyDecimals).toBeLessThanOrEqual(9);
  });
});
