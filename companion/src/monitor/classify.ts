import { type Position, type PositionFlag, type Tier, type TieredPosition, tierRank } from '@tierwatch/shared';
import type { Thresholds } from './config.ts';
import { liquidationBeforeStopLoss } from './liquidation.ts';

/**
 * The tier classifier: pure arithmetic on one position, so it runs on every price the monitor sees.
 *
 * Rules, first match wins (most urgent first):
 *  1. Anything that cannot be classified (a non-finite or non-positive mark, entry, TP or SL) is URGENT,
 *     flagged UNCLASSIFIABLE: the safe side.
 *  1b. Inverted levels (a long's TP at or below its SL, a short's at or above) are URGENT, flagged
 *     LEVELS_INVERTED, with no distances. At every mark one of the two looks crossed, so distances put it
 *     CRITICAL for good (a notification that never clears, near-TP and near-SL at once) and crossings
 *     would report tp-hit and sl-hit in turn. Yet the exchange closes a position when either level
 *     triggers, so one still open shows that a reported level is not what the exchange acts on: bad data
 *     or a bad order setup, which a trader must look at, not a price event. Calmer tiers would hide it;
 *     URGENT keeps it in view and re-read at the urgent cadence without the alarm, like UNCLASSIFIABLE.
 *  2. CRITICAL: the mark is within criticalPct of TP or SL (inclusive), or already past one of them;
 *     a position that was CRITICAL stays so until it is further than criticalExitPct (hysteresis: a price
 *     wobbling across 1 % would otherwise change tier, and alert, on every wobble).
 *  3. URGENT: within urgentPct (inclusive); one that was CRITICAL or URGENT stays until past urgentExitPct.
 *  4. ACTIVE: profit-taking — the mark is at least profitTakingPct of the entry in the position's favour
 *     (one that was ACTIVE stays so down to profitTakingExitPct: hysteresis again)
 *     (and in profit at all) — or the last activity (fill, resize) is younger than recentActivityMs.
 *  5. BUILDING: pending limit entry orders on the position's symbol and side.
 *  6. DORMANT when the last activity is at least dormantAfterMs old, else STABLE. An unknown activity
 *     time counts as STABLE, never DORMANT: without evidence we keep the faster of the two.
 * Distances are in percent of the mark price, toward the level (0 once the mark is past it). A missing
 * TP or SL is flagged NO_TP / NO_SL and the position is classified on the level it has; with neither,
 * rules 2 and 3 cannot apply.
 * A symbol missing from the exchange's instruments (or whose rules were refused) is flagged
 * UNKNOWN_INSTRUMENT and never calmer than URGENT: the companion cannot act on it (no order or SL can be
 * placed through it), so the trader must see it; its prices still classify it, CRITICAL included.
 * A position whose liquidation price comes before its SL is flagged LIQ_BEFORE_SL and never calmer than
 * URGENT, on the same terms: its stop-loss cannot fire (liquidation.ts).
 */

export interface ClassifyInput {
  position: Position;
  /** The freshest mark price seen (a ticker); defaults to the position's own markPrice. */
  markPrice?: number;
  /** Open non-reduce-only limit orders on this symbol and side (entry orders). */
  pendingEntryOrders: number;
  /** Latest fill or change known; null when unknown. */
  lastActivityAt: number | null;
  now: number;
  /** false when the symbol is not among the exchange's usable instruments; omitted: not looked up. */
  instrumentKnown?: boolean;
  /** The tier it had before this price (hysteresis, rules 2 and 3); omitted or null: first classification. */
  previousTier?: Tier | null;
}

/** Floating-point slack at the boundaries: 101 vs 100 is exactly 1%, whatever the rounding. */
const EPS = 1e-9;

const validPrice = (p: number | null): boolean => p === null || (Number.isFinite(p) && p > 0);

/** Distance from mark to a level in the direction the price must travel to reach it; 0 once past. */
export function distancePct(mark: number, level: number, levelIsAbove: boolean): number {
  const d = ((levelIsAbove ? level - mark : mark - level) / mark) * 100;
  return Math.max(0, d);
}

/** A position's tier and distances, without a copy of the position: what runs on every price seen. */
export interface Classification {
  tier: Tier;
  markPrice: number;
  distanceToTpPct: number | null;
  distanceToSlPct: number | null;
  flags: PositionFlag[];
}

export function classify(input: ClassifyInput, th: Thresholds): TieredPosition {
  return tieredPosition(input.position, classifyTier(input, th));
}

/** The position as the companion serves it, with its classification (mark and P&L at the classified mark). */
export function tieredPosition(p: Position, c: Classification): TieredPosition {
  const mark = c.markPrice;
  return {
    ...p,
    markPrice: Number.isFinite(mark) && mark > 0 ? mark : p.markPrice,
    unrealisedPnl: Number.isFinite(mark) && mark !== p.markPrice ? pnl(p, mark) : p.unrealisedPnl,
    tier: c.tier,
    distanceToTpPct: c.distanceToTpPct,
    distanceToSlPct: c.distanceToSlPct,
    flags: c.flags,
  };
}

/**
 * The flags of a classification, in this order, as one array per combination (frozen). classifyTier runs on
 * every price the monitor hears, 40,000 a second at 4,000 positions on live streams, and nearly all of them
 * share a handful of combinations: a new array each time was a quarter of the monitor's allocations.
 */
const FLAG_ORDER: readonly PositionFlag[] = [
  'NO_TP',
  'NO_SL',
  'UNKNOWN_INSTRUMENT',
  'LIQ_BEFORE_SL',
  'UNCLASSIFIABLE',
  'LEVELS_INVERTED',
];
const flagBit = (f: PositionFlag) => 1 << FLAG_ORDER.indexOf(f);
const NO_TP = flagBit('NO_TP');
const NO_SL = flagBit('NO_SL');
const UNKNOWN = flagBit('UNKNOWN_INSTRUMENT');
const LIQ = flagBit('LIQ_BEFORE_SL');
const UNCLASSIFIABLE = flagBit('UNCLASSIFIABLE');
const INVERTED = flagBit('LEVELS_INVERTED');
const flagLists = new Map<number, PositionFlag[]>();

function flagList(mask: number): PositionFlag[] {
  let list = flagLists.get(mask);
  if (!list) {
    list = Object.freeze(FLAG_ORDER.filter((_, i) => mask & (1 << i))) as PositionFlag[];
    flagLists.set(mask, list);
  }
  return list;
}

function classification(tier: Tier, mark: number, tp: number | null, sl: number | null, mask: number): Classification {
  // An unknown instrument or an unreachable SL holds the position at URGENT at least.
  const held = (mask & (UNKNOWN | LIQ)) !== 0 && tierRank(tier) > tierRank('URGENT');
  return {
    tier: held ? 'URGENT' : tier,
    markPrice: mark,
    distanceToTpPct: tp,
    distanceToSlPct: sl,
    flags: flagList(mask),
  };
}

export function classifyTier(input: ClassifyInput, th: Thresholds): Classification {
  const { position: p, now } = input;
  const mark = input.markPrice ?? p.markPrice;
  let mask = 0;
  if (p.takeProfit === null) mask |= NO_TP;
  if (p.stopLoss === null) mask |= NO_SL;
  if (input.instrumentKnown === false) mask |= UNKNOWN;
  if (liquidationBeforeStopLoss(p)) mask |= LIQ; // liquidation.ts: flagged and held at URGENT, like unknown

  if (
    !validPrice(mark) ||
    !validPrice(p.entryPrice) ||
    !validPrice(p.takeProfit) ||
    !validPrice(p.stopLoss) ||
    !(p.side === 'long' || p.side === 'short')
  )
    return classification('URGENT', mark, null, null, mask | UNCLASSIFIABLE);

  if (levelsInverted(p)) return classification('URGENT', mark, null, null, mask | INVERTED);

  const long = p.side === 'long';
  const tp = p.takeProfit === null ? null : distancePct(mark, p.takeProfit, long);
  const sl = p.stopLoss === null ? null : distancePct(mark, p.stopLoss, !long);
  const nearest = Math.min(tp ?? Infinity, sl ?? Infinity);
  const was = input.previousTier ?? null;
  const criticalBound = was === 'CRITICAL' ? th.criticalExitPct : th.criticalPct;
  const urgentBound = was === 'CRITICAL' || was === 'URGENT' ? th.urgentExitPct : th.urgentPct;
  if (nearest <= criticalBound + EPS) return classification('CRITICAL', mark, tp, sl, mask);
  if (nearest <= urgentBound + EPS) return classification('URGENT', mark, tp, sl, mask);

  const favourPct = ((long ? mark - p.entryPrice : p.entryPrice - mark) / p.entryPrice) * 100;
  const takingBound = was === 'ACTIVE' ? th.profitTakingExitPct : th.profitTakingPct;
  const profitTaking = favourPct > 0 && favourPct >= takingBound - EPS;
  const age = input.lastActivityAt === null ? null : Math.max(0, now - input.lastActivityAt);
  if (profitTaking || (age !== null && age < th.recentActivityMs)) return classification('ACTIVE', mark, tp, sl, mask);
  if (input.pendingEntryOrders > 0) return classification('BUILDING', mark, tp, sl, mask);
  if (age !== null && age >= th.dormantAfterMs) return classification('DORMANT', mark, tp, sl, mask);
  return classification('STABLE', mark, tp, sl, mask);
}

/** Which level a CRITICAL position is nearest to. */
export function criticalReason(t: TieredPosition): 'near-tp' | 'near-sl' {
  return (t.distanceToTpPct ?? Infinity) < (t.distanceToSlPct ?? Infinity) ? 'near-tp' : 'near-sl';
}

function pnl(p: Position, mark: number): number {
  return (p.side === 'long' ? mark - p.entryPrice : p.entryPrice - mark) * p.size;
}

/** Both levels set, and the TP not beyond the SL in the position's favour (rule 1b). */
export function levelsInverted(p: Position): boolean {
  if (p.takeProfit === null || p.stopLoss === null) return false;
  return p.side === 'long' ? p.takeProfit <= p.stopLoss : p.takeProfit >= p.stopLoss;
}

/**
 * Whether a mark is at or past the TP or SL: the price crossing that tp-hit / sl-hit report. Never for
 * inverted levels: one of them looks crossed at every mark, so it would tell nothing (see rule 1b).
 */
export function crossing(p: Position, mark: number): { kind: 'tp' | 'sl'; level: number } | null {
  if (!(Number.isFinite(mark) && mark > 0) || levelsInverted(p)) return null;
  const long = p.side === 'long';
  // SL first: should both ever be crossed at once, the loss side is the one to report.
  if (p.stopLoss !== null && (long ? mark <= p.stopLoss : mark >= p.stopLoss)) return { kind: 'sl', level: p.stopLoss };
  if (p.takeProfit !== null && (long ? mark >= p.takeProfit : mark <= p.takeProfit))
    return { kind: 'tp', level: p.takeProfit };
  return null;
}
