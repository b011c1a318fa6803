import { describe, expect, it } from 'vitest';
import { ceilToStep, floorToStep, onStep, roundToStep, stepDecimals } from './steps.ts';

describe('stepDecimals', () => {
  it.each([
    [0.001, 3],
    [0.5, 1],
    [1, 0],
    [25, 0],
    [0.0001, 4],
    [1e-7, 7],
    [1e-8, 8],
    [2.5e-7, 8],
    [0.00025, 5],
    // Steps computed in binary carry dust: 10 ** -5 is 0.000009999999999999999, meant as 0.00001.
    [10 ** -5, 5],
    [10 ** -4, 4],
  ])('stepDecimals(%s) = %s', (step, d) => expect(stepDecimals(step)).toBe(d));

  it.each([0, -0.1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s as a step', (step) => {
    expect(() => stepDecimals(step)).toThrow(/positive number/);
  });
});

describe('step arithmetic', () => {
  it.each<[string, number, number, number, number, number]>([
    // name, value, step, floor, round, ceil
    ['2.5e-7: exactly 3 steps', 7.5e-7, 2.5e-7, 7.5e-7, 7.5e-7, 7.5e-7],
    ['2.5e-7: just below a step', 7.4999e-7, 2.5e-7, 5e-7, 7.5e-7, 7.5e-7],
    ['2.5e-7: just above a step', 7.5001e-7, 2.5e-7, 7.5e-7, 7.5e-7, 1e-6],
    ['2.5e-7: a large quantity', 123.45678912, 2.5e-7, 123.456789, 123.456789, 123.45678925],
    ['0.001: float dust of 0.0155', 0.0155, 0.001, 0.015, 0.016, 0.016],
    ['a dusty size on a dusty step: 62 steps', 0.0006199999999999999, 10 ** -5, 0.00062, 0.00062, 0.00062],
    ['0.001: a digit past the step', 1.0000000001, 0.001, 1, 1, 1.001],
    ['0.001: just below', 0.0009, 0.001, 0, 0.001, 0.001],
    ['0.1: 0.3 is on the step', 0.3, 0.1, 0.3, 0.3, 0.3],
    ['0.1: 0.1 + 0.2', 0.1 + 0.2, 0.1, 0.3, 0.3, 0.3],
    ['0.5: just above a step', 5.0001, 0.5, 5, 5, 5.5],
    ['0.5: just below a step', 4.9999, 0.5, 4.5, 5, 5],
    ['25: between steps', 60, 25, 50, 50, 75],
    ['25: just below a step', 74.999, 25, 50, 75, 75],
    ['1e-8', 0.00000123, 1e-8, 0.00000123, 0.00000123, 0.00000123],
    ['a price to 0.1', 60_000.06, 0.1, 60_000, 60_000.1, 60_000.1],
  ])('%s', (_name, value, step, floor, round, ceil) => {
    expect(floorToStep(value, step)).toBe(floor);
    expect(roundToStep(value, step)).toBe(round);
    expect(ceilToStep(value, step)).toBe(ceil);
  });

  it('every result is on its step and prints as its decimals (no residue)', () => {
    for (const step of [2.5e-7, 0.001, 0.5, 25, 0.1, 1e-8]) {
      for (const v of [0.3, 1.7, 12.345678, 999.99, 0.00000077]) {
        const q = floorToStep(v, step);
        expect(onStep(q, step)).toBe(true);
        expect(String(q)).toBe(String(Number(q.toFixed(stepDecimals(step)))));
      }
    }
  });

  it.each<[number, number, boolean]>([
    [0.3, 0.1, true],
    [50_000.1, 0.1, true],
    [50_000.05, 0.1, false],
    [7.5e-7, 2.5e-7, true],
    [7e-7, 2.5e-7, false],
    [75, 25, true],
    [0.0005, 0.001, false],
  ])('onStep(%s, %s) = %s', (value, step, on) => expect(onStep(value, step)).toBe(on));
});

describe('cases both sides tested before they shared this code', () => {
  it.each([
    [0.1234, 0.001, 0.123],
    [0.7, 0.1, 0.7],
    [1.99999, 1, 1],
    [5, 0.5, 5],
    [123.456, 1, 123],
  ])('floorToStep(%s, %s) = %s', (v, step, out) => expect(floorToStep(v, step)).toBe(out));

  it.each([
    [60_000.04, 0.1, 60_000],
    [0.123456, 0.0001, 0.1235],
  ])('roundToStep(%s, %s) = %s', (v, step, out) => expect(roundToStep(v, step)).toBe(out));
});
