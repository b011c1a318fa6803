import type { PositionSide } from '@tierwatch/shared';

/**
 * What an order does to the position its account already holds on the symbol (Bybit one-way mode: one
 * position per symbol, so an order against it nets with it). The review must say so and make the trader
 * choose: a LONG against a held SHORT silently shrank it before, and its TP/SL applied to nothing.
 */

export type EffectKind = 'opens' | 'adds' | 'reduces' | 'closes' | 'flips';

export interface Effect {
  kind: EffectKind;
  /** The held position before (null: none), and after the fill (null: flat). */
  held: { side: PositionSide; size: number } | null;
  after: { side: PositionSide; size: number } | null;
}

const clean = (x: number) => Number(x.toPrecision(12));

export function effectOf(held: { side: PositionSide; size: number } | null, side: PositionSide, qty: number): Effect {
  if (!held || !(held.size > 0)) return { kind: 'opens', held: null, after: { side, size: qty } };
  if (held.side === side) return { kind: 'adds', held, after: { side, size: clean(held.size + qty) } };
  const left = clean(held.size - qty);
  if (left > 0) return { kind: 'reduces', held, after: { side: held.side, size: left } };
  if (left === 0) return { kind: 'closes', held, after: null };
  return { kind: 'flips', held, after: { side, size: clean(-left) } };
}

/** The effects that need the trader's explicit choice before anything is sent. */
export const needsChoice = (e: Effect): boolean => e.kind === 'reduces' || e.kind === 'closes' || e.kind === 'flips';

export function describeEffect(e: Effect): string {
  switch (e.kind) {
    case 'opens':
      return `opens ${e.after!.side} ${e.after!.size}`;
    case 'adds':
      return `adds to the ${e.held!.side} ${e.held!.size} → ${e.after!.size}`;
    case 'reduces':
      return `reduces the ${e.held!.side} ${e.held!.size} → ${e.after!.size} (this order's TP/SL do not apply)`;
    case 'closes':
      return `closes the ${e.held!.side} ${e.held!.size} (this order's TP/SL do not apply)`;
    case 'flips':
      return `closes the ${e.held!.side} ${e.held!.size} and opens ${e.after!.side} ${e.after!.size}`;
  }
}
