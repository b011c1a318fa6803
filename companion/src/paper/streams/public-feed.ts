import type { PaperEngine } from '../engine/engine.ts';
import type { Instrument } from '../engine/types.ts';
import * as fmt from '../server/bybit-dialect.ts';
import { bookSides } from '../server/market-routes.ts';
import type { StreamConnection } from './connection.ts';
import { ack, KLINE_INTERVALS, MAX_ARGS_CHARS, type PublicTopic, parsePublicTopic, tickerDelta } from './messages.ts';

/**
 * /v5/public/linear: tickers (a snapshot, then deltas of the changed fields), kline and orderbook, all
 * derived from the engine's mark. State is kept per topic, not per connection: each tick computes a
 * symbol's ticker once, diffs it against what was last broadcast and sends the same delta to every
 * subscriber; a new subscriber gets the last broadcast state as its snapshot, so the next delta applies
 * to exactly what it holds.
 */

interface TickerState {
  last: Record<string, string>;
  cs: number;
}
interface Candle {
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

export class PublicFeed {
  private readonly subscribers = new Map<string, Set<StreamConnection>>();
  private readonly parsed = new Map<string, PublicTopic>();
  private readonly tickers = new Map<string, TickerState>();
  private readonly candles = new Map<string, Candle>();
  private readonly books = new Map<string, { key: string; u: number }>();
  private bookSeq = 0;

  constructor(private readonly engine: PaperEngine) {}

  get subscribedTopics(): number {
    return this.subscribers.size;
  }

  subscribe(conn: StreamConnection, args: unknown, reqId: unknown): void {
    const topics = Array.isArray(args) ? args : [];
    const bad = topics.find((t) => typeof t !== 'string' || !parsePublicTopic(t, (s) => !!this.engine.instrument(s)));
    if (topics.length === 0 || bad !== undefined) {
      conn.send(
        ack('subscribe', conn.connId, reqId, false, `error:handler not found,topic:${String(bad ?? '')}`),
        'ack',
      );
      return;
    }
    const chars = topics.reduce((n: number, t: string) => n + t.length, 0);
    if (conn.argsChars + chars > MAX_ARGS_CHARS) {
      conn.send(ack('subscribe', conn.connId, reqId, false, `error:args size >${MAX_ARGS_CHARS}`), 'ack');
      return;
    }
    const fresh = (topics as string[]).filter((t) => !conn.topics.has(t));
    for (const t of fresh) {
      conn.topics.add(t);
      conn.argsChars += t.length;
      this.parsed.set(t, parsePublicTopic(t, () => true) as PublicTopic);
      const set = this.subscribers.get(t) ?? new Set();
      this.subscribers.set(t, set);
      set.add(conn);
    }
    conn.send(ack('subscribe', conn.connId, reqId), 'ack');
    const now = this.engine.now();
    for (const t of fresh) this.snapshotTo(conn, t, now);
  }

  unsubscribe(conn: StreamConnection, args: unknown, reqId: unknown): void {
    for (const t of Array.isArray(args) ? args : []) {
      if (typeof t !== 'string' || !conn.topics.delete(t)) continue;
      conn.argsChars -= t.length;
      this.leave(conn, t);
    }
    conn.send(ack('unsubscribe', conn.connId, reqId), 'ack');
  }

  disconnect(conn: StreamConnection): void {
    for (const t of conn.topics) this.leave(conn, t);
    conn.topics.clear();
  }

  /** One push round (every 100 ms while subscribed): deltas for what moved since the last round. */
  tick(): void {
    const now = this.engine.now();
    for (const [topic, conns] of this.subscribers) {
      const t = this.parsed.get(topic) as PublicTopic;
      const inst = this.engine.instrument(t.symbol) as Instrument;
      if (t.kind === 'tickers') {
        const state = this.tickerState(inst);
        const next = this.tickerNow(inst);
        const delta = tickerDelta(state.last, next);
        if (!delta) continue;
        state.last = next;
        state.cs++;
        const msg = { topic, type: 'delta', data: delta, cs: state.cs, ts: now };
        for (const c of conns) c.send(msg, topic);
      } else if (t.kind === 'kline') {
        const before = this.candles.get(topic);
        const after = this.candle(topic, t, inst, now);
        if (before && before.start !== after.start) {
          const done = this.klineMsg(topic, t, inst, before, now, true);
          for (const c of conns) c.send(done, topic);
        } else if (before && before.close === after.close && before.high === after.high && before.low === after.low)
          continue;
        const msg = this.klineMsg(topic, t, inst, after, now, false);
        for (const c of conns) c.send(msg, topic);
      } else {
        const book = this.bookMsg(topic, t, inst, now);
        if (!book) continue;
        for (const c of conns) c.send(book, topic);
      }
    }
  }

  private snapshotTo(conn: StreamConnection, topic: string, now: number): void {
    const t = this.parsed.get(topic) as PublicTopic;
    const inst = this.engine.instrument(t.symbol) as Instrument;
    if (t.kind === 'tickers') {
      const state = this.tickerState(inst);
      conn.send({ topic, type: 'snapshot', data: state.last, cs: state.cs, ts: now }, topic);
    } else if (t.kind === 'kline') {
      const c = this.candles.get(topic) ?? this.candle(topic, t, inst, now);
      conn.send(this.klineMsg(topic, t, inst, c, now, false), topic);
    } else {
      conn.send(this.bookMsg(topic, t, inst, now, true) as object as Record<string, unknown>, topic);
    }
  }

  private leave(conn: StreamConnection, topic: string): void {
    const set = this.subscribers.get(topic);
    if (!set) return;
    set.delete(conn);
    if (set.size > 0) return;
    this.subscribers.delete(topic);
    this.parsed.delete(topic);
    this.candles.delete(topic);
    this.books.delete(topic);
  }

  private tickerNow(inst: Instrument): Record<string, string> {
    return fmt.ticker(inst, this.engine.market(inst.symbol) as never) as unknown as Record<string, string>;
  }

  private tickerState(inst: Instrument): TickerState {
    const s = this.tickers.get(inst.symbol) ?? { last: this.tickerNow(inst), cs: 1 };
    this.tickers.set(inst.symbol, s);
    return s;
  }

  private candle(topic: string, t: { interval: string }, inst: Instrument, now: number): Candle {
    const ms = (KLINE_INTERVALS[t.interval] as number) * 60_000;
    const start = Math.floor(now / ms) * ms;
    const mark = this.engine.mark(inst.symbol);
    const prev = this.candles.get(topic);
    const c =
      prev && prev.start === start
        ? { ...prev, high: Math.max(prev.high, mark), low: Math.min(prev.low, mark), close: mark }
        : { start, open: prev?.close ?? mark, high: mark, low: mark, close: mark };
    if (c.open > c.high) c.high = c.open;
    if (c.open < c.low) c.low = c.open;
    this.candles.set(topic, c);
    return c;
  }

  private klineMsg(topic: string, t: { interval: string }, inst: Instrument, c: Candle, now: number, confirm: boolean) {
    const ms = (KLINE_INTERVALS[t.interval] as number) * 60_000;
    const p = (v: number) => v.toFixed(inst.priceDecimals);
    return {
      topic,
      type: 'snapshot',
      ts: now,
      data: [
        {
          start: c.start,
          end: c.start + ms - 1,
          interval: t.interval,
          open: p(c.open),
          close: p(c.close),
          high: p(c.high),
          low: p(c.low),
          volume: '0',
          turnover: '0',
          confirm,
          timestamp: now,
        },
      ],
    };
  }

  /** A synthetic book around the mark: one tick either side, then one tick per level. Null when unchanged. */
  private bookMsg(topic: string, t: { depth: number }, inst: Instrument, now: number, force = false) {
    const mark = this.engine.mark(inst.symbol);
    const key = mark.toFixed(inst.priceDecimals);
    const prev = this.books.get(topic);
    if (!force && prev && prev.key === key) return null;
    const state = force && prev ? prev : { key, u: (prev?.u ?? 0) + 1 };
    this.books.set(topic, state);
    return {
      topic,
      type: 'snapshot',
      ts: now,
      data: { s: inst.symbol, ...bookSides(this.engine, inst, Math.min(t.depth, 25)), u: state.u, seq: ++this.bookSeq },
      cts: now,
    };
  }
}
