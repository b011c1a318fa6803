import type { BusEvent, Order, Position, PositionSide, Ticker, Tier, TieredPosition } from '@tierwatch/shared';
import {
  type Classification,
  type ClassifyInput,
  classifyTier,
  criticalReason,
  crossing,
  tieredPosition,
} from './classify.ts';
import type { Thresholds } from './config.ts';
import { type Entry, lastMark, newEntry, positionKey } from './entry.ts';
import { newlyUnreachable } from './liquidation.ts';

/**
 * The position book: the monitor's current picture of every open position, and detection. Every price
 * the monitor sees (a ticker or a position page) goes through `observe`, which re-classifies the
 * position and publishes what changed: tier-changed, critical on entering CRITICAL, tp-hit / sl-hit on
 * the first price at or past a level, liquidation-before-sl when the SL becomes unreachable. Position
 * pages also reveal opens, resizes, closes and missing SLs.
 * No I/O here: actions on the exchange (confirm reads, re-placing an SL, closing a mirror) are returned to
 * the monitor, which owns the clients.
 */

export interface DetectHooks {
  publish(event: BusEvent): void;
  gap(at: number, tier: Tier, gapMs: number): void;
  /** A critical / tp-hit / sl-hit event was published for `symbol`, from data observable since `dataAt`. */
  detected(symbol: string, at: number, dataAt: number): void;
}

const NONE: ReadonlySet<string> = new Set();

const isEntryOrder = (o: Order) =>
  o.type === 'limit' && !o.reduceOnly && (o.status === 'open' || o.status === 'partially_filled');

export class PositionBook {
  readonly entries = new Map<string, Entry>();
  private readonly byAccount = new Map<string, Map<string, Entry>>();
  /**
   * Arrays, not sets: a price is applied to its symbol's positions 4,000 times a second on live streams, and
   * iterating a Set allocates where an array does not. Copied on write (opens and closes are rare), so a
   * price being applied walks the list as it was.
   */
  private readonly bySymbol = new Map<string, Entry[]>();
  /** account → position key → open entry orders. */
  private readonly pendingEntries = new Map<string, Map<string, number>>();
  /** The one input of every classification, refilled each time (classifyTier keeps nothing of it). */
  private readonly input: ClassifyInput = {
    position: null as unknown as Position,
    pendingEntryOrders: 0,
    lastActivityAt: null,
    now: 0,
  };

  private readonly closeConfirmMs: number;
  private readonly instrumentKnown: (symbol: string) => boolean;

  constructor(
    private readonly thresholds: Thresholds,
    private readonly hooks: DetectHooks,
    opts: {
      /** An unexplained disappearance is believed from a read starting at least this long after the first. */
      closeConfirmMs?: number;
      /** Whether the exchange lists the symbol with usable rules (else UNKNOWN_INSTRUMENT). */
      instrumentKnown?: (symbol: string) => boolean;
    } = {},
  ) {
    this.closeConfirmMs = opts.closeConfirmMs ?? 1000;
    this.instrumentKnown = opts.instrumentKnown ?? (() => true);
  }

  accountEntries(account: string): Iterable<Entry> {
    return this.byAccount.get(account)?.values() ?? [];
  }

  has(account: string, symbol: string, side: PositionSide): boolean {
    return this.entries.has(positionKey(account, symbol, side));
  }

  classifyNow(position: Position, now: number, markPrice?: number): TieredPosition {
    return tieredPosition(position, this.classify(position, now, markPrice));
  }

  /** The entry as served (HTTP, WebSocket snapshot, critical events); null before its first price. */
  tiered(e: Entry): TieredPosition | null {
    if (!e.classification) return null;
    e.view ??= tieredPosition(e.position, e.classification);
    return e.view;
  }

  private classify(
    position: Position,
    now: number,
    markPrice?: number,
    known = this.entries.get(positionKey(position.account, position.symbol, position.side)),
  ): Classification {
    const activity = Math.max(position.lastActivityAt ?? -Infinity, known?.activityAt ?? -Infinity);
    const key = known?.key ?? positionKey(position.account, position.symbol, position.side);
    const input = this.input;
    input.position = position;
    input.markPrice = markPrice;
    input.pendingEntryOrders = this.pendingEntries.get(position.account)?.get(key) ?? 0;
    input.lastActivityAt = Number.isFinite(activity) ? activity : null;
    input.now = now;
    input.instrumentKnown = this.instrumentKnown(position.symbol);
    input.previousTier = known?.classification?.tier ?? null;
    try {
      return classifyTier(input, this.thresholds);
    } catch {
      // A bug in classification must not lose the position: the safe side.
      return {
        tier: 'URGENT',
        markPrice: markPrice ?? position.markPrice,
        distanceToTpPct: null,
        distanceToSlPct: null,
        flags: ['UNCLASSIFIABLE'],
      };
    }
  }

  /** Fresh tickers; returns the accounts to re-read because a price showed a TP/SL crossing. */
  applyTickers(tickers: readonly Ticker[], now: number): ReadonlySet<string> {
    let confirm: Set<string> | null = null;
    for (const t of tickers) {
      const list = this.bySymbol.get(t.symbol);
      if (!list) continue;
      const dataAt = Math.min(now, t.at);
      for (const e of list) {
        if (!this.observe(e, t.markPrice, now, dataAt)) continue;
        confirm ??= new Set();
        confirm.add(e.account);
      }
    }
    return confirm ?? NONE;
  }

  markRequested(symbols: readonly string[], reqStart: number): void {
    for (const s of symbols)
      for (const e of this.bySymbol.get(s) ?? []) e.priceReqAt = Math.max(e.priceReqAt, reqStart);
  }

  /** A fresh read of all of one account's positions. */
  applyPositions(
    account: string,
    positions: readonly Position[],
    reqStart: number,
    now: number,
  ): { opened: Entry[]; closed: Entry[]; missingSl: Entry[]; unconfirmed: Entry[]; confirm: boolean } {
    const firstRead = !this.byAccount.has(account);
    const known = this.byAccount.get(account) ?? new Map<string, Entry>();
    this.byAccount.set(account, known);
    const seen = new Set<string>();
    const opened: Entry[] = [];
    const missingSl: Entry[] = [];
    let confirm = false;
    for (const raw of positions) {
      const p = raw.account === account ? raw : { ...raw, account };
      const key = positionKey(account, p.symbol, p.side);
      seen.add(key);
      let e = known.get(key);
      if (!e) {
        e = this.add(key, p, reqStart, firstRead);
        opened.push(e);
      } else if (p.size !== e.position.size) {
        this.hooks.publish({
          type: 'position-resized',
          at: now,
          account,
          symbol: p.symbol,
          side: p.side,
          fromSize: e.position.size,
          toSize: p.size,
        });
        e.activityAt = Math.max(e.activityAt ?? -Infinity, p.lastActivityAt ?? now);
      }
      e.position = p;
      e.missingSince = null;
      e.listedAt = Math.max(e.listedAt, reqStart);
      if (p.lastActivityAt !== null) e.activityAt = Math.max(e.activityAt ?? -Infinity, p.lastActivityAt);
      e.priceReqAt = Math.max(e.priceReqAt, reqStart);
      if (p.stopLoss !== null) {
        e.lastKnownSl = p.stopLoss;
        e.slMissing = null;
      } else missingSl.push(e);
      if (this.observe(e, p.markPrice, now, reqStart)) confirm = true;
    }
    // A position the read does not list is closed when a price explains it (its mark reached the TP or SL:
    // the exchange's own trigger). Otherwise one answer is not enough: an empty or short page from a bad
    // moment of the exchange would close every mirror (closeOnMainClose) or raise false closed and drift
    // alerts. Such a position stays as it was until a second read, starting at least closeConfirmMs after
    // the first, leaves it out too; the caller asks for that read.
    const closed: Entry[] = [];
    const unconfirmed: Entry[] = [];
    for (const [key, e] of known) {
      if (seen.has(key)) continue;
      const explained = e.crossed ?? crossing(e.position, lastMark(e))?.kind ?? null;
      if (explained === null) {
        e.missingSince ??= reqStart;
        if (reqStart < e.missingSince + this.closeConfirmMs) {
          unconfirmed.push(e);
          continue;
        }
      }
      e.closedAs = explained;
      this.remove(e);
      closed.push(e);
    }
    return { opened, closed, missingSl, unconfirmed, confirm };
  }

  /** A fresh read of one account's open orders: entry orders make positions BUILDING. */
  applyOrders(account: string, orders: readonly Order[], now: number): void {
    const counts = new Map<string, number>();
    for (const o of orders) {
      if (!isEntryOrder(o)) continue;
      const k = positionKey(account, o.symbol, o.side === 'buy' ? 'long' : 'short');
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    this.pendingEntries.set(account, counts);
    for (const e of this.accountEntries(account)) this.reclassify(e, now, lastMark(e), now);
  }

  /** Re-classify on a fresh price; true when it newly shows a TP/SL crossing (the account needs a read). */
  private observe(e: Entry, mark: number, now: number, dataAt: number): boolean {
    const gapTier = e.tier;
    const hadCheck = e.checkedAt;
    this.reclassify(e, now, mark, dataAt);
    if (hadCheck !== null) this.hooks.gap(now, gapTier, now - hadCheck);
    e.checkedAt = now;
    const x = crossing(e.position, mark);
    if (!x) {
      e.crossed = null;
      return false;
    }
    if (e.crossed === x.kind) return false;
    e.crossed = x.kind;
    e.hitPublished = x.kind;
    this.hooks.publish({
      type: x.kind === 'tp' ? 'tp-hit' : 'sl-hit',
      at: now,
      account: e.account,
      symbol: e.symbol,
      side: e.side,
      price: mark,
      level: x.level,
    });
    this.hooks.detected(e.symbol, now, dataAt);
    return true;
  }

  private reclassify(e: Entry, now: number, mark: number, dataAt: number): void {
    const from = e.classification ? e.tier : null;
    const flagsBefore = e.classification?.flags ?? null;
    e.classification = this.classify(e.position, now, mark, e);
    e.view = null;
    if (newlyUnreachable(flagsBefore, e.discovered, e.classification.flags))
      this.hooks.publish({ type: 'liquidation-before-sl', at: now, position: this.tiered(e) as TieredPosition });
    e.tier = e.classification.tier;
    if (from === e.tier) return;
    const quiet = from === null && e.discovered;
    e.discovered = false;
    if (!quiet)
      this.hooks.publish({
        type: 'tier-changed',
        at: now,
        account: e.account,
        symbol: e.symbol,
        side: e.side,
        from,
        to: e.tier,
      });
    if (e.tier === 'CRITICAL') {
      const view = this.tiered(e) as TieredPosition;
      this.hooks.publish({ type: 'critical', at: now, position: view, reason: criticalReason(view) });
      this.hooks.detected(e.symbol, now, dataAt);
    }
  }

  private add(key: string, p: Position, reqStart: number, discovered = false): Entry {
    const e = newEntry(key, p, reqStart, discovered);
    this.entries.set(key, e);
    this.byAccount.get(p.account)?.set(key, e);
    this.bySymbol.set(p.symbol, [...(this.bySymbol.get(p.symbol) ?? []), e]);
    return e;
  }

  private remove(e: Entry): void {
    this.entries.delete(e.key);
    this.byAccount.get(e.account)?.delete(e.key);
    const rest = (this.bySymbol.get(e.symbol) ?? []).filter((x) => x !== e);
    if (rest.length > 0) this.bySymbol.set(e.symbol, rest);
    else this.bySymbol.delete(e.symbol);
  }
}
