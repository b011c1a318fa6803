import { describe, expect, it } from 'vitest';
import { position, snapshot } from '../../test-support/fixtures.ts';
import type { AccountFreshness, PositionFigures, PositionsUpdated } from '../events.ts';
import { positionKey } from './keys.ts';
import { markAwaitingSnapshot, reduce, type StreamState } from './stream.ts';

const btc = position({ symbol: 'BTCUSDT', markPrice: 61_000, tier: 'STABLE' });
const eth = position({ symbol: 'ETHUSDT', markPrice: 3_000, entryPrice: 3_000, takeProfit: 3_300, stopLoss: 2_900 });
const live: AccountFreshness = { account: 'main', status: 'live', dataAt: 1_000, problem: null };
const start = (): StreamState => {
  const s = reduce(null, snapshot({ seq: 10, positions: [btc, eth], freshness: [live] })).state;
  if (!s) throw new Error('no state from the snapshot');
  return s;
};
const update = (over: Partial<PositionsUpdated> = {}): PositionsUpdated => ({
  type: 'positions-updated',
  seq: 10,
  at: 5_000,
  positions: [],
  figures: [],
  removed: [],
  accounts: [],
  ...over,
});
const btcFigures = ['main:BTCUSDT:long', 62_000, 200, 6.4, 6.5, 'CRITICAL'] as PositionFigures;
const K_BTC = positionKey(btc);
const K_ETH = positionKey(eth);

describe('reduce: positions-updated (the served view as it changes)', () => {
  it.each<{
    name: string;
    state: () => StreamState | null;
    msg: PositionsUpdated;
    applied: boolean;
    resync: 'resume' | null;
  }>([
    {
      name: 'at the seq the state has: applied',
      state: start,
      msg: update({ figures: [btcFigures] }),
      applied: true,
      resync: null,
    },
    {
      name: 'from ahead of the state (an event was missed): not applied, resume',
      state: start,
      msg: update({ seq: 11, figures: [btcFigures] }),
      applied: false,
      resync: 'resume',
    },
    {
      name: 'from behind the state (superseded by the events since): ignored',
      state: start,
      msg: update({ seq: 9, figures: [btcFigures] }),
      applied: false,
      resync: null,
    },
    {
      name: 'while awaiting a snapshot: ignored',
      state: () => markAwaitingSnapshot(start()),
      msg: update({ figures: [btcFigures] }),
      applied: false,
      resync: null,
    },
    {
      name: 'before any snapshot: ignored',
      state: () => null,
      msg: update({ figures: [btcFigures] }),
      applied: false,
      resync: null,
    },
  ])('$name', ({ state, msg, applied, resync }) => {
    const before = state();
    const step = reduce(before, msg);
    expect(step.resync).toBe(resync);
    expect(step.notices).toEqual([]);
    if (applied)
      expect(step.state?.positions[K_BTC]).toMatchObject({ markPrice: 62_000, tier: 'CRITICAL', size: btc.size });
    else expect(step.state).toEqual(before);
  });

  it('figures merge into the known position; the tier counts follow', () => {
    const s = reduce(start(), update({ figures: [btcFigures] })).state;
    expect(s?.positions[K_BTC]).toEqual({
      ...btc,
      markPrice: 62_000,
      unrealisedPnl: 200,
      distanceToTpPct: 6.4,
      distanceToSlPct: 6.5,
      tier: 'CRITICAL',
    });
    expect(s?.tierCounts.CRITICAL).toBe(1);
    expect(s?.seq).toBe(10); // not an event: the seq stays
    expect(s?.at).toBe(5_000);
  });

  it('figures for a key the state does not hold are dropped (a full position comes for a new one)', () => {
    const unknown: PositionFigures = ['main:SOLUSDT:long', 62_000, 200, 6.4, 6.5, 'CRITICAL'];
    const s = reduce(start(), update({ figures: [unknown] })).state;
    expect(Object.keys(s?.positions ?? {})).toEqual([K_BTC, K_ETH]);
  });

  it('positions in full replace or add; removed ones go, with no notice (position-closed notifies)', () => {
    const sol = position({ symbol: 'SOLUSDT', markPrice: 150, entryPrice: 150, takeProfit: 160, stopLoss: 140 });
    const resized = { ...eth, size: 5 };
    const step = reduce(
      start(),
      update({ positions: [sol, resized], removed: [{ account: 'main', symbol: 'BTCUSDT', side: 'long' }] }),
    );
    expect(Object.keys(step.state?.positions ?? {}).sort()).toEqual([K_ETH, positionKey(sol)].sort());
    expect(step.state?.positions[K_ETH]?.size).toBe(5);
    expect(step.notices).toEqual([]);
  });

  it('account freshness: updated per account, the others kept', () => {
    const mirror: AccountFreshness = { account: 'mirror1', status: 'live', dataAt: 1_000, problem: null };
    const s0 = reduce(null, snapshot({ seq: 10, freshness: [live, mirror] })).state;
    const stale: AccountFreshness = {
      account: 'main',
      status: 'stale',
      dataAt: 1_000,
      problem: 'cannot reach the exchange',
    };
    const s = reduce(s0, update({ accounts: [stale] })).state;
    expect(s?.freshness).toEqual({ main: stale, mirror1: mirror });
  });

  it('applying the same update twice changes nothing more (state, not history)', () => {
    const msg = update({ figures: [btcFigures], removed: [{ account: 'main', symbol: 'ETHUSDT', side: 'long' }] });
    const once = reduce(start(), msg).state;
    const twice = reduce(once, msg).state;
    expect(twice?.positions).toEqual(once?.positions);
  });
});
