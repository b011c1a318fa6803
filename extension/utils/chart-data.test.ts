import { describe, expect, it } from 'vitest';
import { appendMark, chartLevels, priceDecimals, priceRange } from './chart-data.ts';

describe('chart data', () => {
  it('keeps one mark a second, the newest in a second winning, older ones and bad prices dropped', () => {
    let pts = appendMark([], 10_000, 100);
    pts = appendMark(pts, 10_900, 101);
    pts = appendMark(pts, 12_000, 102);
    pts = appendMark(pts, 11_000, 99); // older than the last: out of order
    pts = appendMark(pts, 13_000, Number.NaN);
    expect(pts).toEqual([
      { time: 10, value: 101 },
      { time: 12, value: 102 },
    ]);
  });

  it('caps the history at its newest points', () => {
    let pts = appendMark([], 0, 1);
    for (let i = 1; i < 10; i++) pts = appendMark(pts, i * 1000, i + 1, 4);
    expect(pts.map((p) => p.time)).toEqual([6, 7, 8, 9]);
  });

  it('draws the levels the position has', () => {
    expect(chartLevels({ entryPrice: 100, takeProfit: 110, stopLoss: null, liquidationPrice: 91 })).toEqual([
      { kind: 'entry', title: 'entry', price: 100 },
      { kind: 'tp', title: 'TP', price: 110 },
      { kind: 'liq', title: 'liquidation', price: 91 },
    ]);
  });

  it('shows every mark and level in its range', () => {
    const r = priceRange(
      [{ time: 1, value: 100 }],
      chartLevels({ entryPrice: 100, takeProfit: 110, stopLoss: 90, liquidationPrice: 85 }),
    );
    expect(r?.min).toBeLessThan(85);
    expect(r?.max).toBeGreaterThan(110);
    expect(priceRange([], [])).toBeNull();
  });

  it.each([
    ['a low-priced coin: the levels are told apart', [0.10057, 0.10529, 0.0969, 0.11012], 5],
    ['BTC-like prices: two decimals at least', [50_000, 48_000.5], 2],
    ['a tiny price in exponent form', [2.5e-7], 8],
    ['no values', [], 2],
    ['float residue does not ask for 17 decimals', [0.1 + 0.2], 2],
  ] as const)('priceDecimals: %s', (_name, values, expected) => {
    expect(priceDecimals(values)).toBe(expected);
  });
});
