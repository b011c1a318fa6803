import {
  type Account,
  POSITION_FLAG_TEXT,
  positionKey,
  TIERS,
  type Tier,
  type TieredPosition,
  tierRank,
} from '@tierwatch/shared';
import { markValue, nearSide } from './metrics.ts';

/**
 * Positions → what the popup lists: families (a main leg with its mirror legs beside it) grouped by
 * tier, most urgent first, filtered by a search. Pure and cheap enough to run on every state push.
 */

export interface Family {
  key: string;
  /** The most urgent tier among its legs decides where the family is listed. */
  tier: Tier;
  main: TieredPosition;
  mirrors: TieredPosition[];
  /** Closest distance to either level, in %; sorts the group (nearest first). */
  urgency: number;
  /** The level that closest distance is to: approaching the SL sorts before approaching the TP. */
  near: 'sl' | 'tp' | null;
  /** Closest distance to an SL among the legs, in % (Infinity without one). */
  slDistance: number;
  /** Unrealised PnL and value at the mark, over the legs. */
  pnl: number;
  value: number;
}

/** How a tier's families are ordered: by urgency (approaching SL first), or as the trader picks. */
export type SortKey = 'urgency' | 'sl' | 'pnl' | 'size' | 'value';
export const SORT_LABELS: Record<SortKey, string> = {
  urgency: 'urgency (SL first)',
  sl: 'distance to SL',
  pnl: 'PnL (worst first)',
  size: 'size',
  value: 'value',
};

export interface TierGroup {
  tier: Tier;
  families: Family[];
  positions: number;
  /** Unrealised PnL over every leg listed in the tier. */
  pnl: number;
}

export interface Filter {
  text: string;
  tier: Tier | null;
}

export const emptyFilter = (): Filter => ({ text: '', tier: null });

const nearest = (p: TieredPosition) =>
  Math.min(p.distanceToSlPct ?? Number.POSITIVE_INFINITY, p.distanceToTpPct ?? Number.POSITIVE_INFINITY);

/**
 * Words all have to match (symbol, account, side or tier): "btc mirror1", "short critical".
 * A family is kept if any of its legs matches.
 */
export function matches(p: TieredPosition, words: string[]): boolean {
  if (words.length === 0) return true;
  const hay = `${p.symbol} ${p.account} ${p.side} ${p.tier}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

const familyOf = (p: TieredPosition): Family => ({
  key: positionKey(p),
  tier: p.tier,
  main: p,
  mirrors: [],
  urgency: nearest(p),
  near: nearSide(p),
  slDistance: p.distanceToSlPct ?? Number.POSITIVE_INFINITY,
  pnl: p.unrealisedPnl,
  value: markValue(p) ?? 0,
});

export function buildFamilies(positions: TieredPosition[], accounts: Account[]): Family[] {
  const byName = new Map(accounts.map((a) => [a.name, a]));
  const families = new Map<string, Family>();
  const orphans: TieredPosition[] = [];
  for (const p of positions) {
    if (byName.get(p.account)?.role === 'mirror') continue;
    families.set(positionKey(p), familyOf(p));
  }
  for (const p of positions) {
    const acc = byName.get(p.account);
    if (acc?.role !== 'mirror') continue;
    const fam = acc.mirrorOf ? families.get(positionKey({ ...p, account: acc.mirrorOf })) : undefined;
    if (!fam) {
      orphans.push(p); // a mirror leg without its main: drift; listed on its own so it is seen
      continue;
    }
    fam.mirrors.push(p);
    if (tierRank(p.tier) < tierRank(fam.tier)) fam.tier = p.tier;
    const d = nearest(p);
    if (d < fam.urgency) {
      fam.urgency = d;
      fam.near = nearSide(p);
    }
    fam.slDistance = Math.min(fam.slDistance, p.distanceToSlPct ?? Number.POSITIVE_INFINITY);
    fam.pnl += p.unrealisedPnl;
    fam.value += markValue(p) ?? 0;
  }
  for (const p of orphans) families.set(positionKey(p), familyOf(p));
  return [...families.values()];
}

const NEAR_RANK = { sl: 0, tp: 1 } as const;
const nearRank = (f: Family) => (f.near === null ? 2 : NEAR_RANK[f.near]);
/** Finite numbers only reach the comparators (an Infinity - Infinity would be NaN). */
const cmp = (a: number, b: number) => (a < b ? -1 : a > b ? 1 : 0);
const ORDER: Record<SortKey, (a: Family, b: Family) => number> = {
  urgency: (a, b) => nearRank(a) - nearRank(b) || cmp(a.urgency, b.urgency),
  sl: (a, b) => cmp(a.slDistance, b.slDistance),
  pnl: (a, b) => cmp(a.pnl, b.pnl),
  size: (a, b) => cmp(b.main.size, a.main.size),
  value: (a, b) => cmp(b.value, a.value),
};

export function groupByTier(
  positions: TieredPosition[],
  accounts: Account[],
  filter: Filter,
  sort: SortKey = 'urgency',
): TierGroup[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  const groups = new Map<Tier, Family[]>(TIERS.map((t) => [t, []]));
  for (const fam of buildFamilies(positions, accounts)) {
    if (filter.tier && fam.tier !== filter.tier) continue;
    if (!matches(fam.main, words) && !fam.mirrors.some((m) => matches(m, words))) continue;
    groups.get(fam.tier)?.push(fam);
  }
  return TIERS.map((tier) => {
    const order = ORDER[sort];
    const families = (groups.get(tier) ?? []).sort(
      (a, b) => order(a, b) || a.main.symbol.localeCompare(b.main.symbol) || a.key.localeCompare(b.key),
    );
    return {
      tier,
      families,
      positions: families.reduce((n, f) => n + 1 + f.mirrors.length, 0),
      pnl: families.reduce((n, f) => n + f.pnl, 0),
    };
  });
}

/** Unrealised PnL and position count per account, in the order accounts first appear. */
export function pnlByAccount(positions: TieredPosition[]): { account: string; pnl: number; positions: number }[] {
  const by = new Map<string, { account: string; pnl: number; positions: number }>();
  for (const p of positions) {
    const t = by.get(p.account) ?? { account: p.account, pnl: 0, positions: 0 };
    t.pnl += p.unrealisedPnl;
    t.positions += 1;
    by.set(p.account, t);
  }
  return [...by.values()];
}

/**
 * Where the mark sits between SL (0) and TP (1), from the two distances; null when a level is missing.
 * The gauge draws this, so "how close to which level" reads without numbers.
 */
export function gaugePosition(p: Pick<TieredPosition, 'distanceToSlPct' | 'distanceToTpPct'>): number | null {
  const sl = p.distanceToSlPct;
  const tp = p.distanceToTpPct;
  if (sl === null || tp === null) return null;
  if (sl + tp === 0) return 0.5;
  return sl / (sl + tp);
}

/**
 * The position's flags in words, but for NO_TP / NO_SL, which the gauge already says ("no TP"). A flag
 * without wording (a newer companion's) shows as its name rather than not at all.
 */
export function flagNotes(p: Pick<TieredPosition, 'flags'>): string[] {
  return p.flags.filter((f) => f !== 'NO_TP' && f !== 'NO_SL').map((f) => POSITION_FLAG_TEXT[f] ?? String(f));
}

/** The group's families to render now: urgent groups open, others collapsed; long groups capped. */
export const DEFAULT_OPEN: readonly Tier[] = ['CRITICAL', 'URGENT', 'ACTIVE'];
export const PAGE_SIZE = 40;
