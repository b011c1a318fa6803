import type { Position, PositionFlag } from '@tierwatch/shared';

/**
 * Liquidation before stop-loss: on the way from the mark to the SL, the exchange's liquidation price
 * comes first (a long's liquidation at or above its SL, a short's at or below), so the SL the trader
 * relies on can never fire and the loss is the whole margin instead. High leverage with a wide SL does
 * it; the seeded demo has it on about a quarter of its positions.
 *
 * Such a position is never calmer than URGENT: nothing on the screen would otherwise say the stop is
 * unreachable until the position is gone. Its prices still classify it, CRITICAL included. A missing
 * liquidation price (the exchange sends "" for cross margin with no risk) or a missing SL says nothing.
 */
export function liquidationBeforeStopLoss(p: Pick<Position, 'side' | 'stopLoss' | 'liquidationPrice'>): boolean {
  const { stopLoss: sl, liquidationPrice: liq } = p;
  if (sl === null || liq === null || !(Number.isFinite(sl) && Number.isFinite(liq)) || liq <= 0) return false;
  return p.side === 'long' ? liq >= sl : liq <= sl;
}

/**
 * Whether a re-classification newly shows LIQ_BEFORE_SL, to be said in the event stream. A position's
 * first classification at start-up (discovered) stays quiet, as its tier does: the snapshot carries it.
 */
export function newlyUnreachable(
  before: readonly PositionFlag[] | null,
  discovered: boolean,
  after: readonly PositionFlag[],
): boolean {
  if (!after.includes('LIQ_BEFORE_SL')) return false;
  return before === null ? !discovered : !before.includes('LIQ_BEFORE_SL');
}
