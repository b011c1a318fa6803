import { describe, expect, it } from 'vitest';
import { formatAge, formatAgeExact, formatPct, formatPnl, formatPrice, formatQty, formatReduction } from './display.ts';

describe('format', () => {
  it.each([
    [61234.56, undefined, '61,234.6'],
    [61234.56, 0.1, '61,234.6'],
    [1.23456, undefined, '1.235'],
    [0.000123, undefined, '0.000123'],
    [null, undefined, '—'],
  ])('formatPrice(%s, %s) = %s', (v, tick, s) => expect(formatPrice(v, tick)).toBe(s));

  it.each([
    [12.5, '+12.50'],
    [-1234.5, '−1,234.50'],
    [25_000, '+25.0k'],
    [-2_500_000, '−2.50M'],
    [0, '0.00'],
  ])('formatPnl(%s) = %s', (v, s) => expect(formatPnl(v)).toBe(s));

  it('percent, qty, reduction, age', () => {
    expect(formatPct(0.456)).toBe('0.46%');
    expect(formatPct(null)).toBe('—');
    expect(formatQty(1234.5, 0.01)).toBe('1,234.50');
    expect(formatReduction(0.873)).toBe('87%');
    expect(formatReduction(0.9981)).toBe('99.8%');
    expect(formatAge(500)).toBe('just now');
    expect(formatAge(42_000)).toBe('42s ago');
    expect(formatAge(3 * 60_000)).toBe('3m ago');
    expect(formatAgeExact(400)).toBe('under a second ago');
    expect(formatAgeExact(1500)).toBe('1s ago');
    expect(formatAgeExact(59_999)).toBe('59s ago');
    expect(formatAgeExact(3 * 60_000)).toBe('3m ago');
  });
});
