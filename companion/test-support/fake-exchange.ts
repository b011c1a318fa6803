import type { Account, Order, Position, PositionSide, Ticker } from '@tierwatch/shared';
import { type Clock, ManualClock } from '../src/core/clock.ts';
import type { CallOptions, CloseCause, Instrument, MarketData } from '../src/exchange/types.ts';
import {
  type BybitRow,
  FakeAccount,
  type FakeCall,
  type FakeEndpoint,
  type FakeVenue,
  waitOrAbort,
} from './fake-account.ts';

/**
 * The one in-memory exchange of the companion's unit tests, behind the exchange layer's own interfaces:
 * `market()` is its MarketData, `client(account)` an account's AccountClient. It logs every call (endpoint,
 * account, lane, time of the injected clock), answers after `latencyMs`, closes a position when its mark
 * reaches its SL or TP as the exchange's triggers would, refuses a duplicate client order id as Bybit does
 * (110072), and fails or holds calls on demand. Stored positions are never changed in place (a change stores
 * a new object), so what a read returned stays as it was read.
 */

export interface FakeExchangeOptions {
  clock?: Clock;
  latencyMs?: number;
  /** Instruments with rules of their own; any other symbol with a price is listed with `DEFAULT_RULES`. */
  instruments?: readonly Instrument[];
  /** Marks to start with, by symbol. */
  prices?: Record<string, number>;
}

/** Bybit's rules for the two symbols the execution and HTTP suites trade. */
export const BTC: Instrument = {
  symbol: 'BTCUSDT',
  tickSize: 0.1,
  qtyStep: 0.001,
  minQty: 0.001,
  maxQty: 100,
  minNotional: 5,
};
export const ETH: Instrument = {
  symbol: 'ETHUSDT',
  tickSize: 0.01,
  qtyStep: 0.01,
  minQty: 0.01,
  maxQty: 1000,
  minNotional: 5,
};

/** A main account on the paper exchange (mirror fields as options). */
export const paperAccount = (name: string, o: Partial<Account> = {}): Account => ({
  name,
  role: 'main',
  mirrorOf: null,
  mirrorRatio: 1,
  exchange: 'bybit',
  mode: 'paper',
  ...o,
});

const DEFAULT_RULES: Omit<Instrument, 'symbol'> = {
  tickSize: 0.01,
  qtyStep: 0.001,
  minQty: 0.001,
  maxQty: 1e6,
  minNotional: 5,
};

export class FakeExchange implements FakeVenue {
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
