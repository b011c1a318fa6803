import type { PositionAction } from '@tierwatch/shared';

/**
 * The action menu's typed fields read as actions: a field that does not hold a positive number gives no
 * action (the menu then does nothing, as a disabled button would), never a guessed one.
 */

/** A positive finite number, or null for anything else (blank, zero, negative, not a number). */
export const positiveNumber = (s: string): number | null => {
  const n = Number(s.trim());
  return Number.isFinite(n) && n > 0 ? n : null;
};

/** "Close %": a part of the position, above 0 and at most 100. */
export const closePercentAction = (pct: string): PositionAction | null => {
  const p = positiveNumber(pct);
  return p && p <= 100 ? { kind: 'close', percent: p } : null;
};

/** "Edit TP/SL": a blank field leaves its level alone; at least one is set, and neither is malformed. */
export const setTpSlAction = (tp: string, sl: string): PositionAction | null => {
  const t = tp.trim() === '' ? undefined : positiveNumber(tp);
  const s = sl.trim() === '' ? undefined : positiveNumber(sl);
  if (t === null || s === null || (t === undefined && s === undefined)) return null;
  return {
    kind: 'set-tpsl',
    ...(t !== undefined ? { takeProfit: t } : {}),
    ...(s !== undefined ? { stopLoss: s } : {}),
  };
};

/** "Trailing": a positive distance. */
export const trailingAction = (trail: string): PositionAction | null => {
  const d = positiveNumber(trail);
  return d ? { kind: 'trailing', distance: d } : null;
};
