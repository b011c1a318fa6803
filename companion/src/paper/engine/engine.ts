import { createHmac } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { Rng } from '../../core/rng.ts';
import { accountNames, type PaperOptions } from '../options.ts';
import { buildUniverse, roundToStep, type Universe } from './instruments.ts';
import { applyFill, finalise, liquidationPrice, opposite } from './ledger.ts';
import { cancelOrder, fillAtMarket, type MarketView, type PlaceRequest, placeOrder, setTradingStop } from './orders.ts';
import { seedAccounts } from './seed.ts';
import { BybitError, type Instrument, type PaperAccount, type PaperOrder } from './types.ts';

/**
 * The market and the accounts. Time advances lazily: every request and control call first steps the
 * seeded random walk from the last step up to `now()` in fixed `stepMs` steps, checking TP/SL triggers and
 * limit fills at each step. Why lazily rather than a timer loop: it costs nothing while idle, it never
 * races a request, and the path depends only on the seed and the step count, so ManualClock tests and
 * ScaledClock benchmarks see the same, reproducible market however requests happen to be timed.
 */

/** One day of steps at most per catch-up: a clock jumped by weeks must not stall a request. */
const MAX_CATCH_UP_STEPS = 86_400;

export class PaperEngine {
  readonly accounts: PaperAccount[];
  private readonly byKey = new Map<string, PaperAccount>();
  private readonly universe: Universe;
  private readonly walk: Rng;
  private lastStepAt: number;
  private skewMs = 0;
  private orderSeq = 0;
  private sigmaPerStep: number;

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
    this.walk = new Rng(opts.seed ^ 0x5eed);
    this.sigmaPerStep = opts.volatilityPerMinute * Math.sqrt(opts.stepMs / 60_000);
    this.lastStepAt = start;
    this.accounts = accountNames(opts.accounts).map((name, i) => {
      const h = createHmac('sha256', `tierwatch-paper-${opts.seed}`).update(name).digest('hex');
      return {
        name,
        uid: 100_000 + i,
        apiKey: `PAPER${h.slice(0, 13).toUpperCase()}`,
        secret: h.slice(13, 49),
        wallet: opts.startingBalance,
        positions: new Map(),
        open: new Map(),
        history: [],
        linkIds: new Map(),
        executions: [],
      };
    });
    for (const a of this.accounts) this.byKey.set(a.apiKey, a);
    seedAccounts(this.accounts, this.universe, rng, { ...opts, now: start, nextOrderId: () => this.nextOrderId() });
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
        if (this.sigmaPerStep > 0)
          this.setMark(m, m.mark * Math.exp(this.sigmaPerStep * this.walk.normal()), this.lastStepAt);
      }
      this.matchAll(this.lastStepAt);
    }
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
    return placeOrder(acc, req, this.view());
  }

  cancelOrder(acc: PaperAccount, symbol: string, ids: { orderId?: string; orderLinkId?: string }): PaperOrder {
    this.sync();
    return cancelOrder(acc, symbol, ids, this.now());
  }

  setTradingStop(acc: PaperAccount, symbol: string, levels: { takeProfit?: number; stopLoss?: number }): void {
    this.sync();
    const inst = this.instrument(symbol);
    if (!inst) throw new BybitError(10001, 'Not supported symbols');
    setTradingStop(acc, symbol, levels, this.mark(symbol), inst, this.now());
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

  private setMark(m: { mark: number; high: number; low: number; updatedAt: number }, price: number, at: number): void {
    m.mark = price;
    m.high = Math.max(m.high, price);
    m.low = Math.min(m.low, price);
    m.updatedAt = at;
  }

  /** Limit fills first (they may open or grow the position), then TP/SL on the resulting position. */
  private matchAll(at: number): void {
    for (const acc of this.accounts) {
      for (const o of [...acc.open.values()]) {
        if (o.orderType !== 'Limit' || o.price === null) continue;
        const mark = this.mark(o.symbol);
        if (o.side === 'Buy' ? mark > o.price : mark < o.price) continue;
        if (o.reduceOnly) {
          const pos = acc.positions.get(o.symbol);
          if (!pos || pos.side === o.side) continue;
          o.qty = Math.min(o.qty, pos.size);
        }
        applyFill(acc, o, { price: o.price, qty: o.qty - o.cumExecQty, at, isMaker: true, mark }, this.opts.leverage);
        finalise(acc, o);
      }
      for (const pos of [...acc.positions.values()]) {
        const mark = this.mark(pos.symbol);
        const long = pos.side === 'Buy';
        const tpHit = pos.takeProfit !== null && (long ? mark >= pos.takeProfit : mark <= pos.takeProfit);
        const slHit = pos.stopLoss !== null && (long ? mark <= pos.stopLoss : mark >= pos.stopLoss);
        // Without an SL, past the liquidation price the exchange takes the position over, as Bybit does
        // (createType CreateByLiq, execType BustTrade). With one, the SL closes it: Bybit refuses an SL
        // beyond the liquidation price, and the seed's wide SLs sit beyond this estimate.
        const liq = liquidationPrice(pos);
        const liquidated = pos.stopLoss === null && (long ? mark <= liq : mark >= liq);
        if (!tpHit && !slHit && !liquidated) continue;
        const kind = liquidated ? '' : slHit ? 'StopLoss' : 'TakeProfit';
        const close: PaperOrder = {
          orderId: this.nextOrderId(),
          orderLinkId: '',
          symbol: pos.symbol,
          side: opposite(pos.side),
          orderType: 'Market',
          price: null,
          qty: pos.size,
          cumExecQty: 0,
          cumExecValue: 0,
          cumExecFee: 0,
          avgPrice: null,
          orderStatus: 'New',
          reduceOnly: true,
          takeProfit: null,
          stopLoss: null,
          timeInForce: 'IOC',
          stopOrderType: kind,
          createType: liquidated ? 'CreateByLiq' : kind === 'StopLoss' ? 'CreateByStopLoss' : 'CreateByTakeProfit',
          ...(liquidated ? {} : { triggerPrice: (slHit ? pos.stopLoss : pos.takeProfit) as number }),
          createdTime: at,
          updatedTime: at,
        };
        acc.open.set(close.orderId, close);
        fillAtMarket(acc, close, { ...this.view(), now: at }, mark);
      }
    }
  }
}
