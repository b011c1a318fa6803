import { describe, expect, it } from 'vitest';
import { position } from '../test-support/fixtures.ts';
import { withLiveFigures } from './live.ts';

describe('withLiveFigures', () => {
  const stream = {
    'main:BTCUSDT:long': position({ markPrice: 61_000, unrealisedPnl: 100, tier: 'URGENT' }),
    'main:ETHUSDT:long': position({ symbol: 'ETHUSDT', markPrice: 3_000 }),
  };

  it("takes marks, PnL, distances and flags from the monitor's picture, the tier from the stream", () => {
    const live = [
      position({
        markPrice: 60_500,
        unrealisedPnl: 50,
        distanceToSlPct: 4.1,
        tier: 'CRITICAL',
        flags: ['LIQ_BEFORE_SL'],
      }),
      position({ symbol: 'SOLUSDT' }), // not in the stream: left to it
    ];
    const out = withLiveFigures(stream, live);
    expect(out['main:BTCUSDT:long']).toMatchObject({
      markPrice: 60_500,
      unrealisedPnl: 50,
      distanceToSlPct: 4.1,
      flags: ['LIQ_BEFORE_SL'],
      tier: 'URGENT',
    });
    expect(out['main:ETHUSDT:long']).toBe(stream['main:ETHUSDT:long']);
    expect(Object.keys(out)).toEqual(['main:BTCUSDT:long', 'main:ETHUSDT:long']);
  });

  it('keeps a position the stream changed after the read went out (a CRITICAL event is newer)', () => {
    const base = { ...stream };
    const critical = position({ markPrice: 58_100, distanceToSlPct: 0.2, tier: 'CRITICAL' });
    const now = { ...stream, 'main:BTCUSDT:long': critical };
    const live = [
      position({ markPrice: 61_000, distanceToSlPct: 4.9 }),
      position({ symbol: 'ETHUSDT', markPrice: 3_010 }),
    ];
    const out = withLiveFigures(now, live, base);
    expect(out['main:BTCUSDT:long']).toBe(critical);
    expect(out['main:ETHUSDT:long']?.markPrice).toBe(3_010);
  });

  it('is the stream itself with no live picture', () => {
    expect(withLiveFigures(stream, null)).toBe(stream);
  });
});
