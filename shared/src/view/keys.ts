import type { Account } from '../account.ts';
import type { PositionSide } from '../trading.ts';

/** One position across accounts: account + symbol + side (Bybit one-way or hedge mode). */
export interface PositionRef {
  account: string;
  symbol: string;
  side: PositionSide;
}

/**
 * The one spelling of a position's identity, used as a map key on both sides (the companion's book and
 * hub, the extension's state, rows' `data-key`, stored snoozes). Account names and symbols never hold `:`
 * (AccountName and SymbolName forbid it), so the key splits back unambiguously.
 */
export const positionKey = (p: PositionRef): string => `${p.account}:${p.symbol}:${p.side}`;

export function parsePositionKey(key: string): PositionRef | null {
  const [account, symbol, side, ...rest] = key.split(':');
  if (!account || !symbol || (side !== 'long' && side !== 'short') || rest.length > 0) return null;
  return { account, symbol, side };
}

/** Just the identity of a position (drops every other field): what `removed` and notices carry. */
export const refOf = (p: PositionRef): PositionRef => ({ account: p.account, symbol: p.symbol, side: p.side });

/**
 * A position family: a main account's position and its mirrors' positions on the same symbol and side.
 * The trader thinks in families (one decision, fanned out), so a family is notified once, not per leg.
 * Its key is the main leg's position key (a mirror of an unknown main is its own family).
 */
export function familyKey(ref: PositionRef, accounts: readonly Pick<Account, 'name' | 'role' | 'mirrorOf'>[]): string {
  const acc = accounts.find((a) => a.name === ref.account);
  if (acc?.role === 'mirror' && acc.mirrorOf) return positionKey({ ...ref, account: acc.mirrorOf });
  return positionKey(ref);
}
