import {
  type Position,
  type PositionSide,
  positionKey as sharedPositionKey,
  type Tier,
  type TieredPosition,
} from '@tierwatch/shared';
import type { Classification } from './classify.ts';

/** One open position as the position book (position-book.ts) keeps it: what the exchange said, and what was seen since. */
export interface Entry {
  key: string;
  account: string;
  symbol: string;
  side: PositionSide;
  /** As the exchange last reported it. */
  position: Position;
  /** The latest classification (on the freshest mark seen); null before the first price. */
  classification: Classification | null;
  /** The served view (position + classification), built on demand: most prices are never served. */
  view: TieredPosition | null;
  tier: Tier;
  /** Start of the last request that asked for this position's price (scheduling). */
  priceReqAt: number;
  /** When the monitor last saw a fresh price for it (cadence gaps). */
  checkedAt: number | null;
  activityAt: number | null;
  /** The level the price is at or past, from the first price that showed it until it comes back. */
  crossed: 'tp' | 'sl' | null;
  /** The hit event published for it (tp-hit / sl-hit), so a close the history explains is not announced twice. */
  hitPublished: 'tp' | 'sl' | null;
  /** Start of the newest read that listed it: its close (if any) happened after this. */
  listedAt: number;
  /** Set when it closed: the level its last price had reached, if any (the fallback reason). */
  closedAs: 'tp' | 'sl' | null;
  lastKnownSl: number | null;
  /** Missing-SL episode: when it was handled and how; null while an SL is in place. */
  slMissing: { at: number; action: 'alerted' | 'replaced' | 'replace-failed' | 'pending' } | null;
  /**
   * Start of the first read of its account that did not list it, while no price explains a close (its
   * mark never reached the TP or SL); null while it is listed. See applyPositions.
   */
  missingSince: number | null;
  /**
   * Found by the account's first read (the monitor just started): its first tier is in every snapshot, so
   * it is not announced as a change (4,000 positions would otherwise flood every socket at start).
   */
  discovered: boolean;
}

/** A position the book has just heard of, listed by a read that started at `reqStart`; no price yet. */
export function newEntry(key: string, p: Position, reqStart: number, discovered: boolean): Entry {
  return {
    key,
    account: p.account,
    symbol: p.symbol,
    side: p.side,
    position: p,
    classification: null,
    view: null,
    tier: 'URGENT',
    priceReqAt: reqStart,
    checkedAt: null,
    activityAt: p.lastActivityAt,
    crossed: null,
    hitPublished: null,
    listedAt: reqStart,
    closedAs: null,
    lastKnownSl: p.stopLoss,
    slMissing: null,
    missingSince: null,
    discovered,
  };
}

/** The freshest usable mark the monitor has seen for this position. */
export const lastMark = (e: Entry): number => {
  const m = e.classification?.markPrice;
  return m !== undefined && Number.isFinite(m) && m > 0 ? m : e.position.markPrice;
};

/** The book's map key: the one position key both sides use (shared/src/view/keys.ts). */
export const positionKey = (account: string, symbol: string, side: PositionSide): string =>
  sharedPositionKey({ account, symbol, side });
