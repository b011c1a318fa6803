import type { PositionSide } from '@tierwatch/shared';

/** One position across accounts: the same identity the companion uses (account + symbol + side). */
export interface PositionRef {
  account: string;
  symbol: string;
  side: PositionSide;
}

export const positionKey = (p: PositionRef): string => `${p.account}:${p.symbol}:${p.side}`;

export function parsePositionKey(key: string): PositionRef | null {
  const [account, symbol, side] = key.split(':');
  if (!account || !symbol || (side !== 'long' && side !== 'short')) return null;
  return { account, symbol, side };
}
