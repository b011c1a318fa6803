import {
  type AccountFreshness,
  type PositionsUpdated,
  parsePositionKey,
  readFiguresRow,
  type TieredPosition,
} from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { position } from '../../../shared/test-support/fixtures.ts';
import { SharedView } from './shared-view.ts';

/** A position on `symbol` (the protocol's fixture), at a mark of 100 with TP and SL 10 % away. */
const pos = (symbol: string, o: Partial<TieredPosition> = {}): TieredPosition =>
  position({
    symbol,
    entryPrice: 100,
    markPrice: 100,
    takeProfit: 110,
    stopLoss: 90,
    distanceToTpPct: 10,
    distanceToSlPct: 10,
    ...o,
  });
const live: AccountFreshness = { account: 'main', status: 'live', dataAt: 1, problem: null };
const stale: AccountFreshness = { account: 'main', status: 'stale', dataAt: 1, problem: 'cannot reach the exchange' };
const symbols = (u: PositionsUpdated) => ({
  positions: u.positions.map((p) => p.symbol),
  figures: u.figures.map((row) => parsePositionKey(readFiguresRow(row).key)?.symbol),
  removed: u.removed.map((r) => r.symbol),
  accounts: u.accounts.map((a) => a.status),
});
const at = (gen: number) => ({ gen, allAccounts: false });

describe('SharedView: one view, a generation per change', () => {
  it('a socket is owed what changed after its generation: new in full, moved as figures, gone as removed', () => {
    const v = new SharedView(0.001);
    v.refresh([pos('AUSDT'), pos('BUSDT'), pos('CUSDT')], [live], 0); // gen 1
    expect(v.gen).toBe(1);
    // B's mark moves past the step, C's below it, A's TP moves, D opens, nothing closes yet.
    v.refresh(
      [
        pos('AUSDT', { takeProfit: 120 }),
        pos('BUSDT', { markPrice: 101 }),
        pos('CUSDT', { markPrice: 100.05 }),
        pos('DUSDT'),
      ],
      [live],
      10,
    ); // gen 2
    v.refresh([pos('AUSDT', { takeProfit: 120 }), pos('BUSDT', { markPrice: 101 }), pos('DUSDT')], [stale], 20); // gen 3: C gone
    expect(v.gen).toBe(3);
    expect(symbols(v.update(at(0), 7))).toEqual({
      positions: ['AUSDT', 'BUSDT', 'DUSDT'],
      figures: [],
      removed: ['CUSDT'],
      accounts: ['stale'],
    });
    expect(symbols(v.update(at(1), 7))).toEqual({
      positions: ['AUSDT', 'DUSDT'],
      figures: ['BUSDT'],
      removed: ['CUSDT'],
      accounts: ['stale'],
    });
    expect(symbols(v.update(at(2), 7))).toEqual({
      positions: [],
      figures: [],
      removed: ['CUSDT'],
      accounts: ['stale'],
    });
    expect(v.behind(at(3))).toBe(false);
  });

  it('the threshold is measured from what was published, so slow drift is sent once it adds up', () => {
    const v = new SharedView(0.001);
    v.refresh([pos('AUSDT')], [], 0);
    const gens = [100.04, 100.08, 100.12].map((mark) => {
      v.refresh([pos('AUSDT', { markPrice: mark })], [], 0);
      return v.gen;
    });
    expect(gens).toEqual([1, 1, 2]); // 0.04 % and 0.08 % from 100: not yet; 0.12 %: sent
    expect(v.update(at(1), 0).figures[0]?.[1]).toBe(100.12);
  });

  it('an unchanged book makes no new generation (and no frame to send)', () => {
    const v = new SharedView(0.001);
    expect(v.refresh([pos('AUSDT')], [live], 0)).toBe(true);
    expect(v.refresh([pos('AUSDT')], [{ ...live, dataAt: 99 }], 5)).toBe(false);
    expect(v.gen).toBe(1);
  });

  it('sockets at one cursor share one encoded frame; a laggard gets its own catch-up', () => {
    const v = new SharedView(0.001);
    v.refresh([pos('AUSDT')], [], 0);
    v.refresh([pos('AUSDT', { markPrice: 105 })], [], 0);
    const a = v.frame(at(1), 3);
    expect(v.frame(at(1), 3)).toBe(a);
    const laggard = v.frame(at(0), 3);
    expect(laggard).not.toBe(a);
    expect(v.builds).toBe(2);
    expect(JSON.parse(String(a))).toMatchObject({
      type: 'positions-updated',
      seq: 3,
      figures: [[expect.any(String), 105, expect.any(Number), 10, 10, expect.any(String)]],
    });
  });

  it('after a snapshot the first update carries every account', () => {
    const v = new SharedView(0.001);
    v.refresh([pos('AUSDT')], [live, { ...live, account: 'mirror' }], 0);
    v.refresh([pos('AUSDT', { markPrice: 110 })], [live, { ...live, account: 'mirror' }], 0);
    expect(v.update({ gen: 1, allAccounts: true }, 0).accounts.map((f) => f.account)).toEqual(['main', 'mirror']);
    expect(v.update(at(1), 0).accounts).toEqual([]);
  });

  it('removals are kept until every cursor is past them, then forgotten', () => {
    const v = new SharedView(0.001);
    v.refresh([pos('AUSDT'), pos('BUSDT')], [], 0);
    v.refresh([pos('AUSDT')], [], 0); // gen 2 removes B
    v.prune(1);
    expect(v.update(at(1), 0).removed).toHaveLength(1);
    v.prune(2);
    expect(v.update(at(1), 0).removed).toHaveLength(0);
  });

  it('a position that closes and opens again is sent in full, not as removed', () => {
    const v = new SharedView(0.001);
    v.refresh([pos('AUSDT')], [], 0);
    v.refresh([], [], 0);
    v.refresh([pos('AUSDT', { size: 2 })], [], 0);
    expect(symbols(v.update(at(1), 0))).toMatchObject({ positions: ['AUSDT'], removed: [] });
  });
});
