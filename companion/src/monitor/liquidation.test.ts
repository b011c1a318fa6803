import type { Position } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { liquidationBeforeStopLoss } from './liquidation.ts';

type P = Pick<Position, 'side' | 'stopLoss' | 'liquidationPrice'>;

describe('liquidationBeforeStopLoss', () => {
  it.each<[string, P, boolean]>([
    ['long, liquidation above the SL', { side: 'long', stopLoss: 90, liquidationPrice: 91 }, true],
    ['long, liquidation at the SL', { side: 'long', stopLoss: 90, liquidationPrice: 90 }, true],
    ['long, liquidation below the SL', { side: 'long', stopLoss: 90, liquidationPrice: 89.9 }, false],
    ['short, liquidation below the SL', { side: 'short', stopLoss: 110, liquidationPrice: 109 }, true],
    ['short, liquidation at the SL', { side: 'short', stopLoss: 110, liquidationPrice: 110 }, true],
    ['short, liquidation above the SL', { side: 'short', stopLoss: 110, liquidationPrice: 111 }, false],
    ['no SL', { side: 'long', stopLoss: null, liquidationPrice: 95 }, false],
    ['no liquidation price', { side: 'long', stopLoss: 90, liquidationPrice: null }, false],
    ['a liquidation price that is not a number', { side: 'long', stopLoss: 90, liquidationPrice: Number.NaN }, false],
    ['a zero liquidation price (short: none)', { side: 'short', stopLoss: 110, liquidationPrice: 0 }, false],
  ])('%s → %s', (_name, p, expected) => {
    expect(liquidationBeforeStopLoss(p)).toBe(expected);
  });
});
