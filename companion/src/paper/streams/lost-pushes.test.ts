import { describe, expect, it } from 'vitest';
import { LostPushes } from './lost-pushes.ts';

describe('LostPushes', () => {
  it('loses exactly the asked number of pushes of that topic to that scope, then none', () => {
    const l = new LostPushes();
    l.lose('main', 'position', 2);
    expect(l.take('main', 'execution')).toBe(false);
    expect(l.take('mirror1', 'position')).toBe(false);
    expect([l.take('main', 'position'), l.take('main', 'position'), l.take('main', 'position')]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('adds up, clears, and refuses a count that is not a positive integer', () => {
    const l = new LostPushes();
    l.lose('public', 'tickers');
    l.lose('public', 'tickers');
    l.clear();
    expect(l.take('public', 'tickers')).toBe(false);
    expect(() => l.lose('main', 'position', 0)).toThrow(/positive integer/);
    expect(() => l.lose('main', 'position', 1.5)).toThrow(/positive integer/);
  });
});
