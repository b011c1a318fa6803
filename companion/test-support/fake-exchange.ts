import type { Account, Balance, Order, Position, PositionSide, Ticker } from '@tierwatch/shared';
import { type Clock, ManualClock } from '../src/core/clock.ts';
import { ExchangeCallError } from '../src/exchange/errors.ts';
import { toPositions } from '../src/exchange/normalize.ts';
import type {
  AccountClient,
  CallOptions,
  CloseCause,
  FoundOrder,
  Instrument,
  MarketData,
  PlacedOrder,
  PlaceOrderRequest,
  TradingStopLevels,
} from '../src/exchange/types.ts';

/**
 * The one in-memory exchange of the companion's unit tests, behind the exchange layer's own interfaces:
 * `market()` is its MarketData, `client(account)` an account's AccountClient. It logs every call (endpoint,
 * account, lane, time of the injected clock), answers after `latencyMs`, closes a position when its mark
 * reaches its SL or TP as the exchange's triggers would, refuses a duplicate client order id as Bybit does
 * (110072), and fails or holds calls on demand. Stored positions are never changed in place (a change stores
 * a new object), so what a read returned stays as it was read.
 */

export type FakeEndpoint =
  | 'tickers'
  | 'positions'
  | 'orders'
  | 'balances'
  | 'placeOrder'
  | 'findOrder'
  | 'cancelOrder'
  | 'cancelAllOrders'
  | 'setTradingStop'
  | 'feeRate'
  | 'closePosition'
  | 'closeCauses';

export interface FakeCall {
  at: number;
  endpoint: FakeEndpoint;
  /** The account's name; 'public' for market data. */
  account: string;
  lane: string;
  symbols?: readonly string[] | null;
}

export type BybitRow = Record<string, unknown>;

export interface FakeExchangeOptions {
  clock?: Clock;
  latencyMs?: number;
  /** Instruments with rules of their own; any other symbol with a price is listed with `DEFAULT_RULES`. */
  instruments?: readonly Instrument[];
  /** Marks to start with, by symbol. */
  prices?: Record<string, number>;
}

const DEFAULT_RULES: Omit<Instrument, 'symbol'> = {
  tickSize: 0.01,
  qtyStep: 0.001,
  minQty: 0.001,
  maxQty: 1e6,
  minNotional: 5,
};

export class FakeExchange {
  readonly clock: Clock;
  latencyMs: number;
  /** The mark of every symbol the exchange quotes; `setPrice` also moves held positions' marks. */
  readonly prices = new Map<string, number>();
  readonly calls: FakeCall[] = [];
  /** Accounts whose every call fails as an unreachable exchange's would. */
  readonly failing = new Set<string>();
  /** Close positions whose mark reaches SL/TP on the next read, like the exchange's own triggers. */
  autoTrigger = true;
  /** When set, ticker calls take this long instead of `latencyMs` (a hung or slow price endpoint). */
  tickerLatencyMs: number | null = null;
  /** When set, the ticker call with this (0-based) index takes `tickerLatencyMs` of its own, e.g. every third held. */
  tickerHeld: ((index: number) => number | null) | null = null;
  /**
   * Per account: rewrites the position/list rows (Bybit's raw shape, string numbers) before they go through
   * the real normaliser, as the adapter does: a malformed row, a missing row, an empty page.
   */
  readonly tamper = new Map<string, (rows: BybitRow[]) => BybitRow[]>();
  /** Symbols the market data has no instrument for (missing from the list, or their rules refused). */
  readonly unknownInstruments = new Set<string>();
  /** Per account: its open orders (what fetchOpenOrders answers). */
  readonly orders = new Map<string, Order[]>();
  /** Per account: the closes its order history explains (triggers and our closes record themselves). */
  readonly history = new Map<string, CloseCause[]>();
  /** false: the account's order history cannot be read (the close-cause call fails). */
  historyReadable = true;
  /** Per account: its open positions, as stored (reads apply triggers first). */
  readonly held = new Map<string, Position[]>();
  private readonly rules: Map<string, Instrument>;
  private readonly clients = new Map<string, FakeAccount>();
  private readonly marketData: FakeMarket;
  private tickerCalls = 0;

  constructor(opts: FakeExchangeOptions = {}) {
    this.clock = opts.clock ?? new ManualClock(0);
    this.latencyMs = opts.latencyMs ?? 0;
    this.rules = new Map((opts.instruments ?? []).map((i) => [i.symbol, i]));
    for (const [symbol, price] of Object.entries(opts.prices ?? {})) this.prices.set(symbol, price);
    this.marketData = new FakeMarket(this);
  }

  market(): FakeMarket {
    return this.marketData;
  }

  /** The account's client, the same one for every call with that account's name. */
  client(account: Account): FakeAccount {
    let c = this.clients.get(account.name);
    if (!c) {
      c = new FakeAccount(this, account);
      this.clients.set(account.name, c);
    }
    return c;
  }

  /** Moves the symbol's mark, and with it the mark of every position held on it. */
  setPrice(symbol: string, price: number): void {
    this.prices.set(symbol, price);
    for (const [account, list] of this.held)
      this.held.set(
        account,
        list.map((p) => (p.symbol === symbol ? { ...p, markPrice: price } : p)),
      );
  }

  /** Opens a position; it takes the symbol's mark, or gives the symbol its own when none is quoted yet. */
  add(p: Position): void {
    const mark = this.prices.get(p.symbol);
    if (mark === undefined) this.prices.set(p.symbol, p.markPrice);
    this.held.set(p.account, [...(this.held.get(p.account) ?? []), mark === undefined ? p : { ...p, markPrice: mark }]);
  }

  /** Removes the position; with a cause, its order history explains the close (else it explains nothing). */
  remove(account: string, symbol: string, cause?: Omit<CloseCause, 'symbol' | 'side' | 'at'>): void {
    const list = this.held.get(account) ?? [];
    const p = list.find((x) => x.symbol === symbol);
    if (p && cause) this.recordClose(account, { ...cause, symbol, side: p.side, at: this.clock.now() });
    this.held.set(
      account,
      list.filter((x) => x.symbol !== symbol),
    );
  }

  update(account: string, symbol: string, patch: Partial<Position>, side?: PositionSide): void {
    this.held.set(
      account,
      (this.held.get(account) ?? []).map((p) =>
        p.symbol === symbol && (side === undefined || p.side === side) ? { ...p, ...patch } : p,
      ),
    );
  }

  count(endpoint: FakeEndpoint, account?: string): number {
    return this.calls.filter((c) => c.endpoint === endpoint && (account === undefined || c.account === account)).length;
  }

  instrument(symbol: string): Instrument | undefined {
    if (this.unknownInstruments.has(symbol)) return undefined;
    const own = this.rules.get(symbol);
    if (own) return own;
    return this.prices.has(symbol) ? { symbol, ...DEFAULT_RULES } : undefined;
  }

  symbols(): string[] {
    const listed = new Set([...this.rules.keys(), ...this.prices.keys()]);
    return [...listed].filter((s) => !this.unknownInstruments.has(s));
  }

  /** Logs the call, waits out the latency (and `hold`), then fails it or answers with `fn()`. */
  async call<T>(
    endpoint: FakeEndpoint,
    account: string,
    opts: CallOptions | undefined,
    fn: () => T,
    hold?: { gate: Promise<void> | null; failure: Error | null },
    symbols?: readonly string[] | null,
  ): Promise<T> {
    this.calls.push({ at: this.clock.now(), endpoint, account, lane: opts?.lane ?? 'api', symbols });
    const latency = endpoint === 'tickers' ? this.tickerLatency() : this.latencyMs;
    if (latency > 0) await this.clock.sleep(latency);
    if (hold?.gate) await waitOrAbort(hold.gate, opts?.signal);
    if (hold?.failure) throw hold.failure;
    if (this.failing.has(account)) throw new Error(`${account}: exchange unavailable`);
    return fn();
  }

  private tickerLatency(): number {
    const held = this.tickerHeld?.(this.tickerCalls++) ?? null;
    return held ?? this.tickerLatencyMs ?? this.latencyMs;
  }

  /** The account's positions as a read sees them: any whose mark reached SL or TP closes first. */
  livePositions(account: string): Position[] {
    const open: Position[] = [];
    for (const p of this.held.get(account) ?? []) {
      const trigger = this.autoTrigger ? triggered(p) : null;
      if (trigger === null) {
        open.push(p);
        continue;
      }
      this.recordClose(account, {
        symbol: p.symbol,
        side: p.side,
        reason: trigger,
        price: p.markPrice,
        level: (trigger === 'sl' ? p.stopLoss : p.takeProfit) as number,
        clientOrderId: null,
        at: this.clock.now(),
      });
    }
    this.held.set(account, open);
    return [...open];
  }

  recordClose(account: string, cause: CloseCause): void {
    this.history.set(account, [...(this.history.get(account) ?? []), cause]);
  }
}

function triggered(p: Position): 'sl' | 'tp' | null {
  const long = p.side === 'long';
  const mark = p.markPrice;
  if (p.stopLoss !== null && (long ? mark <= p.stopLoss : mark >= p.stopLoss)) return 'sl';
  if (p.takeProfit !== null && (long ? mark >= p.takeProfit : mark <= p.takeProfit)) return 'tp';
  return null;
}

/** Never resolves before `p`; rejects when the call's signal aborts (the caller closing). */
const waitOrAbort = (p: Promise<unknown>, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    p.then(() => resolve(), reject);
  });

export class FakeMarket implements MarketData {
  /** The error every ticker call throws (null: none). */
  failure: Error | null = null;

  constructor(private readonly exchange: FakeExchange) {}

  /** Ticker calls so far. */
  get calls(): number {
    return this.exchange.count('tickers');
  }

  fetchTickers(symbols: readonly string[] | null, opts?: CallOptions): Promise<Ticker[]> {
    const ex = this.exchange;
    const answer = (): Ticker[] =>
      [...ex.prices]
        .filter(([s]) => symbols === null || symbols.includes(s))
        .map(([symbol, markPrice]) => ({ symbol, markPrice, lastPrice: markPrice, at: ex.clock.now() }));
    return ex.call('tickers', 'public', opts, answer, { gate: null, failure: this.failure }, symbols);
  }

  instrument(symbol: string): Instrument | undefined {
    return this.exchange.instrument(symbol);
  }

  symbols(): string[] {
    return this.exchange.symbols();
  }
}

type PlaceFault = 'reject' | 'timeout-after-place' | 'timeout-before-place' | 'hang';
type StopFault = 'timeout-after-apply' | 'timeout-before-apply' | 'hang';

/** One account on the fake exchange. */
export class FakeAccount implements AccountClient {
  /** Orders placed, by client order id, with the terms each was placed with (a test may plant one). */
  readonly placed = new Map<string, FoundOrder>();
  balance = { total: 1_000_000, free: 1_000_000, used: 0 };
  feeRate = { taker: 0.00055, maker: 0.0002 };
  /** Credentials as a real client holds them (a test proves they never reach a response or a log). */
  credentials: { apiKey: string; secret: string } | null = null;
  /** The error every call of this account throws (null: none). */
  failure: Error | null = null;
  /** While set, every call of this account waits for it. */
  gate: Promise<void> | null = null;
  /** While set, placeOrder waits for it before doing anything. */
  placeGate: Promise<void> | null = null;
  /** Called as placeOrder starts (before its gate). */
  onPlace: (() => void) | null = null;
  placeFault: PlaceFault | null = null;
  /** While set, a trading-stop call fails before or after applying its levels, or hangs. */
  stopFault: StopFault | null = null;
  /** This many findOrder calls fail before one answers. */
  findFails = 0;
  /** Every trading-stop call's levels, as sent; the cancel-all calls by symbol. */
  readonly stopCalls: TradingStopLevels[] = [];
  readonly cancelAllCalls: string[] = [];
  private seq = 0;

  constructor(
    private readonly exchange: FakeExchange,
    readonly account: Account,
  ) {}

  private get name(): string {
    return this.account.name;
  }

  /** This account's calls so far, by endpoint. */
  get calls(): Record<FakeEndpoint, number> {
    const counts = {} as Record<FakeEndpoint, number>;
    for (const c of this.exchange.calls)
      if (c.account === this.name) counts[c.endpoint] = (counts[c.endpoint] ?? 0) + 1;
    return new Proxy(counts, { get: (t, k: FakeEndpoint) => t[k] ?? 0 });
  }

  get positions(): Position[] {
    return this.exchange.held.get(this.name) ?? [];
  }

  set positions(list: Position[]) {
    this.exchange.held.set(this.name, list);
  }

  get openOrders(): Order[] {
    return this.exchange.orders.get(this.name) ?? [];
  }

  set openOrders(list: Order[]) {
    this.exchange.orders.set(this.name, list);
  }

  private call<T>(endpoint: FakeEndpoint, opts: CallOptions | undefined, fn: () => T): Promise<T> {
    return this.exchange.call(endpoint, this.name, opts, fn, this);
  }

  private lost(): ExchangeCallError {
    return new ExchangeCallError(
      'retry',
      'EXCHANGE_UNAVAILABLE',
      `${this.name}: timed out`,
      this.name,
      null,
      'RequestTimeout',
    );
  }

  fetchPositions(opts?: CallOptions): Promise<Position[]> {
    return this.call('positions', opts, () => {
      const live = this.exchange.livePositions(this.name);
      const tamper = this.exchange.tamper.get(this.name);
      return tamper ? toPositions(this.name, tamper(live.map(bybitRow))) : live;
    });
  }

  fetchOpenOrders(opts?: CallOptions): Promise<Order[]> {
    return this.call('orders', opts, () => [...this.openOrders]);
  }

  fetchBalances(opts?: CallOptions): Promise<Balance[]> {
    return this.call('balances', opts, () => [{ account: this.name, currency: 'USDT', ...this.balance }]);
  }

  fetchFeeRate(_symbol: string, opts?: CallOptions) {
    return this.call('feeRate', opts, () => this.feeRate);
  }

  async placeOrder(req: PlaceOrderRequest, opts?: CallOptions): Promise<PlacedOrder> {
    this.onPlace?.();
    return this.call('placeOrder', opts, async () => {
      if (this.placeGate) await waitOrAbort(this.placeGate, opts?.signal);
      return this.place(req, opts);
    });
  }

  private async place(req: PlaceOrderRequest, opts?: CallOptions): Promise<PlacedOrder> {
    const name = this.name;
    if (this.placeFault === 'hang') await waitOrAbort(new Promise(() => {}), opts?.signal);
    if (this.placeFault === 'reject')
      throw new ExchangeCallError(
        'reject',
        'INSUFFICIENT_BALANCE',
        `${name}: ab not enough`,
        name,
        null,
        'InsufficientFunds',
      );
    if (this.placeFault === 'timeout-before-place') throw this.lost();
    if (this.placed.has(req.clientOrderId))
      throw new ExchangeCallError(
        'reject',
        'INVALID_ORDER',
        `${name}: OrderLinkedID is duplicate`,
        name,
        null,
        'DuplicateOrderId',
      );
    const order: FoundOrder = {
      orderId: `${name}-${++this.seq}`,
      clientOrderId: req.clientOrderId,
      status: 'filled',
      qty: req.qty,
      filledQty: req.qty,
      avgPrice: 50_000,
      symbol: req.symbol,
      side: req.side === 'long' ? 'buy' : 'sell',
      type: req.type,
      price: req.price,
      reduceOnly: req.reduceOnly,
      takeProfit: req.takeProfit,
      stopLoss: req.stopLoss,
    };
    this.placed.set(req.clientOrderId, order);
    if (this.placeFault === 'timeout-after-place') throw this.lost();
    return {
      orderId: order.orderId,
      clientOrderId: req.clientOrderId,
      qty: req.qty,
      status: 'open',
      filledQty: 0,
      avgPrice: null,
    };
  }

  findOrder(clientOrderId: string, _symbol?: string, opts?: CallOptions): Promise<FoundOrder | null> {
    return this.call('findOrder', opts, () => {
      if (this.findFails > 0) {
        this.findFails--;
        throw new ExchangeCallError('retry', 'EXCHANGE_UNAVAILABLE', 'down', this.name);
      }
      return this.placed.get(clientOrderId) ?? null;
    });
  }

  cancelOrder(orderId: string, _symbol?: string, opts?: CallOptions): Promise<void> {
    return this.call('cancelOrder', opts, () => {
      this.openOrders = this.openOrders.filter((o) => o.id !== orderId);
    });
  }

  cancelAllOrders(symbol: string, opts?: CallOptions): Promise<void> {
    this.cancelAllCalls.push(symbol);
    return this.call('cancelAllOrders', opts, () => {
      this.openOrders = this.openOrders.filter((o) => o.symbol !== symbol);
    });
  }

  async setTradingStop(symbol: string, side: PositionSide, levels: TradingStopLevels, opts?: CallOptions) {
    this.stopCalls.push(levels);
    return this.call('setTradingStop', opts, async () => {
      if (this.stopFault === 'hang') await waitOrAbort(new Promise(() => {}), opts?.signal);
      if (this.stopFault === 'timeout-before-apply') throw this.lost();
      const p = this.positions.find((x) => x.symbol === symbol && x.side === side);
      if (!p)
        throw new ExchangeCallError(
          'reject',
          'BAD_REQUEST',
          `${this.name}: can not set tp/sl/ts for zero position`,
          this.name,
        );
      const patch: Partial<Position> = {};
      if (levels.takeProfit !== undefined) patch.takeProfit = levels.takeProfit;
      if (levels.stopLoss !== undefined) patch.stopLoss = levels.stopLoss;
      this.exchange.update(this.name, symbol, patch, side);
      if (this.stopFault === 'timeout-after-apply') throw this.lost();
    });
  }

  closePosition(symbol: string, _side: PositionSide, clientOrderId: string, opts?: CallOptions): Promise<PlacedOrder> {
    return this.call('closePosition', opts, () => {
      this.exchange.remove(this.name, symbol, { reason: 'action', price: null, level: null, clientOrderId });
      return { orderId: 'o1', clientOrderId, status: 'filled' as const, qty: 1, filledQty: 1, avgPrice: null };
    });
  }

  fetchCloseCauses(symbols: readonly string[], since: number, opts?: CallOptions): Promise<CloseCause[]> {
    return this.call('closeCauses', opts, () => {
      if (!this.exchange.historyReadable) throw new Error(`${this.name}: order history unavailable`);
      const newest = new Map<string, CloseCause>();
      for (const c of this.exchange.history.get(this.name) ?? [])
        if (symbols.includes(c.symbol) && c.at >= since) newest.set(`${c.symbol}|${c.side}`, c);
      return [...newest.values()];
    });
  }
}

/** A position as one row of Bybit's /v5/position/list (one-way mode). */
export const bybitRow = (p: Position): BybitRow => ({
  symbol: p.symbol,
  side: p.side === 'long' ? 'Buy' : 'Sell',
  size: String(p.size),
  positionIdx: 0,
  avgPrice: String(p.entryPrice),
  markPrice: String(p.markPrice),
  takeProfit: String(p.takeProfit ?? 0),
  stopLoss: String(p.stopLoss ?? 0),
  liqPrice: String(p.liquidationPrice ?? ''),
  unrealisedPnl: String(p.unrealisedPnl),
  leverage: String(p.leverage ?? ''),
  positionValue: p.positionValue === null ? '' : String(p.positionValue),
  updatedTime: p.lastActivityAt === null ? '' : String(p.lastActivityAt),
});
