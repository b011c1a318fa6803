import type { BusEvent, Order, Position, StreamStats, Ticker } from '@tierwatch/shared';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { GapReason } from '../exchange/stream-sequence.ts';
import type { StreamSink, StreamStatus, Streams } from '../exchange/types.ts';
import type { AccountState } from './accounts.ts';
import type { AccountActions } from './actions.ts';
import { reportCloses } from './close-reasons.ts';
import type { MonitorConfig } from './config.ts';
import { type Entry, lastMark } from './entry.ts';
import type { PositionBook } from './position-book.ts';
import { initialSource, type SourceState, stepSource, worstHealth } from './source.ts';
import type { DetectionLatency } from './stats.ts';
import { posKey, StreamedLists } from './stream-lists.ts';

/**
 * Applies the streams' pushes to the same position book the polls feed, so a push raises exactly the events
 * a poll would, at once: a ticker push is a price check of every position on its symbol; a position or
 * order push updates the account's last full list (stream-lists.ts) and the book takes that list as it
 * takes a read. It also runs the source machines (source.ts) on the streams' health, and asks for a REST
 * reconciliation of an account at once when its stream reconnected or showed a gap in its sequence.
 */

export interface FeedDeps {
  streams: Streams;
  config: MonitorConfig;
  clock: Clock;
  log: Logger;
  book: PositionBook;
  accounts: Map<string, AccountState>;
  actions: AccountActions;
  latency: DetectionLatency;
  publish(e: BusEvent): void;
  /** Counts the close-cause reads (order history) a streamed close asks for. */
  recordCall(endpoint: string, account: string, n: number, failed?: boolean): void;
  refreshAccount(account: string): void;
  /** A REST read of the account's positions at once, whatever its source (reconciliation). */
  readNow(account: string): void;
  wake(): void;
  onPositions?(account: string, positions: Position[], fetchedAt: number): void;
  onOrders?(account: string, orders: Order[], fetchedAt: number): void;
}

export const PUBLIC_STREAM = 'public';

/** The feed's stats, always with the gaps heard (each reconciled). */
export type FeedStats = StreamStats & { gaps: number };

export class StreamFeed implements StreamSink {
  private readonly sources = new Map<string, SourceState>();
  private readonly lists: StreamedLists;
  private readonly confirming = new Set<string>();
  private switches = 0;
  private gaps = 0;
  private lastRates: { at: number; counts: Map<string, Record<string, number>> } | null = null;

  constructor(private readonly d: FeedDeps) {
    this.lists = new StreamedLists(d.log);
    const now = d.clock.now();
    this.sources.set(PUBLIC_STREAM, initialSource(now));
    for (const name of d.accounts.keys()) this.sources.set(name, initialSource(now));
  }

  start(): void {
    this.d.streams.start(this);
  }

  stop(): Promise<void> {
    return this.d.streams.stop();
  }

  publicStreaming(): boolean {
    return this.sources.get(PUBLIC_STREAM)?.source === 'stream';
  }

  /** Since when the public stream's symbols are polled (source.ts's planWithStreams: the first poll). */
  publicPolledSince(): number {
    return this.sources.get(PUBLIC_STREAM)?.since ?? Number.NEGATIVE_INFINITY;
  }

  streamingAccounts(): Set<string> {
    const out = new Set<string>();
    for (const [k, s] of this.sources) if (k !== PUBLIC_STREAM && s.source === 'stream') out.add(k);
    return out;
  }

  /** Subscribes new held symbols and steps every source machine on its stream's health now. */
  tick(now: number): void {
    const held = new Set<string>();
    for (const e of this.d.book.entries.values()) held.add(e.symbol);
    this.d.streams.setSymbols([...held]);
    const status = this.d.streams.status();
    const pub = status.filter((s) => s.kind === 'public').map((s) => s.health);
    // No held symbol, no public connection: nothing to hear, nothing to poll either.
    this.step(PUBLIC_STREAM, null, held.size === 0 ? 'live' : worstHealth(pub), now);
    for (const name of this.d.accounts.keys()) {
      const s = status.find((x) => x.kind === 'private' && x.account === name);
      this.step(name, name, s?.health ?? 'down', now);
    }
  }

  // ── pushes ───────────────────────────────────────────────────────────────────────────────────────

  tickers(tickers: Ticker[], at: number): void {
    const { book, latency } = this.d;
    book.markRequested(
      tickers.map((t) => t.symbol),
      at,
    );
    const confirm = book.applyTickers(tickers, at);
    latency.seen(tickers, at);
    // A streamed account's close arrives as a position push: no REST read to confirm it.
    for (const account of confirm) if (!this.streamed(account)) this.d.refreshAccount(account);
  }

  positions(account: string, open: Position[], closedSymbols: string[], at: number): void {
    if (!this.lists.pushPositions(account, open, closedSymbols, at)) return;
    const list = this.lists.positions(account) ?? [];
    void this.applyPositions(account, list, at, new Set(open.map(posKey)));
  }

  orders(account: string, orders: Order[], at: number): void {
    const list = this.lists.pushOrders(account, orders);
    if (!list) return;
    this.hook(() => this.d.onOrders?.(account, list, at));
    this.d.book.applyOrders(account, list, at);
  }

  reconnected(key: string, account: string | null): void {
    // What the stream carried while it was away is unknown.
    this.reconcile(key, account, 'stream reconnected; reconciling its account');
  }

  gap(key: string, account: string | null, reason: GapReason, symbols: string[]): void {
    this.gaps++;
    // A private gap: a position push was lost or came out of order; REST says what is true now. A public
    // one (a ticker cs fell): the next push of the symbol carries its price again, nothing to re-read.
    this.reconcile(key, account, `gap in a stream (${reason}: ${symbols.slice(0, 5).join(', ')}); reconciling`);
  }

  // ── REST answers (reconciliation) ────────────────────────────────────────────────────────────────

  /** A REST read of all positions, requested at `start`: the new base list; later pushes replayed over it. */
  restPositions(account: string, positions: Position[], start: number): void {
    this.lists.restPositions(account, positions, start);
  }

  restOrders(account: string, orders: Order[]): void {
    this.lists.restOrders(account, orders);
  }

  // ── stats ────────────────────────────────────────────────────────────────────────────────────────

  /** `advance: false` reads the rates without starting a new rate window (a look between published stats). */
  stats(now: number, advance = true): FeedStats {
    const status = this.d.streams.status();
    const prev = this.lastRates;
    const counts = new Map(status.map((s) => [s.key, s.messages]));
    if (advance) this.lastRates = { at: now, counts };
    return {
      sources: Object.fromEntries([...this.sources].map(([k, s]) => [k, s.source])),
      connections: status.map((s) => ({
        key: s.key,
        account: s.account,
        health: s.health,
        ageMs: s.ageMs,
        reconnects: s.reconnects,
        messagesPerSec: rates(s, prev, now),
      })),
      switches: this.switches,
      restOnlyDiscoveries: this.lists.restOnly,
      gaps: this.gaps,
    };
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────────────

  private step(key: string, account: string | null, health: StreamStatus['health'], now: number): void {
    const s = this.sources.get(key) ?? initialSource(now);
    const { state, switched } = stepSource(s, health, now, this.d.config.streamRecoverMs);
    this.sources.set(key, state);
    if (!switched) return;
    this.switches++;
    this.d.log.info({ stream: key, ...switched }, 'monitor source changed');
    this.d.publish({ type: 'source-changed', at: now, stream: key, account, ...switched });
    if (switched.to === 'stream' && account) this.reconnected(key, account);
    this.d.wake();
  }

  /** Positions and orders of the account re-read by REST at once (reconnect, gap). */
  private reconcile(key: string, account: string | null, why: string): void {
    if (!account) return;
    const a = this.d.accounts.get(account);
    if (a) a.ordersReqAt = Number.NEGATIVE_INFINITY;
    this.d.log.info({ stream: key }, why);
    this.d.readNow(account);
  }

  /**
   * The account's list to the book as a read. Only the rows a push just carried are fresh: every other row
   * is as old as its last REST read or push, so it goes with the book's own latest mark and leaves the
   * position's last price check where it was (a stale row must not count as a check, nor its old mark as
   * the price).
   */
  private async applyPositions(name: string, list: Position[], at: number, fresh = new Set<string>()): Promise<void> {
    const a = this.d.accounts.get(name);
    if (!a) return;
    try {
      const held = new Map<string, Entry>();
      for (const e of this.d.book.accountEntries(name)) held.set(`${e.symbol}|${e.side}`, e);
      const checkedBefore = new Map<Entry, number>();
      const positions = list.map((p) => {
        const e = held.get(posKey(p));
        if (!e || fresh.has(posKey(p))) return p;
        checkedBefore.set(e, e.priceReqAt);
        const mark = lastMark(e);
        return Number.isFinite(mark) && mark > 0 ? { ...p, markPrice: mark } : p;
      });
      this.hook(() => this.d.onPositions?.(name, positions, at));
      const result = this.d.book.applyPositions(name, positions, at, at);
      for (const [e, before] of checkedBefore) e.priceReqAt = before;
      if (result.unconfirmed.length > 0) this.confirmLater(name);
      // Why each close happened, from the exchange's history, before the mirrors are checked (as reads.ts).
      await reportCloses(this.d, a, result.closed);
      await this.d.actions.afterPositions(a, result, at);
    } catch (err) {
      this.d.log.warn({ account: name, err: String(err) }, 'position push not applied');
    }
  }

  private streamed(account: string): boolean {
    return this.sources.get(account)?.source === 'stream';
  }

  /**
   * A position gone from the list is closed only by a second list at least closeConfirmMs later that still
   * lacks it. On a streamed account the push that removed it said size 0, so that second list is the
   * stream's own list then (unless a push brought it back); a polled account reads REST, as today.
   */
  private confirmLater(name: string): void {
    if (!this.settleFromStream(name)) this.d.refreshAccount(name);
  }

  /**
   * A read of a streamed account, asked for by a confirm or a mirror check, is its own list again once
   * pushes in flight have landed (closeConfirmMs later): the stream is as fresh as a read, and costs no call.
   * False when the account is polled or has no list yet (then REST reads it).
   */
  settleFromStream(name: string): boolean {
    if (!this.streamed(name) || !this.lists.has(name)) return false;
    if (this.confirming.has(name)) return true;
    this.confirming.add(name);
    void this.d.clock.sleep(this.d.config.closeConfirmMs).then(() => {
      this.confirming.delete(name);
      const known = this.lists.positions(name);
      if (known) void this.applyPositions(name, known, this.d.clock.now());
    });
    return true;
  }

  private hook(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.d.log.warn({ err: String(err) }, 'monitor read hook threw');
    }
  }
}

function rates(
  s: StreamStatus,
  prev: { at: number; counts: Map<string, Record<string, number>> } | null,
  now: number,
): Record<string, number> {
  const before = prev?.counts.get(s.key) ?? {};
  const spanS = prev ? Math.max(0.001, (now - prev.at) / 1000) : 0;
  const out: Record<string, number> = {};
  for (const [topic, n] of Object.entries(s.messages)) {
    out[topic] = spanS > 0 ? Math.round(((n - (before[topic] ?? 0)) / spanS) * 100) / 100 : 0;
  }
  return out;
}
