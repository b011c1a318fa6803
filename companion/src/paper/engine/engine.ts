import { roundToStep } from '@tierwatch/shared';
import type { Clock } from '../../core/clock.ts';
import { Rng } from '../../core/rng.ts';
import type { PaperOptions } from '../options.ts';
import { CandleBook } from './candles.ts';
import { emptyChanges, hasChanges } from './changes.ts';
import { closeOnLevels, fireConditionals, placePendingPartials, trailStops } from './conditional.ts';
import { buildUniverse, type Universe } from './instruments.ts';
import { applyFill, finalise } from './ledger.ts';
import { type AmendRequest, amendOrder, cancelAll } from './order-changes.ts';
import { cancelOrder, type MarketView, type PlaceRequest, placeOrder } from './orders.ts';
import { setLeverage, setTradingStop, type TradingStopRequest } from './position-ops.ts';
import { paperAccounts, seedAccounts } from './seed.ts';
import {
  BybitError,
  type ChangeSet,
  type Instrument,
  type MarketState,
  type PaperAccount,
  type PaperOrder,
} from './types.ts';

/**
 * The market and the accounts. Time advances lazily: every request and control call first steps the
 * seeded random walk from the last step up to `now()` in fixed `stepMs` steps, checking TP/SL triggers and
 * limit fills at each step. Why lazily rather than a timer loop: it costs nothing while idle, it never
 * races a request, and the path depends only on the seed and the step count, so ManualClock tests and
 * ScaledClock benchmarks see the same, reproducible market however requests happen to be timed.
 */

/** One day of steps at most per catch-up: a clock jumped by weeks must not stall a request. */
const MAX_CATCH_UP_STEPS = 86_400;

const MINUTES_PER_YEAR = 525_600;

export type ChangeListener = (acc: PaperAccount, changes: ChangeSet) => void;

export class PaperEngine {
  readonly accounts: PaperAccount[];
  private readonly byKey = new Map<string, PaperAccount>();
  private readonly universe: Universe;
  private readonly walk: Rng;
  private lastStepAt: number;
  private skewMs = 0;
  private orderSeq = 0;
  /** Standard deviation of one step's log return, per symbol. */
  private readonly sigmaPerStep = new Map<string, number>();
  private readonly listeners = new Set<ChangeListener>();
  readonly candles: CandleBook;

  constructor(
    private readonly opts: PaperOptions,
    private readonly clock: Clock,
  ) {
    const rng = new Rng(opts.seed);
    const start = clock.now();
    const symbolSpec = opts.symbols ?? Math.min(500, Math.max(50, opts.positionsPerAccount));
    const symbolCount = Array.isArray(symbolSpec) ? symbolSpec.length : symbolSpec;
    if (symbolCount < opts.positionsPerAccount) {
      throw new Error(
        `paper: ${opts.positionsPerAccount} positions per account need at least as many symbols (one-way mode), got ${symbolCount}`,
      );
    }
    this.universe = buildUniverse(symbolSpec, rng, start);
    this.candles = new CandleBook(start);
    for (const [symbol, m] of this.universe.markets) this.candles.setOrigin(symbol, m.mark);
    this.walk = new Rng(opts.seed ^ 0x5eed);
    for (const symbol of this.universe.markets.keys()) {
      const perMinute =
        opts.volatilityPerMinute ??
        ((this.universe.volatility.get(symbol) ?? 1) * opts.volatility) / Math.sqrt(MINUTES_PER_YEAR);
      this.sigmaPerStep.set(symbol, perMinute * Math.sqrt(opts.stepMs / 60_000));
    }
    this.lastStepAt = start;
    this.accounts = paperAccounts(opts);
    for (const a of this.accounts) this.byKey.set(a.apiKey, a);
    seedAccounts(this.accounts, this.universe, rng, { ...opts, now: start, nextOrderId: () => this.nextOrderId() });
    // The seeded book is the starting state, not a change anyone was told about.
    for (const a of this.accounts) a.changes = emptyChanges();
  }

  /** Called with each account's changes after every operation and market catch-up (the private streams). */
  onChanges(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Hands every account's pending changes to the listeners, in account order, and starts new batches. */
  private flush(): void {
    for (const acc of this.accounts) {
      if (!hasChanges(acc.changes)) continue;
      const batch = acc.changes;
      acc.changes = emptyChanges();
      for (const l of this.listeners) l(acc, batch);
    }
  }

  now(): number {
    return this.clock.now() + this.skewMs;
  }

  /** Brings the market up to `now()`: call before reading or changing any state. */
  sync(): void {
    const now = this.now();
    let steps = Math.floor((now - this.lastStepAt) / this.opts.stepMs);
    if (steps > MAX_CATCH_UP_STEPS) {
      this.lastStepAt += (steps - MAX_CATCH_UP_STEPS) * this.opts.stepMs;
      steps = MAX_CATCH_UP_STEPS;
    }
    for (let i = 0; i < steps; i++) {
      this.lastStepAt += this.opts.stepMs;
      for (const m of this.universe.markets.values()) {
        const sigma = this.sigmaPerStep.get(m.symbol) ?? 0;
        if (sigma > 0) this.setMark(m, m.mark * Math.exp(sigma * this.walk.normal()), this.lastStepAt);
      }
      this.matchAll(this.lastStepAt);
    }
    this.flush();
  }

  /** Moves simulated time forward on any clock (the skew is added to the clock's own time). */
  step(ms: number): void {
    if (!(ms >= 0)) throw new BybitError(10001, 'params error: ms must be >= 0');
    this.skewMs += ms;
    this.sync();
  }

  setPrice(symbol: string, price: number): number {
    this.sync();
    const m = this.universe.markets.get(symbol);
    const inst = this.universe.instruments.get(symbol);
    if (!m || !inst) throw new BybitError(10001, 'Not supported symbols');
    if (!(price > 0)) throw new BybitError(10001, 'params error: price must be > 0');
    this.setMark(m, Math.max(inst.tickSize, roundToStep(price, inst.tickSize)), this.now());
    this.matchAll(this.now());
    this.flush();
    return m.mark;
  }

  movePrice(symbol: string, pct: number): number {
    return this.setPrice(symbol, this.mark(symbol) * (1 + pct / 100));
  }

  accountByKey(apiKey: string): PaperAccount | undefined {
    return this.byKey.get(apiKey);
  }

  account(name: string): PaperAccount | undefined {
    return this.accounts.find((a) => a.name === name);
  }

  instruments(): Instrument[] {
    return [...this.universe.instruments.values()];
  }

  instrument(symbol: string): Instrument | undefined {
    return this.universe.instruments.get(symbol);
  }

  market(symbol: string) {
    return this.universe.markets.get(symbol);
  }

  mark = (symbol: string): number => {
    const m = this.universe.markets.get(symbol);
    if (!m) throw new BybitError(10001, 'Not supported symbols');
    return m.mark;
  };

  placeOrder(acc: PaperAccount, req: PlaceRequest): PaperOrder {
    this.sync();
    try {
      const o = placeOrder(acc, req, this.view());
      placePendingPartials(acc, this.view());
      return o;
    } finally {
      this.flush();
    }
  }

  cancelOrder(acc: PaperAccount, symbol: string, ids: { orderId?: string; orderLinkId?: string }): PaperOrder {
    this.sync();
    try {
      return cancelOrder(acc, symbol, ids, this.now());
    } finally {
      this.flush();
    }
  }

  setTradingStop(acc: PaperAccount, symbol: string, req: TradingStopRequest): void {
    this.sync();
    const inst = this.instrument(symbol);
    if (!inst) throw new BybitError(10001, 'Not supported symbols');
    try {
      setTradingStop(acc, symbol, req, inst, this.view());
      // A trailing stop may be active at once, and a partial TP/SL already crossed.
      this.matchAll(this.now());
    } finally {
      this.flush();
    }
  }

  amendOrder(acc: PaperAccount, symbol: string, ids: { orderId?: string; orderLinkId?: string }, req: AmendRequest) {
    this.sync();
    try {
      const o = amendOrder(acc, symbol, ids, req, this.view());
      placePendingPartials(acc, this.view());
      return o;
    } finally {
      this.flush();
    }
  }

  cancelAll(acc: PaperAccount, symbol: string | undefined, filter: 'Order' | 'StopOrder' | 'all'): PaperOrder[] {
    this.sync();
    try {
      return cancelAll(acc, symbol, filter, this.now());
    } finally {
      this.flush();
    }
  }

  setLeverage(acc: PaperAccount, symbol: string, buy: number, sell: number): void {
    this.sync();
    const inst = this.instrument(symbol);
    if (!inst) throw new BybitError(10001, 'Not supported symbols');
    try {
      setLeverage(acc, inst, buy, sell, this.opts.leverage, this.now());
    } finally {
      this.flush();
    }
  }

  /** The leverage a new position on `symbol` opens with. */
  leverageOf(acc: PaperAccount, symbol: string): number {
    return acc.leverageBySymbol?.get(symbol) ?? this.opts.leverage;
  }

  private nextOrderId(): string {
    const n = (++this.orderSeq).toString(16).padStart(12, '0');
    return `a11ce000-0000-4000-8000-${n}`;
  }

  private view(): MarketView {
    return {
      now: this.now(),
      mark: this.mark,
      instrument: (s) => this.instrument(s),
      slippageBps: this.opts.slippageBps,
      leverage: this.opts.leverage,
      nextOrderId: () => this.nextOrderId(),
    };
  }

  private setMark(m: MarketState, price: number, at: number): void {
    m.prev = m.mark;
    m.mark = price;
    this.candles.record(m.symbol, price, at);
    m.high = Math.max(m.high, price);
    m.low = Math.min(m.low, price);
    m.updatedAt = at;
  }

  /**
   * Limit fills first (they may open or grow the position), then what the price sets off on the resulting
   * book: conditional and partial TP/SL orders, trailing stops, the positions' TP/SL and liquidation.
   */
  private matchAll(at: number): void {
    const view = { ...this.view(), now: at };
    const previous = (s: string) => this.universe.markets.get(s)?.prev ?? this.mark(s);
    for (const acc of this.accounts) {
      for (const o of [...acc.open.values()]) {
        if (o.orderType !== 'Limit' || o.price === null || o.orderStatus === 'Untriggered') continue;
        const mark = this.mark(o.symbol);
        if (o.side === 'Buy' ? mark > o.price : mark < o.price) continue;
        if (o.reduceOnly) {
          const pos = acc.positions.get(o.symbol);
          if (!pos || pos.side === o.side) continue;
          o.qty = Math.min(o.qty, pos.size);
        }
        const fill = { price: o.price, qty: o.qty - o.cumExecQty, at, isMaker: true, mark };
        applyFill(acc, o, fill, this.leverageOf(acc, o.symbol));
        finalise(acc, o);
      }
      placePendingPartials(acc, view);
      fireConditionals(acc, view, previous);
      placePendingPartials(acc, view);
      trailStops(acc, view);
      closeOnLevels(acc, view, previous);
    }
  }
}
