import type { TieredPosition } from '@tierwatch/shared';

/**
 * What a trader reads in Bybit's positions panel, from the fields the companion serves. Pure and cheap:
 * the popup computes them per row on every render.
 */

type P = Pick<
  TieredPosition,
  'size' | 'entryPrice' | 'markPrice' | 'leverage' | 'positionValue' | 'unrealisedPnl' | 'liquidationPrice' | 'side'
>;

const finite = (n: number | null | undefined): n is number => n !== null && n !== undefined && Number.isFinite(n);

/** Value at the mark in USDT (Bybit's panel shows the position at its mark), null when not a number. */
export function markValue(p: Pick<P, 'size' | 'markPrice'>): number | null {
  const v = p.size * p.markPrice;
  return Number.isFinite(v) ? v : null;
}

/**
 * Return on the initial margin, in %: unrealised PnL over entry value / leverage, as Bybit computes ROI.
 * The entry value is the exchange's positionValue when it sends one, else size × entry. Null without a
 * leverage (the margin is unknown).
 */
export function roiPct(p: P): number | null {
  if (!finite(p.leverage) || p.leverage <= 0) return null;
  const value = finite(p.positionValue) && p.positionValue > 0 ? p.positionValue : p.size * p.entryPrice;
  const margin = value / p.leverage;
  if (!(Number.isFinite(margin) && margin > 0) || !finite(p.unrealisedPnl)) return null;
  return (p.unrealisedPnl / margin) * 100;
}

/** Distance from the mark to the liquidation price in % of the mark, 0 once past; null without one. */
export function liquidationDistancePct(p: Pick<P, 'markPrice' | 'liquidationPrice' | 'side'>): number | null {
  const liq = p.liquidationPrice;
  if (!finite(liq) || !(p.markPrice > 0)) return null;
  const d = ((p.side === 'long' ? p.markPrice - liq : liq - p.markPrice) / p.markPrice) * 100;
  return Math.max(0, d);
}

/** The companion's default URGENT band (monitor thresholds.urgentPct): nearer than this is "heading for". */
export const NEAR_BAND_PCT = 3;

/**
 * Which level the position is heading for: the nearer of SL and TP when it is within the URGENT band (SL
 * on a tie: the loss side first). A position whose liquidation comes before its SL heads for a loss its SL
 * cannot stop, so it counts as heading for the SL unless its TP is within the band. Otherwise none: a
 * position held at URGENT by a flag is not "near" a level 9 % away.
 */
export function nearSide(
  p: Pick<TieredPosition, 'distanceToSlPct' | 'distanceToTpPct'> & { flags?: readonly string[] },
  band = NEAR_BAND_PCT,
): 'sl' | 'tp' | null {
  const sl = p.distanceToSlPct ?? Number.POSITIVE_INFINITY;
  const tp = p.distanceToTpPct ?? Number.POSITIVE_INFINITY;
  const nearer = sl <= tp ? 'sl' : 'tp';
  if (Math.min(sl, tp) <= band) return nearer;
  return p.flags?.includes('LIQ_BEFORE_SL') ? 'sl' : null;
}

export interface MirrorSync {
  inSync: boolean;
  /** "in sync", or what differs from main × ratio: "size 0.3 (main × 0.5 = 0.25)", "SL differs". */
  text: string;
}

/**
 * A mirror leg against its main: in sync when its size is the main's × ratio (within 1 % or half a unit
 * of the smaller size's last digit, for the exchange's rounding to the qty step) and it has the same TP
 * and SL.
 */
export function mirrorSync(
  main: Pick<TieredPosition, 'size' | 'takeProfit' | 'stopLoss'>,
  mirror: Pick<TieredPosition, 'size' | 'takeProfit' | 'stopLoss'>,
  ratio: number | null,
): MirrorSync {
  const diffs: string[] = [];
  if (ratio !== null && Number.isFinite(ratio)) {
    const expected = main.size * ratio;
    const slack = Math.max(expected * 0.01, 1e-12);
    if (Math.abs(mirror.size - expected) > slack)
      diffs.push(`size ${round(mirror.size)} (main × ${ratio} = ${round(expected)})`);
  }
  if (!sameLevel(main.stopLoss, mirror.stopLoss)) diffs.push('SL differs');
  if (!sameLevel(main.takeProfit, mirror.takeProfit)) diffs.push('TP differs');
  return diffs.length === 0 ? { inSync: true, text: 'in sync' } : { inSync: false, text: diffs.join(', ') };
}

const sameLevel = (a: number | null, b: number | null) =>
  a === b || (a !== null && b !== null && Math.abs(a - b) <= Math.abs(a) * 1e-9);
const round = (n: number) => Number(n.toPrecision(6));
