import type { Account, Balance, Order, OrderType, Position, PositionSide, Ticker } from '@tierwatch/shared';
import type { CloseCause } from './close-cause.ts';
import type { GapReason } from './stream-sequence.ts';

export type { CloseCause, ExchangeCloseReason } from './close-cause.ts';

/**
 * The exchange layer's narrow interface, in protocol terms. This folder is the only place that imports
 * ccxt; everything above it (monitor, cache, execution, routes) sees these types only.
 */

/** Priority lanes of the one shared rate budget, most urgent first. */
export const LANES = ['execution', 'critical', 'urgent', 'active', 'building', 'stable', 'dormant', 'api'] as const;
export type Lane = (typeof LANES)[number];

export interface CallOptions {
  lane: Lane;
  signal?: AbortSignal;
  /** Retries for a retryable failure; default: the exchange config's. A poller that asks again soon says 0. */
  retries?: number;
}

/** Trading rules of one linear perpetual. */
export interface Instrument {
  symbol: string;
  tickSize: number;
  qtyStep: number;
  minQty: number;
  maxQty: number;
  minNotional: number;
}

export interface PlaceOrderRequest {
  symbol: string;
  side: PositionSide;
  type: OrderType;
  qty: number;
  price: number | null;
  takeProfit: number | null;
  stopLoss: number | null;
  reduceOnly: boolean;
  /** Derived from the execution's idempotency key, so the exchange rejects a second placement. */
  clientOrderId: string;
}

export interface PlacedOrder {
  orderId: string;
  clientOrderId: string;
  status: Order['status'];
  qty: number;
  filledQty: number;
  avgPrice: number | null;
}

/** An order looked up by client order id: its state and the terms the exchange holds it under. */
export interface FoundOrder extends PlacedOrder {
  symbol: string;
  side: Order['side'];
  type: OrderType;
  /** The limit price (for a market order, whatever the exchange reports, e.g. Bybit's slippage cap). */
  price: number | null;
  reduceOnly: boolean;
  takeProfit: number | null;
  stopLoss: number | null;
}

/**
 * What a trading-stop call sets on a position; an absent key leaves that level as it is, null clears it.
 * trailingStop is a distance in price (Bybit's), active from activePrice when given.
 */
export interface TradingStopLevels {
  takeProfit?: number | null;
  stopLoss?: number | null;
  trailingStop?: number | null;
  activePrice?: number | null;
}

/** An account's API key and secret: what the exchange signs with (never logged, never sent to the extension). */
export interface ApiCredentials {
  apiKey: string;
  secret: string;
}

/** One account's private calls. */
export interface AccountClient {
  readonly account: Account;
  fetchPositions(opts: CallOptions): Promise<Position[]>;
  fetchOpenOrders(opts: CallOptions): Promise<Order[]>;
  fetchBalances(opts: CallOptions): Promise<Balance[]>;
  placeOrder(req: PlaceOrderRequest, opts: CallOptions): Promise<PlacedOrder>;
  /** Open or recent order by client order id; null when the exchange never saw it. */
  findOrder(clientOrderId: string, symbol: string, opts: CallOptions): Promise<FoundOrder | null>;
  cancelOrder(orderId: string, symbol: string, opts: CallOptions): Promise<void>;
  setTradingStop(symbol: string, side: PositionSide, levels: TradingStopLevels, opts: CallOptions): Promise<void>;
  /** The account's fee rates on a symbol (fractions, e.g. 0.00055); optional: fakes and old clients lack it. */
  fetchFeeRate?(symbol: string, opts: CallOptions): Promise<{ taker: number; maker: number }>;
  /** Every linear symbol's fee rates for the account in one call (optional, like fetchFeeRate). */
  fetchFeeRates?(opts: CallOptions): Promise<Map<string, { taker: number; maker: number }>>;
  /** Cancels every open order on a symbol (Bybit cancel-all); optional like fetchFeeRate. */
  cancelAllOrders?(symbol: string, opts: CallOptions): Promise<void>;
  closePosition(symbol: string, side: PositionSide, clientOrderId: string, opts: CallOptions): Promise<PlacedOrder>;
  /**
   * Why positions on these symbols closed, from the exchange's order history (then, for a symbol it does
   * not explain, its executions): the newest close per symbol and side at or after `since`. A symbol with
   * no close found is absent from the answer. Optional: without it a close is explained by prices only.
   */
  fetchCloseCauses?(symbols: readonly string[], since: number, opts: CallOptions): Promise<CloseCause[]>;
}

/** Public market data, the same for every account on one exchange: fetched once for all. */
export interface MarketData {
  /** Every linear ticker when `symbols` is null; a bulk call either way. */
  fetchTickers(symbols: readonly string[] | null, opts: CallOptions): Promise<Ticker[]>;
  instrument(symbol: string): Instrument | undefined;
  /** Why the exchange's rules for this symbol were refused at load (it has no instrument then); else undefined. */
  instrumentProblem?(symbol: string): string | undefined;
  symbols(): string[];
}

/** A stream's state: live (a frame within its expected interval), stale (open but silent), down. */
export type StreamHealth = 'live' | 'stale' | 'down';

export interface StreamStatus {
  /** 'public', 'public#2', … for the ticker connections; the account's name for its private one. */
  key: string;
  kind: 'public' | 'private';
  account: string | null;
  health: StreamHealth;
  /** Since the last frame (push, ack or pong); null before the first. */
  ageMs: number | null;
  connects: number;
  reconnects: number;
  /** Frames received by topic ('tickers', 'position', 'order', …; 'control' for acks and pongs). */
  messages: Record<string, number>;
  /** Gaps in its sequence heard since start (stream-sequence.ts), each reconciled. */
  gaps: number;
  lastError: string | null;
}

/** Where stream pushes go, in protocol terms. */
export interface StreamSink {
  tickers(tickers: Ticker[], at: number): void;
  /** Positions the push carried: open ones, and the symbols it reported closed (size 0). */
  positions(account: string, open: Position[], closedSymbols: string[], at: number): void;
  /** Orders the push carried, any status (a filled or cancelled one leaves the open set). */
  orders(account: string, orders: Order[], at: number): void;
  /** A stream connected again after a failure: what it carried may have been missed (reconcile). */
  reconnected(key: string, account: string | null): void;
  /** A gap in a stream's sequence (stream-sequence.ts): something it carried was lost (reconcile). */
  gap(key: string, account: string | null, reason: GapReason, symbols: string[]): void;
}

/** The exchange's streams: one public connection set for tickers, one private connection per account. */
export interface Streams {
  /** The symbols whose tickers to hear (every held symbol); new ones are subscribed, none dropped. */
  setSymbols(symbols: readonly string[]): void;
  start(sink: StreamSink): void;
  stop(): Promise<void>;
  status(): StreamStatus[];
}
