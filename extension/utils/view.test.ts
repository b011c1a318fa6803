import type { TieredPosition } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { ACCOUNTS, bigSnapshot, position } from '../test-support/fixtures.ts';
import { buildFamilies, emptyFilter, flagNotes, gaugePosition, groupByTier, pnlByAccount } from './view.ts';

describe('view', () => {
  it('puts mirror legs beside their main and lists the family at its most urgent tier', () => {
    const fams = buildFamilies(
      [
        position({ account: 'mirror1', tier: 'CRITICAL', distanceToSlPct: 0.2 }),
        position({ account: 'main' }),
        position({ account: 'mirror2', symbol: 'ETHUSDT' }),
      ],
      ACCOUNTS,
    );
    expect(fams.map((f) => [f.key, f.tier, f.mirrors.map((m) => m.account)])).toEqual([
      ['main:BTCUSDT:long', 'CRITICAL', ['mirror1']],
      ['mirror2:ETHUSDT:long', 'STABLE', []],
    ]);
  });

  it('groups 400 positions by tier, approaching SL first, each side nearest first, and keeps every position', () => {
    const snap = bigSnapshot(400);
    const groups = groupByTier(snap.positions, snap.accounts, emptyFilter());
    expect(groups.map((g) => g.tier)).toEqual(['CRITICAL', 'URGENT', 'ACTIVE', 'BUILDING', 'STABLE', 'DORMANT']);
    expect(groups.reduce((n, g) => n + g.positions, 0)).toBe(400);
    const rank = { sl: 0, tp: 1 } as const;
    for (const g of groups) {
      const keys = g.families.map((f) => [f.near === null ? 2 : rank[f.near], f.urgency] as const);
      expect(keys).toEqual([...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
    }
  });

  it.each([
    ['eth', 3],
    ['eth short', 3],
    ['eth long', 0],
    ['mirror2', 2],
    ['critical', 0],
  ])('filter "%s" keeps %s families', (text, n) => {
    const positions = [
      position({ symbol: 'ETHUSDT', side: 'short' }),
      position({ symbol: 'ETHUSDT', side: 'short', account: 'mirror2' }),
      position({ symbol: 'ETHUSDT', side: 'short', account: 'other' }),
      position({ symbol: 'ETHUSDT', side: 'short', account: 'x' }),
      position({ symbol: 'SOLUSDT', account: 'mirror2' }),
    ];
    const groups = groupByTier(positions, ACCOUNTS, { text, tier: null });
    expect(groups.reduce((sum, g) => sum + g.families.length, 0)).toBe(n);
  });

  it.each([
    [{ distanceToSlPct: 1, distanceToTpPct: 3 }, 0.25],
    [{ distanceToSlPct: 0, distanceToTpPct: 0 }, 0.5],
    [{ distanceToSlPct: null, distanceToTpPct: 3 }, null],
  ])('gauge %o → %s', (p, out) => expect(gaugePosition(p)).toBe(out));

  it.each([
    [[], []],
    [['NO_TP', 'NO_SL'], []],
    [['NO_SL', 'UNKNOWN_INSTRUMENT'], ['unknown instrument']],
    [['LEVELS_INVERTED'], ['TP and SL inverted']],
    [['UNCLASSIFIABLE'], ['prices unreadable']],
    [['FROM_A_NEWER_COMPANION'], ['FROM_A_NEWER_COMPANION']],
  ] as [TieredPosition['flags'], string[]][])('flags %o read as %o', (flags, notes) =>
    expect(flagNotes({ flags })).toEqual(notes),
  );

  it('within a tier, positions approaching their SL come before those approaching their TP', () => {
    const nearTp = position({ symbol: 'AUSDT', tier: 'CRITICAL', distanceToTpPct: 0.08, distanceToSlPct: 4 });
    const nearSl = position({ symbol: 'BUSDT', tier: 'CRITICAL', distanceToTpPct: 6, distanceToSlPct: 0.49 });
    const nearerSl = position({ symbol: 'CUSDT', tier: 'CRITICAL', distanceToTpPct: 6, distanceToSlPct: 0.2 });
    const critical = groupByTier([nearTp, nearSl, nearerSl], ACCOUNTS, emptyFilter())[0];
    expect(critical?.families.map((f) => [f.main.symbol, f.near])).toEqual([
      ['CUSDT', 'sl'],
      ['BUSDT', 'sl'],
      ['AUSDT', 'tp'],
    ]);
  });

  it.each([
    ['sl', ['B', 'A', 'C']],
    ['pnl', ['C', 'A', 'B']],
    ['size', ['C', 'B', 'A']],
    ['value', ['B', 'C', 'A']],
  ] as const)('sorts a tier by %s', (sort, order) => {
    const ps = [
      position({ symbol: 'A', distanceToSlPct: 2, unrealisedPnl: 5, size: 1, markPrice: 10 }),
      position({ symbol: 'B', distanceToSlPct: 1, unrealisedPnl: 50, size: 2, markPrice: 100 }),
      position({ symbol: 'C', distanceToSlPct: 3, unrealisedPnl: -20, size: 3, markPrice: 20 }),
    ];
    const stable = groupByTier(ps, ACCOUNTS, emptyFilter(), sort).find((g) => g.tier === 'STABLE');
    expect(stable?.families.map((f) => f.main.symbol)).toEqual(order);
  });

  it('totals the unrealised PnL per tier (mirrors included) and per account', () => {
    const ps = [
      position({ unrealisedPnl: 100 }),
      position({ account: 'mirror1', unrealisedPnl: 50 }),
      position({ symbol: 'ETHUSDT', unrealisedPnl: -30, tier: 'URGENT' }),
    ];
    const groups = groupByTier(ps, ACCOUNTS, emptyFilter());
    expect(groups.find((g) => g.tier === 'STABLE')?.pnl).toBe(150);
    expect(groups.find((g) => g.tier === 'URGENT')?.pnl).toBe(-30);
    expect(pnlByAccount(ps)).toEqual([
      { account: 'main', pnl: 70, positions: 2 },
      { account: 'mirror1', pnl: 50, positions: 1 },
    ]);
  });
});
