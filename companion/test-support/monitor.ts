import type { Account, BusEvent, Order, Position, Ticker } from '@tierwatch/shared';
import { EventBus } from '../src/core/bus.ts';
import { type Clock, flushMicrotasks, ManualClock } from '../src/core/clock.ts';
import { toPositions } from '../src/exchange/normalize.ts';
import type { AccountClient, CallOptions, CloseCause, Instrument, MarketData } from '../src/exchange/types.ts';
import type { MonitorConfigInput } from '../src/monitor/config.ts';
import { Monitor, type MonitorOptions } from '../src/monitor/monitor.ts';

/**
 * In-memory exchange for the monitor's tests: counts every call by endpoint and account, answers after
 * `latencyMs` of the injected clock, closes a position when its mark reaches its SL or TP (as the real
 * exchange would), and fails an account's calls on demand.
 */

export interface FakeCall {
  at: number;
  endpoint: 'tickers' | 'positions' | 'orders' | 'setTradingStop' | 'closePosition' | 'closeCauses';
  account: string;
  lane: string;
  symbols?: readonly string[] | null;
}

export class FakeExchange {
  readonly prices = new Map<string, number>();
  readonly positions = new Map<string, Position[]>();
  readonly orders = new Map<string, Order[]>();
  readonly calls: FakeCall[] = [];
  readonly failing = new Set<string>();
  /** Close positions whose mark reaches SL/TP on the next read, like the exchange's own triggers. */
  autoTrigger = true;
  /** When set, ticker calls take this long instead of `latencyMs` (a hung or slow price endpoint). */
  tickerLatencyMs: number | null = null;
  /** When set, the ticker call with this (0-based) index takes `tickerLatencyMs` of its own, e.g. every third held. */
  tickerHeld: ((index: number) => number | null) | null = null;
  private tickerCalls = 0;
  /**
   * Per account: rewrites the position/list rows (Bybit's raw shape, string numbers) before they go through
   * the real normaliser, as the adapter does: a malformed row, a missing row, an empty page.
   */
  readonly tamper = new Map<string, (rows: BybitRow[]) => BybitRow[]>();
  /** Symbols the market data has no instrument for (missing from the list, or their rules refused). */
  readonly unknownInstruments = new Set<string>();
  private readonly rawPositions = new Map<string, Position[]>();
  /** Per account: the closes its order history explains (triggers and our closes record themselves). */
  readonly history = new Map<string, CloseCause[]>();
  /** false: the account's order history cannot be read (the close-cause call fails). */
  historyReadable = true;

  constructor(
    private readonly clock: Clock,
    public latencyMs = 0,
  ) {}

  setPrice(symbol: string, price: number): void {
    this.prices.set(symbol, price);
  }

  add(p: Position): void {
    if (!this.prices.has(p.symbol)) this.prices.set(p.symbol, p.markPrice);
    const list = this.rawPositions.get(p.account) ?? [];
    list.push(p);
    this.rawPositions.set(p.account, list);
  }

  /** Removes the position; with a cause, its order history explains the close (else it explains nothing). */
  remove(account: string, symbol: string, cause?: Omit<CloseCause, 'symbol' | 'side' | 'at'>): void {
    const p = (this.rawPositions.get(account) ?? []).find((x) => x.symbol === symbol);
    if (p && cause) this.recordClose(account, { ...cause, symbol, side: p.side, at: this.clock.now() });
    this.rawPositions.set(
      account,
      (this.rawPositions.get(account) ?? []).filter((p) => p.symbol !== symbol),
    );
  }

  update(account: string, symbol: string, patch: Partial<Position>): void {
    this.rawPositions.set(
      account,
      (this.rawPositions.get(account) ?? []).map((p) => (p.symbol === symbol ? { ...p, ...patch } : p)),
    );
  }

  count(endpoint: FakeCall['endpoint'], account?: string): number {
    return this.calls.filter((c) => c.endpoint === endpoint && (account === undefined || c.account === account)).length;
  }

  private async call<T>(
    endpoint: FakeCall['endpoint'],
    account: string,
    opts: CallOptions,
    fn: () => T,
    symbols?: readonly string[] | null,
  ): Promise<T> {
    this.calls.push({ at: this.clock.now(), endpoint, account, lane: opts.lane, symbols });
    const held = endpoint === 'tickers' ? (this.tickerHeld?.(this.tickerCalls++) ?? null) : null;
    const latency =
      held ?? (endpoint === 'tickers' && this.tickerLatencyMs !== null ? this.tickerLatencyMs : this.latencyMs);
    if (latency > 0) await this.clock.sleep(latency);
    if (this.failing.has(account)) throw new Error(`${account}: exchange unavailable`);
    return fn();
  }

  private livePositions(account: string): Position[] {
    const out: Position[] = [];
    for (const p of this.rawPositions.get(account) ?? []) {
      const mark = this.prices.get(p.symbol) ?? p.markPrice;
      const long = p.side === 'long';
      const hit =
        (p.stopLoss !== null && (long ? mark <= p.stopLoss : mark >= p.stopLoss)) ||
        (p.takeProfit !== null && (long ? mark >= p.takeProfit : mark <= p.takeProfit));
      if (hit && this.autoTrigger) {
        const sl = p.stopLoss !== null && (long ? mark <= p.stopLoss : mark >= p.stopLoss);
        const level = (sl ? p.stopLoss : p.takeProfit) as number;
        this.recordClose(account, {
          symbol: p.symbol,
          side: p.side,
          reason: sl ? 'sl' : 'tp',
          price: mark,
          level,
          clientOrderId: null,
          at: this.clock.now(),
        });
        continue;
      }
      out.push({ ...p, markPrice: mark });
    }
    this.rawPositions.set(
      account,
      (this.rawPositions.get(account) ?? []).filter((p) => out.some((o) => o.symbol === p.symbol && o.side === p.side)),
    );
    return out;
  }

  private recordClose(account: string, cause: CloseCause): void {
    this.history.set(account, [...(this.history.get(account) ?? []), cause]);
  }

  market(): MarketData {
    return {
      fetchTickers: (symbols, opts) =>
        this.call(
          'tickers',
          'public',
          opts,
          (): Ticker[] =>
            [...this.prices]
              .filter(([s]) => symbols === null || symbols.includes(s))
              .map(([symbol, markPrice]) => ({ symbol, markPrice, lastPrice: markPrice, at: this.clock.now() })),
          symbols,
        ),
      instrument: (symbol): Instrument | undefined =>
        this.unknownInstruments.has(symbol)
          ? undefined
          : {
              symbol,
              tickSize: 0.01,
              qtyStep: 0.001,
              minQty: 0.001,
              maxQty: 1e6,
              minNotional: 5,
            },
      symbols: () => [...this.prices.keys()].filter((s) => !this.unknownInstruments.has(s)),
    };
  }

  client(account: Account): AccountClient {
    const name = account.name;
    const no = () => Promise.reject(new Error('not used by the monitor'));
    return {
      account,
      fetchPositions: (opts) =>
        this.call('positions', name, opts, () => {
          const live = this.livePositions(name);
          const tamper = this.tamper.get(name);
          return tamper ? toPositions(name, tamper(live.map(bybitRow))) : live;
        }),
      fetchOpenOrders: (opts) => this.call('orders', name, opts, () => this.orders.get(name) ?? []),
      fetchBalances: no,
      placeOrder: no,
      findOrder: no,
      cancelOrder: no,
      setTradingStop: (symbol, _side, levels, opts) =>
        this.call('setTradingStop', name, opts, () => {
          if (levels.stopLoss !== undefined) this.update(name, symbol, { stopLoss: levels.stopLoss });
        }),
      fetchCloseCauses: (symbols, since, opts) =>
        this.call('closeCauses', name, opts, () => {
          if (!this.historyReadable) throw new Error(`${name}: order history unavailable`);
          const newest = new Map<string, CloseCause>();
          for (const c of this.history.get(name) ?? [])
            if (symbols.includes(c.symbol) && c.at >= since) newest.set(`${c.symbol}|${c.side}`, c);
          return [...newest.values()];
        }),
      closePosition: (symbol, _side, clientOrderId, opts) =>
        this.call('closePosition', name, opts, () => {
          this.remove(name, symbol, { reason: 'action', price: null, level: null, clientOrderId });
          return { orderId: 'o1', clientOrderId, status: 'filled' as const, qty: 1, filledQty: 1, avgPrice: null };
        }),
    };
  }
}

export type BybitRow = Record<string, unknown>;

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

export const account = (name: string, o: Partial<Account> = {}): Account => ({
  name,
  role: 'main',
  mirrorOf: null,
  mirrorRatio: 1,
  exchange: 'bybit',
  mode: 'paper',
  ...o,
});

export const NOW0 = 1_700_000_000_000;

export const position = (o: Partial<Position> & Pick<Position, 'account' | 'symbol'>): Position => ({
  side: 'long',
  size: 1,
  entryPrice: 100,
  markPrice: 100,
  takeProfit: 120,
  stopLoss: 80,
  liquidationPrice: null,
  unrealisedPnl: 0,
  leverage: 10,
  positionValue: 100,
  lastActivityAt: NOW0 - 3_600_000,
  ...o,
});

/** Levels that make a fresh long at mark 100 land in `tier` (no entry orders needed except BUILDING). */
export const TIER_SHAPES = {
  CRITICAL: { stopLoss: 99.5 },
  URGENT: { stopLoss: 98 },
  ACTIVE: { lastActivityAt: NOW0 - 60_000 },
  STABLE: { lastActivityAt: NOW0 - 15 * 60_000 },
  DORMANT: { lastActivityAt: NOW0 - 60 * 60_000 },
} as const;

export const entryOrder = (account: string, symbol: string): Order => ({
  account,
  id: `o-${symbol}`,
  clientOrderId: null,
  symbol,
  side: 'buy',
  type: 'limit',
  price: 95,
  qty: 1,
  filledQty: 0,
  reduceOnly: false,
  status: 'open',
  takeProfit: null,
  stopLoss: null,
  createdAt: NOW0,
});

export function recordBus(): {
  bus: EventBus;
  events: BusEvent[];
  of: <T extends BusEvent['type']>(t: T) => Extract<BusEvent, { type: T }>[];
} {
  const bus = new EventBus();
  const events: BusEvent[] = [];
  bus.subscribe((e) => events.push(e));
  return { bus, events, of: (t) => events.filter((e) => e.type === t) as never };
}

/** Advance a manual clock in small steps so every tick, read and wake-up runs at its own time. */
export async function run(clock: ManualClock, ms: number, step = 10): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    await clock.advance(Math.min(step, ms - t));
    await flushMicrotasks(50);
  }
}

const started: Monitor[] = [];

/**
 * A manual clock, the fake exchange and a recording bus; `make` builds a monitor on them. Every monitor made
 * is stopped by `stopMonitors()` (the suites' afterEach).
 */
export function monitorRig(accounts: readonly Account[], config: MonitorConfigInput = {}, latencyMs = 0) {
  const clock = new ManualClock(NOW0);
  const ex = new FakeExchange(clock, latencyMs);
  const rec = recordBus();
  const make = (extra: Partial<MonitorOptions> = {}) => {
    const m = new Monitor({
      clients: accounts.map((a) => ex.client(a)),
      market: ex.market(),
      bus: rec.bus,
      clock,
      config,
      ...extra,
    });
    started.push(m);
    return m;
  };
  return { clock, ex, ...rec, make };
}

export async function stopMonitors(): Promise<void> {
  await Promise.all(started.splice(0).map((m) => m.stop()));
}
