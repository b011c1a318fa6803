import type { Account } from '@tierwatch/shared';
import { type PositionRef, positionKey } from './keys.ts';

/**
 * A position family: a main account's position and its mirrors' positions on the same symbol and side.
 * The trader thinks in families (one decision, fanned out), so a family is notified once, not per leg.
 * Its key is the main leg's position key (a mirror of an unknown main is its own family).
 */
export function familyKey(ref: PositionRef, accounts: readonly Account[]): string {
  const acc = accounts.find((a) => a.name === ref.account);
  if (acc?.role === 'mirror' && acc.mirrorOf) return positionKey({ ...ref, account: acc.mirrorOf });
  return positionKey(ref);
}
