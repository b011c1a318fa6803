import { describe, expect, it } from 'vitest';
import { position } from '../../test-support/fixtures.ts';
import { PositionFigures } from '../events.ts';
import { figuresRow, readFiguresRow } from './figures.ts';

describe('figures rows', () => {
  const p = position({
    account: 'main',
    symbol: 'BTCUSDT',
    side: 'long',
    markPrice: 41_000.5,
    unrealisedPnl: 12.345678912,
    distanceToTpPct: 1.234567891,
    distanceToSlPct: null,
    tier: 'STABLE',
  });

  it('keeps the key and the mark, rounds the rest a digit past what is shown', () => {
    expect(figuresRow(p)).toEqual(['main:BTCUSDT:long', 41_000.5, 12.346, 1.235, null, 'STABLE']);
  });

  it('reads back into the key and named figures', () => {
    expect(readFiguresRow(figuresRow(p))).toEqual({
      key: 'main:BTCUSDT:long',
      figures: {
        markPrice: 41_000.5,
        unrealisedPnl: 12.346,
        distanceToTpPct: 1.235,
        distanceToSlPct: null,
        tier: 'STABLE',
      },
    });
  });

  it.each<[string, unknown]>([
    ['a key without its side', ['main:BTCUSDT', 1, 0, null, null, 'STABLE']],
    ['a side that is not long or short', ['main:BTCUSDT:up', 1, 0, null, null, 'STABLE']],
    ['a negative distance', ['main:BTCUSDT:long', 1, 0, -1, null, 'STABLE']],
    ['an unknown tier', ['main:BTCUSDT:long', 1, 0, null, null, 'HOT']],
    ['a missing field', ['main:BTCUSDT:long', 1, 0, null, null]],
    ['an object instead of a row', { account: 'main', symbol: 'BTCUSDT', side: 'long' }],
  ])('refuses %s', (_name, row) => {
    expect(PositionFigures.safeParse(row).success).toBe(false);
  });
});
