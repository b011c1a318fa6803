import { describe, expect, it } from 'vitest';
import { instrumentRuleProblem } from './instrument-rules.ts';
import type { Instrument } from './types.ts';

const good: Instrument = {
  symbol: 'BTCUSDT',
  tickSize: 0.1,
  qtyStep: 0.001,
  minQty: 0.001,
  maxQty: 100,
  minNotional: 5,
};

describe('instrumentRuleProblem', () => {
  it('accepts usable rules, a minimum order value of 0 included', () => {
    expect(instrumentRuleProblem(good)).toBeNull();
    expect(instrumentRuleProblem({ ...good, minNotional: 0 })).toBeNull();
    expect(instrumentRuleProblem({ ...good, minQty: 100 })).toBeNull();
  });

  it.each([
    ['qtyStep 0', { qtyStep: 0 }, 'qtyStep = 0 (must be a positive number)'],
    ['qtyStep ""', { qtyStep: '' }, 'qtyStep = "" (must be a positive number)'],
    ['qtyStep NaN', { qtyStep: Number.NaN }, 'qtyStep = not a number (must be a positive number)'],
    ['qtyStep missing', { qtyStep: undefined }, 'qtyStep = missing (must be a positive number)'],
    ['qtyStep negative', { qtyStep: -0.001 }, 'qtyStep = -0.001 (must be a positive number)'],
    ['qtyStep infinite', { qtyStep: Number.POSITIVE_INFINITY }, 'qtyStep = Infinity (must be a positive number)'],
    ['tickSize 0', { tickSize: 0 }, 'tickSize = 0 (must be a positive number)'],
    ['tickSize NaN', { tickSize: Number.NaN }, 'tickSize = not a number (must be a positive number)'],
    ['minQty 0', { minQty: 0 }, 'minQty = 0 (must be a positive number)'],
    ['maxQty NaN', { maxQty: Number.NaN }, 'maxQty = not a number (must be a positive number)'],
    ['maxQty below minQty', { minQty: 10, maxQty: 1 }, 'maxQty = 1 is below minQty = 10'],
    ['minNotional negative', { minNotional: -1 }, 'minNotional = -1 (must be a number, 0 or more)'],
    ['minNotional NaN', { minNotional: Number.NaN }, 'minNotional = not a number (must be a number, 0 or more)'],
  ])('refuses %s, naming the field and the value', (_n, patch, problem) => {
    expect(instrumentRuleProblem({ ...good, ...(patch as Partial<Instrument>) })).toBe(problem);
  });
});
