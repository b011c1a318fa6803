import type { AccountFreshness, TieredPosition } from '@tierwatch/shared';

/** How a position's served view changed since what a socket was last sent. */
export type ViewChange = 'none' | 'figures' | 'full';

/** The fields beyond the figures: any change to one sends the position in full. */
const BEYOND_FIGURES = [
  'size',
  'entryPrice',
  'takeProfit',
  'stopLoss',
  'liquidationPrice',
  'leverage',
  'positionValue',
  'lastActivityAt',
] as const satisfies readonly (keyof TieredPosition)[];

const sameFlags = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((f, i) => f === b[i]);

/**
 * `full` when anything but the mark-driven figures changed (size, TP, SL, liquidation, leverage, flags);
 * `figures` when the tier changed, a distance appeared or vanished, the mark moved by at least `markStep`
 * (relative) from `sent`, or a distance moved by at least `markStep` × 100 points; else `none`. A distance
 * in percent of the mark moves by about 100 × (level / mark) × the mark's relative move: a level far
 * beyond the mark (a TP at 3× the price) moves its distance three times as fast as the mark, so the
 * distances are held to the step in points themselves, and a shown distance is never more than that behind.
 */
export function viewChange(sent: TieredPosition, now: TieredPosition, markStep: number): ViewChange {
  for (const field of BEYOND_FIGURES) if (sent[field] !== now[field]) return 'full';
  if (!sameFlags(sent.flags, now.flags)) return 'full';
  if (sent.tier !== now.tier) return 'figures';
  if ((sent.distanceToTpPct === null) !== (now.distanceToTpPct === null)) return 'figures';
  if ((sent.distanceToSlPct === null) !== (now.distanceToSlPct === null)) return 'figures';
  const move = Math.abs(now.markPrice - sent.markPrice) / sent.markPrice;
  if (move >= markStep) return 'figures';
  const points = markStep * 100;
  const drift = (a: number | null, b: number | null) => (a === null || b === null ? 0 : Math.abs(a - b));
  const moved =
    drift(sent.distanceToTpPct, now.distanceToTpPct) >= points ||
    drift(sent.distanceToSlPct, now.distanceToSlPct) >= points;
  return moved ? 'figures' : 'none';
}

/** Only status and problem: `dataAt` of a live account moves with every read, which the popup need not hear. */
export const freshnessChanged = (sent: AccountFreshness, now: AccountFreshness): boolean =>
  sent.status !== now.status || sent.problem !== now.problem;

/** A socket's place in the update schedule (see `viewSlot`). */
export interface SlotState {
  /** When it was last sent a positions-updated (-Infinity before any). */
  lastViewAt: number;
  /** Sent every event up to the hub's newest seq, not lagging, not waiting for a snapshot. */
  caughtUp: boolean;
  /** The shared view holds something this socket has not been sent. */
  behind: boolean;
}

/**
 * Whether to send a socket its update now: at most one per `slotMs`, on the leading edge (a change after a
 * quiet spell goes at once; later ones wait for the slot, coalesced). `wakeAt`: when to look again for a
 * socket that has something but whose slot has not come; null when nothing is owed or it cannot take one.
 */
export function viewSlot(s: SlotState, now: number, slotMs: number): { send: boolean; wakeAt: number | null } {
  if (!s.behind || !s.caughtUp) return { send: false, wakeAt: null };
  const opens = s.lastViewAt + slotMs;
  return now >= opens ? { send: true, wakeAt: null } : { send: false, wakeAt: opens };
}
