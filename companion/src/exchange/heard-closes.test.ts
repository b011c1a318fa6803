import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { HeardCloses } from './heard-closes.ts';

const slFill = (symbol: string, updatedTime: number) => ({
  symbol,
  side: 'Sell',
  orderStatus: 'Filled',
  stopOrderType: 'StopLoss',
  createType: 'CreateByStopLoss',
  reduceOnly: true,
  avgPrice: '95',
  triggerPrice: '96',
  orderLinkId: '',
  updatedTime: String(updatedTime),
});

describe('HeardCloses', () => {
  it('explains a close from an order push, for the asked symbols at or after `since` only', () => {
    const clock = new ManualClock(1_000_000);
    const h = new HeardCloses(clock);
    h.add([slFill('BTCUSDT', 999_000), slFill('ETHUSDT', 999_500)]);
    expect(h.causes(new Set(['BTCUSDT']), 998_000)).toEqual([
      { symbol: 'BTCUSDT', side: 'long', reason: 'sl', price: 95, level: 96, clientOrderId: null, at: 999_000 },
    ]);
    expect(h.causes(new Set(['BTCUSDT']), 999_001)).toEqual([]);
    expect(h.causes(new Set(['SOLUSDT']), 0)).toEqual([]);
  });

  it('an open order, or a row older than keepMs, explains nothing', async () => {
    const clock = new ManualClock(0);
    const h = new HeardCloses(clock, 1000);
    h.add([{ ...slFill('BTCUSDT', 0), orderStatus: 'New' }]);
    expect(h.causes(new Set(['BTCUSDT']), 0)).toEqual([]);
    h.add([slFill('BTCUSDT', 0)]);
    await clock.advance(2000);
    h.add([]);
    expect(h.causes(new Set(['BTCUSDT']), 0)).toEqual([]);
  });
});
