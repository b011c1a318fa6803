import type { TieredPosition } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { ACCOUNTS, bigSnapshot, position } from '../test-support/fixtures.ts';
import { buildFamilies, emptyFilter, flagNotes, gaugePosition, groupByTier } from './view.ts';

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

  it('groups 400 positions by tier, nearest first, and keeps every position', () => {
    const snap = bigSnapshot(400);
    const groups = groupByTier(snap.positions, snap.accounts, emptyFilter());
    expect(groups.map((g) => g.tier)).toEqual(['CRITICAL', 'URGENT', 'ACTIVE', 'BUILDING', 'STABLE', 'DORMANT']);
    expect(groups.reduce((n, g) => n + g.positions, 0)).toBe(400);
    for (const g of groups) {
      const u = g.families.map((f) => f.urgency);
      expect(u).toEqual([...u].sort((a, b) => a - b));
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
});
