/**
 * What Bybit's v5 streams say about their own order, and the gaps that can be told from it. None of the
 * topics the monitor hears carries a contiguous sequence, per connection or otherwise:
 *
 * - public `tickers.<symbol>`: `cs`, the matching engine's cross sequence of the symbol. It rises by any
 *   step between two pushes (a skipped number is normal), so a lost delta cannot be seen; only a `cs`
 *   lower than the last one says something is wrong (the feed was restarted or replays old state).
 * - private messages: `id` is an opaque unique string and `creationTime` a millisecond time; neither counts.
 *   The position and execution rows carry `seq`, the cross sequence of their symbol, shared by a fill and
 *   the position update it causes ("used to associate each fill and each position update").
 *
 * So a lost private message shows as: a trade execution for a symbol after which no position row of that
 * symbol with a `seq` at least the execution's arrives within `waitMs` (the position push was lost); or a
 * position row older than one already heard (out of order: what we hold may be newer than the truth, or
 * the older row overwrote it). A lost order, wallet or lone execution push shows nothing on Bybit; the slow
 * REST reconciliation catches those. Pure bookkeeping: the caller owns the clock and the timers.
 */

export type GapReason = 'position-missing' | 'position-out-of-order' | 'ticker-sequence-fell';

/** One private connection's view of its account's per-symbol cross sequences. */
export class PrivateSequence {
  /** Highest position `seq` heard, per symbol. */
  private readonly positionSeq = new Map<string, number>();
  /** Trade executions still waiting for their position row: symbol → highest execution `seq` not answered. */
  private readonly waiting = new Map<string, { seq: number; at: number }>();

  /** A trade execution row (a fill: it changes the position). Rows without a numeric `seq` are ignored. */
  execution(symbol: string, seq: number, at: number): void {
    if (!Number.isFinite(seq)) return;
    if ((this.positionSeq.get(symbol) ?? Number.NEGATIVE_INFINITY) >= seq) return;
    const w = this.waiting.get(symbol);
    if (!w || seq > w.seq) this.waiting.set(symbol, { seq, at: w?.at ?? at });
  }

  /** A position row; a gap when it is older than one already heard for the symbol. */
  position(symbol: string, seq: number): GapReason | null {
    if (!Number.isFinite(seq)) return null;
    const last = this.positionSeq.get(symbol);
    if (last !== undefined && seq < last) return 'position-out-of-order';
    this.positionSeq.set(symbol, seq);
    const w = this.waiting.get(symbol);
    if (w && seq >= w.seq) this.waiting.delete(symbol);
    return null;
  }

  /** Symbols whose fill has waited longer than `waitMs` for its position row at `now`; they stop waiting. */
  overdue(now: number, waitMs: number): string[] {
    const out: string[] = [];
    for (const [symbol, w] of this.waiting) {
      if (now - w.at < waitMs) continue;
      out.push(symbol);
      this.waiting.delete(symbol);
    }
    return out;
  }

  /** A new connection: what the old one had said is reconciled by REST anyway. */
  reset(): void {
    this.positionSeq.clear();
    this.waiting.clear();
  }
}

/** One public connection's last `cs` per symbol. */
export class TickerSequence {
  private readonly cs = new Map<string, number>();

  /** A ticker push; a gap when its `cs` fell below the last one heard for the symbol. */
  push(symbol: string, cs: unknown): GapReason | null {
    const n = typeof cs === 'number' ? cs : Number(cs);
    if (!Number.isFinite(n)) return null;
    const last = this.cs.get(symbol);
    this.cs.set(symbol, n);
    return last !== undefined && n < last ? 'ticker-sequence-fell' : null;
  }

  reset(): void {
    this.cs.clear();
  }
}
