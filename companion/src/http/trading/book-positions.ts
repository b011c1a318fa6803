import type { AccountFetch, AccountFreshness, ProtocolError, TieredPosition } from '@tierwatch/shared';
import type { CacheEntry } from '../../cache/resource-cache.ts';

/**
 * What HTTP /positions needs from the read model (read-model/): the book the WebSocket snapshot and
 * positions-updated are built from, so the API and the popup show the same positions, tiers and marks.
 */
export interface PositionsBook {
  positions(account: string): TieredPosition[];
  freshness(): AccountFreshness[];
  /** Ask for a REST read of the account soon (after a fresh API read, the stream's view follows it). */
  refresh(account: string): void;
  /**
   * A count that moves whenever the book's membership or tiers change (every bus event): a held read from
   * before a change is not served after it. Absent: only the hold's age counts.
   */
  changes?(): number;
}

/** How an account that is not live is reported beside its (older) positions. */
export function freshnessError(f: AccountFreshness | undefined): ProtocolError | null {
  if (f === undefined) return { code: 'EXCHANGE_UNAVAILABLE', message: 'no data from the exchange yet' };
  if (f.status === 'live') return null;
  const message =
    f.problem ?? (f.status === 'down' ? 'no data from the exchange yet' : 'no recent data from the exchange');
  return { code: f.problem?.includes('limiting') ? 'RATE_LIMITED' : 'EXCHANGE_UNAVAILABLE', message };
}

/** One account's part of a book read: its positions as an entry, and how fresh they are. */
export interface BookPart {
  account: string;
  entry: CacheEntry<TieredPosition[]> | null;
  fetch: AccountFetch;
}

/**
 * The book's positions per account, held for `holdMs`: within it a request gets the very same entry, so
 * the response memo serves ready bytes (prices move every ~100 ms; rebuilding 4,000 positions' JSON for
 * every poll inside that would be most of the hot path).
 */
export class BookPositions {
  private held = new Map<string, { at: number; changes: number; part: BookPart }>();

  constructor(
    readonly book: PositionsBook,
    private readonly holdMs: number,
  ) {}

  parts(accounts: readonly string[], now: number): BookPart[] {
    let freshness: Map<string, AccountFreshness> | null = null;
    const changes = this.book.changes?.() ?? 0;
    return accounts.map((account) => {
      const h = this.held.get(account);
      if (h && h.changes === changes && now >= h.at && now - h.at < this.holdMs) return h.part;
      freshness ??= new Map(this.book.freshness().map((f) => [f.account, f]));
      const f = freshness.get(account);
      const error = freshnessError(f);
      const dataAt = f?.dataAt ?? null;
      const part: BookPart = {
        account,
        entry: dataAt === null ? null : { data: this.book.positions(account), fetchedAt: dataAt },
        fetch: { account, fetchedAt: dataAt, cached: true, error },
      };
      this.held.set(account, { at: now, changes, part });
      return part;
    });
  }

  /** After a fresh exchange read: forget what is held, and have the book read the accounts too. */
  refreshed(accounts: readonly string[]): void {
    for (const a of accounts) {
      this.held.delete(a);
      this.book.refresh(a);
    }
  }
}
