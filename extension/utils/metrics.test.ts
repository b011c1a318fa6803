import { describe, expect, it } from 'vitest';
import { position } from '../test-support/fixtures.ts';
import { liquidationDistancePct, markValue, mirrorSync, nearSide, roiPct } from './metrics.ts';

describe('metrics', () => {
  it('value at the mark and ROI on the initial margin, as Bybit shows them', () => {
    // 0.1 BTC at 60,000, 10×: margin 600; +100 PnL is +16.67 % ROI. The mark value is 0.1 × 61,000.
    const p = position({ size: 0.1, entryPrice: 60_000, markPrice: 61_000, unrealisedPnl: 100, positionValue: 6000 });
    expect(markValue(p)).toBe(6100);
    expect(roiPct(p)).toBeCloseTo(16.667, 3);
  });

  it.each([
    ['the exchange value when sent', { positionValue: 3000 }, 33.333],
    ['size × entry without it', { positionValue: null }, 16.667],
    ['none without a leverage', { leverage: null }, null],
    ['none for a PnL that is not a number', { unrealisedPnl: Number.NaN }, null],
  ])('ROI: %s', (_name, over, roi) => {
    const got = roiPct(position({ unrealisedPnl: 100, ...over }));
    if (roi === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(roi, 3);
  });

  it.each([
    ['long, liquidation below', { side: 'long' as const, markPrice: 100, liquidationPrice: 90 }, 10],
    ['short, liquidation above', { side: 'short' as const, markPrice: 100, liquidationPrice: 105 }, 5],
    ['past it', { side: 'long' as const, markPrice: 100, liquidationPrice: 101 }, 0],
    ['none', { side: 'long' as const, markPrice: 100, liquidationPrice: null }, null],
  ])('distance to liquidation: %s', (_name, p, d) => expect(liquidationDistancePct(p)).toBe(d));

  it.each([
    [{ distanceToSlPct: 0.49, distanceToTpPct: 5 }, 'sl'],
    [{ distanceToSlPct: 5, distanceToTpPct: 0.08 }, 'tp'],
    [{ distanceToSlPct: 1, distanceToTpPct: 1 }, 'sl'],
    [{ distanceToSlPct: null, distanceToTpPct: 2 }, 'tp'],
    [{ distanceToSlPct: null, distanceToTpPct: null }, null],
    [{ distanceToSlPct: 10.65, distanceToTpPct: 9 }, null],
    [{ distanceToSlPct: 10.65, distanceToTpPct: 9, flags: ['LIQ_BEFORE_SL'] }, 'sl'],
    [{ distanceToSlPct: 10.65, distanceToTpPct: 0.5, flags: ['LIQ_BEFORE_SL'] }, 'tp'],
  ])('near side %o → %s', (p, side) => expect(nearSide(p)).toBe(side));

  it.each([
    ['in sync', { size: 0.05 }, 0.5, true, 'in sync'],
    ['rounded to the step', { size: 0.0501 }, 0.5, true, 'in sync'],
    ['size drift', { size: 0.08 }, 0.5, false, 'size 0.08 (main × 0.5 = 0.05)'],
    ['SL differs', { size: 0.05, stopLoss: 57_000 }, 0.5, false, 'SL differs'],
    ['no ratio: levels only', { size: 1, takeProfit: 1 }, null, false, 'TP differs'],
  ])('mirror: %s', (_name, over, ratio, inSync, text) => {
    const main = position({ size: 0.1 });
    expect(mirrorSync(main, position({ ...over, account: 'mirror1' }), ratio)).toEqual({ inSync, text });
  });
});
