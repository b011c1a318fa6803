import type { Position } from '@tierwatch/shared';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Bybit } from './bybit.ts';
import type { HeardCloses } from './heard-closes.ts';
import { notWatched, toOrder, toPosition, toTicker } from './normalize.ts';
import type { RateBudget } from './rate-budget.ts';
import { StreamRunner, type StreamTiming } from './stream-runner.ts';
import { type GapReason, PrivateSequence, TickerSequence } from './stream-sequence.ts';
import type { StreamSink, StreamStatus, Streams } from './types.ts';

/**
 * The exchange's streams through ccxt pro: one public connection set carrying `tickers` for every held
 * symbol, shared by every account, and one private connection per account (position, order, execution,
 * wallet) on the account's own ccxt instance, the one its REST calls use.
 *
 * Bybit refuses a connection's subscriptions past 21,000 characters of args in total. ccxt pro re-sends
 * every topic of a watch when a symbol joins it, and the exchange counts that message on top of what the
 * connection already holds, so a connection is filled to half the limit and the next symbol opens another.
 *
 * ccxt pro keeps the connections and subscriptions; the pushes are read from the frames (Bybit.onFrame),
 * ticker frames raw (Bybit.rawTickers). Each connection's sequence is watched (stream-sequence.ts) and a
 * gap is told to the sink, which reconciles; closing fills heard are kept to explain closes (heard-closes.ts).
 */

// biome-ignore lint/suspicious/noExplicitAny: ccxt pro's watch* results are untyped
type Loose = Record<string, any>;

export interface StreamsOptions extends StreamTiming {
  /** A fill without its position row this long: a lost position push (stream-sequence.ts). */
  gapWaitMs: number;
  clock: Clock;
  budget: RateBudget;
  logger: Logger;
  /** A fresh ccxt instance for one public connection (markets shared, stream URLs set). */
  publicInstance(): Bybit;
  /** Each account's own instance (credentials, stream URLs set). */
  accounts: Map<string, Bybit>;
  /** Where each account's closing fills heard on its stream go (heard-closes.ts: closes explained without REST). */
  heard?: Map<string, HeardCloses>;
  maxArgsChars: number;
}

/** A frame's topic family (`tickers.BTCUSDT` → `tickers`); not by split: it runs on every frame. */
const topicOf = (m: unknown): string => {
  const t = (m as { topic?: unknown } | null)?.topic;
  if (typeof t !== 'string') return 'control';
  if (t.startsWith('tickers.')) return 'tickers';
  const dot = t.indexOf('.');
  return dot < 0 ? t : t.slice(0, dot);
};

/** A push, or the exchange's ack of a subscribe: the connection carries its topics. */
const confirms = (m: unknown): boolean => {
  const x = m as { topic?: unknown; op?: unknown; success?: unknown } | null;
  return typeof x?.topic === 'string' || (x?.op === 'subscribe' && x.success === true);
};

interface PrivateConnection {
  account: string;
  ex: Bybit;
  runner: StreamRunner;
  seq: PrivateSequence;
}

interface Chunk {
  ex: Bybit;
  /** Unified symbols, as ccxt pro's watchTickers takes them. */
  symbols: string[];
  chars: number;
  runner: StreamRunner;
  /** Ends the current watch: symbols joined (the next watch subscribes them). */
  changed: (() => void) | null;
}

export class CcxtStreams implements Streams {
  private sink: StreamSink | null = null;
  private readonly chunks: Chunk[] = [];
  private readonly held = new Set<string>();
  private readonly privates: StreamRunner[] = [];
  private readonly frames = new Map<Bybit, (message: unknown) => void>();
  private readonly pushes = new Map<Bybit, (topic: string, data: Loose[], message: Loose) => void>();

  constructor(private readonly o: StreamsOptions) {}

  setSymbols(symbols: readonly string[]): void {
    for (const id of symbols) {
      if (this.held.has(id)) continue;
      this.held.add(id);
      if (this.sink) this.place(id);
    }
  }

  start(sink: StreamSink): void {
    if (this.sink) return;
    this.sink = sink;
    for (const id of this.held) this.place(id);
    for (const [account, ex] of this.o.accounts) {
      const ready = ex.loadHttpProxyAgent();
      const seq = new PrivateSequence();
      // Pushes are read from the frames (onFrame); the watches keep the subscriptions and report failures.
      const runner = this.runner(
        account,
        'private',
        account,
        ex,
        [
          () => ready.then(() => ex.watchPositions()),
          () => ready.then(() => ex.watchOrders()),
          () => ready.then(() => ex.watchMyTrades()),
          () => ready.then(() => ex.watchBalance()),
        ],
        () => seq.reset(),
      );
      this.onPush(ex, (topic, data) => this.privatePush(sink, { account, ex, runner, seq }, topic, data));
      this.privates.push(runner);
      runner.start();
    }
  }

  async stop(): Promise<void> {
    const all = [...this.chunks.map((c) => c.runner), ...this.privates];
    await Promise.allSettled(all.map((r) => r.stop()));
    this.sink = null;
  }

  status(): StreamStatus[] {
    const now = this.o.clock.now();
    return [...this.chunks.map((c) => c.runner), ...this.privates].map((r) => r.status(now));
  }

  /** Puts a symbol on the first public connection with room, opening a new one when none has. */
  private place(id: string): void {
    const chars = `tickers.${id}`.length;
    let chunk = this.chunks.find((c) => c.chars + chars <= this.o.maxArgsChars / 2);
    if (!chunk) {
      const ex = this.o.publicInstance();
      const key = this.chunks.length === 0 ? 'public' : `public#${this.chunks.length + 1}`;
      const ready = ex.loadHttpProxyAgent();
      const sink = this.sink as StreamSink;
      const c: Chunk = { ex, symbols: [], chars: 0, runner: null as unknown as StreamRunner, changed: null };
      const seq = new TickerSequence();
      c.runner = this.runner(
        key,
        'public',
        null,
        ex,
        [
          () =>
            ready.then(
              () =>
                new Promise<unknown>((resolve, reject) => {
                  c.changed = () => resolve(null);
                  ex.watchTickers([...c.symbols]).then(resolve, reject);
                }),
            ),
        ],
        () => seq.reset(),
      );
      // Every ticker frame, raw (bybit.ts: ccxt never parses them): a snapshot is the symbol's row, a
      // delta carries only the fields that changed and is merged into it.
      ex.rawTickers = true;
      const rows = new Map<string, Loose>();
      this.onPush(ex, (_topic, data, message) => {
        const id = String(message.topic).slice('tickers.'.length);
        if (seq.push(id, message.cs) !== null) this.gap(c.runner, 'ticker-sequence-fell', [id]);
        const fields = data[0];
        if (!fields) return;
        const row = message.type === 'snapshot' ? { ...fields } : Object.assign(rows.get(id) ?? {}, fields);
        rows.set(id, row);
        // A delta before any snapshot (a connection that lost it) has no full row: wait for a mark.
        if (!(Number(row.markPrice) > 0)) return;
        const now = this.o.clock.now();
        sink.tickers([toTicker(row, now)], now);
      });
      this.chunks.push(c);
      chunk = c;
      c.runner.start();
    }
    chunk.symbols.push(chunk.ex.market(id).symbol as string);
    chunk.chars += chars;
    // The watch never returns by itself (its pushes bypass ccxt): end it, so it is called again with the
    // new symbol (ccxt subscribes what the connection does not carry yet).
    chunk.changed?.();
  }

  /** One private push: positions (and the marks they carry), orders, and the sequence they show. */
  private privatePush(sink: StreamSink, c: PrivateConnection, topic: string, all: Loose[]): void {
    const now = this.o.clock.now();
    // The private stream carries the whole linear category: USDC perpetuals and dated futures too.
    const data = all.filter((row) => !notWatched(row));
    if (topic === 'order' || topic === 'execution') this.o.heard?.get(c.account)?.add(data);
    if (topic === 'execution') {
      // A fill moves the position: its row must follow (stream-sequence.ts). Checked once the wait is over.
      const fills = data.filter((row) => (row.execType ?? 'Trade') === 'Trade');
      for (const row of fills) c.seq.execution(String(row.symbol ?? ''), Number(row.seq), now);
      if (fills.length > 0) void this.o.clock.sleep(this.o.gapWaitMs).then(() => this.lateFills(c));
    } else if (topic === 'position') {
      const open: Position[] = [];
      const closed: string[] = [];
      const outOfOrder: string[] = [];
      // A position push carries the mark it was computed at (a close by SL: the mark past the SL). It is a
      // price heard first, so the book sees the crossing before the position disappears.
      const marks = data.filter((row) => Number(row.markPrice) > 0);
      if (marks.length > 0)
        sink.tickers(
          marks.map((row) => toTicker(row, now)),
          now,
        );
      for (const row of data) {
        const symbol = String(row.symbol ?? '');
        if (c.seq.position(symbol, Number(row.seq)) !== null) outOfOrder.push(symbol);
        if (Number(row.size ?? 0) > 0) open.push(toPosition(c.account, row));
        else closed.push(symbol);
      }
      sink.positions(c.account, open, closed, now);
      if (outOfOrder.length > 0) this.gap(c.runner, 'position-out-of-order', outOfOrder);
    } else if (topic === 'order') {
      const os = data.map((row) => toOrder(c.account, c.ex.parseOrder(row) as unknown as Loose));
      sink.orders(c.account, os, now);
    }
  }

  private lateFills(c: PrivateConnection): void {
    const late = c.seq.overdue(this.o.clock.now(), this.o.gapWaitMs);
    if (late.length > 0) this.gap(c.runner, 'position-missing', late);
  }

  private gap(runner: StreamRunner, reason: GapReason, symbols: string[]): void {
    runner.gaps++;
    this.o.logger.warn({ stream: runner.key, reason, symbols: symbols.slice(0, 20) }, 'gap in a stream');
    this.sink?.gap(runner.key, runner.account, reason, symbols);
  }

  private runner(
    key: string,
    kind: 'public' | 'private',
    account: string | null,
    ex: Bybit,
    watchers: (() => Promise<unknown>)[],
    /** A new connection: its sequence starts afresh. */
    fresh: () => void,
  ): StreamRunner {
    const log = this.o.logger;
    const runner: StreamRunner = new StreamRunner(key, kind, account, watchers, () => ex.close(), {
      clock: this.o.clock,
      budget: this.o.budget,
      timing: this.o,
      onConnected: (reconnect) => {
        fresh();
        if (!reconnect) return;
        log.info({ stream: key }, 'stream reconnected');
        this.sink?.reconnected(key, account);
      },
      onError: (err) => log.warn({ stream: key, err: String(err) }, 'stream failed; reconnecting'),
    });
    this.frames.set(ex, (message) => runner.frame(topicOf(message), confirms(message)));
    ex.onFrame = (_url, message) => {
      this.frames.get(ex)?.(message);
      const m = message as Loose;
      if (typeof m?.topic !== 'string') return;
      const data = Array.isArray(m.data) ? m.data : [m.data];
      try {
        this.pushes.get(ex)?.(topicOf(m), data as Loose[], m);
      } catch (err) {
        this.o.logger.warn({ topic: m.topic, err: String(err) }, 'stream push not understood; dropped');
      }
    };
    return runner;
  }

  private onPush(ex: Bybit, f: (topic: string, data: Loose[], message: Loose) => void): void {
    this.pushes.set(ex, f);
  }
}
