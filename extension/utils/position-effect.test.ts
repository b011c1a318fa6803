import { describe, expect, it } from 'vitest';
import { describeEffect, effectOf, needsChoice } from './position-effect.ts';

describe('effectOf: an order against what the account holds (one-way mode)', () => {
  it.each([
    ['nothing held', null, 'long', 10, 'opens', { side: 'long', size: 10 }],
    ['same side', { side: 'long', size: 5 }, 'long', 10, 'adds', { side: 'long', size: 15 }],
    // The case: LONG 10 against SHORT 99 shrank it to 89, silently.
    ['opposite, smaller', { side: 'short', size: 99 }, 'long', 10, 'reduces', { side: 'short', size: 89 }],
    ['the mirror of it', { side: 'short', size: 49.5 }, 'long', 5, 'reduces', { side: 'short', size: 44.5 }],
    ['opposite, equal', { side: 'short', size: 10 }, 'long', 10, 'closes', null],
    ['opposite, larger', { side: 'long', size: 0.3 }, 'short', 0.5, 'flips', { side: 'short', size: 0.2 }],
  ] as const)('%s', (_, held, side, qty, kind, after) => {
    const e = effectOf(held, side, qty);
    expect([e.kind, e.after]).toEqual([kind, after]);
    expect(needsChoice(e)).toBe(kind === 'reduces' || kind === 'closes' || kind === 'flips');
  });
  it('says what it does in words', () => {
    expect(describeEffect(effectOf({ side: 'short', size: 99 }, 'long', 10))).toBe(
      "reduces the short 99 → 89 (this order's TP/SL do not apply)",
    );
  });
});
