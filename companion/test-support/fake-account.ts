import type { Account, Balance, Order, Position, PositionSide } from '@tierwatch/shared';
import { ExchangeCallError } from '../src/exchange/errors.ts';
import { toPositions } from '../src/exchange/normalize.ts';
import type {
  AccountClient,
  CallOptions,
  CloseCause,
  FoundOrder,
  PlacedOrder,
  PlaceOrderRequest,
  TradingStopLevels,
} from '../src/exchange/types.ts';

const ENDPOINTS = [
  'tickers',
  'positions',
  'orders',
  'balances',
  'placeOrder',
  'findOrder',
  'cancelOrder',
  'cancelAllOrders',
  'setTradingStop',
  'feeRate',
  'closePosition',
  'closeCauses',
] as const;
export type FakeEndpoint = (typeof ENDPOINTS)[number];

export interface FakeCall {
  at: number;
  endpoint: FakeEndpoint;
  /** The account's name; 'public' for market data. */
  account: string;
  lane: string;
  symbols?: readonly string[] | null;
}

export type BybitRow = Record<string, unknown>;

/** What an account's calls need of the exchange it is on (FakeExchange). */
export interface FakeVenue {
  readonly calls: readonly FakeCall[];
  readonly held: Map<string, Position[]>;
  readonly orders: Map<string, Order[]>;
  readonly tamper: Map<string, (rows: BybitRow[]) => BybitRow[]>;
  readonly history: Map<string, CloseCause[]>;
  readonly historyReadable: boolean;
  call<T>(
    endpoint: FakeEndpoint,
    account: string,
    opts: CallOptions | undefined,
    fn: () => T,
    hold?: { gate: Promise<void> | null; failure: Error | null },
  ): Promise<T>;
  livePositions(account: string): Position[];
  update(account: string, symbol: string, patch: Partial<Position>, side?: PositionSide): void;
  remove(account: string, symbol: string, cause?: Omit<CloseCause, 'symbol' | 'side' | 'at'>): void;
}

/** Never resolves before `p`; rejects when the call's signal aborts (the caller closing). */
export const waitOrAbort = (p: Promise<unknown>, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    p.then(() => resolve(), reject);
  });

type PlaceFault = 'reject' | 'timeout-after-place' | 'timeout-before-place' | 'hang';
type StopFault = 'timeout-after-apply' | 'timeout-before-apply' | 'hang';

/** One account on the fake exchange (fake-exchange.ts): its calls, its orders, the faults a test sets. */
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
    private readonly exchange: FakeVenue,
    readonly account: Account,
  ) {}

  private get name(): string {
    return this.account.name;
  }

  /** This account's calls so far, by endpoint. */
  get calls(): Record<FakeEndpoint, number> {
    const counts = Object.fromEntries(ENDPOINTS.map((e) => [e, 0])) as Record<FakeEndpoint, number>;
    for (const c of this.exchange.calls) if (c.account === this.name) counts[c.endpoint]++;
    return counts;
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
