/** The engine's own state, in numbers; server/bybit-dialect.ts turns it into Bybit's string-number dialect. */

export type Side = 'Buy' | 'Sell';
export type OrderStatus =
  | 'New'
  | 'PartiallyFilled'
  | 'Filled'
  | 'Cancelled'
  | 'Rejected'
  | 'Untriggered'
  | 'Triggered'
  | 'Deactivated';
export type StopOrderType =
  | ''
  | 'TakeProfit'
  | 'StopLoss'
  | 'Stop'
  | 'PartialTakeProfit'
  | 'PartialStopLoss'
  | 'TrailingStop';
export type TriggerBy = 'LastPrice' | 'MarkPrice' | 'IndexPrice';

/** A conditional order's trigger: 1 fires when the price rises to `price`, 2 when it falls to it. */
export interface Trigger {
  price: number;
  direction: 1 | 2;
  by: TriggerBy;
}

/** Bybit's trailing stop on a position: `distance` behind the best price seen since `activePrice` was reached. */
export interface Trailing {
  distance: number;
  activePrice: number | null;
  /** Best mark since activation; null until active. */
  best: number | null;
}

export interface ClosedPnl {
  symbol: string;
  orderId: string;
  side: Side;
  qty: number;
  orderPrice: number;
  orderType: 'Market' | 'Limit';
  execType: 'Trade' | 'BustTrade';
  closedSize: number;
  avgEntryPrice: number;
  avgExitPrice: number;
  closedPnl: number;
  leverage: number;
  createdTime: number;
  updatedTime: number;
}

export interface Instrument {
  symbol: string;
  baseCoin: string;
  tickSize: number;
  qtyStep: number;
  minQty: number;
  maxQty: number;
  minNotional: number;
  priceDecimals: number;
  qtyDecimals: number;
  maxLeverage: number;
  launchTime: number;
}

export interface MarketState {
  symbol: string;
  mark: number;
  /** Price at the start, stands in for the 24h reference (the sim has no 24h history). */
  open: number;
  high: number;
  low: number;
  updatedAt: number;
  /** The mark before the last change: which of the levels crossed in one step was reached first. */
  prev?: number;
}

export interface PaperPosition {
  symbol: string;
  side: Side;
  size: number;
  entryPrice: number;
  leverage: number;
  takeProfit: number | null;
  stopLoss: number | null;
  createdTime: number;
  updatedTime: number;
  cumRealisedPnl: number;
  trailing?: Trailing | null;
}

export interface PaperOrder {
  orderId: string;
  orderLinkId: string;
  symbol: string;
  side: Side;
  orderType: 'Market' | 'Limit';
  price: number | null;
  qty: number;
  cumExecQty: number;
  cumExecValue: number;
  cumExecFee: number;
  avgPrice: number | null;
  orderStatus: OrderStatus;
  reduceOnly: boolean;
  takeProfit: number | null;
  stopLoss: number | null;
  timeInForce: 'GTC' | 'IOC' | 'FOK' | 'PostOnly';
  stopOrderType: StopOrderType;
  createType: string;
  createdTime: number;
  updatedTime: number;
  /** Conditional orders (Untriggered until the price crosses). */
  trigger?: Trigger | null;
  closeOnTrigger?: boolean;
  /** tpslMode of the attached TP/SL: Partial turns them into their own reduce-only orders on fill. */
  tpslMode?: 'Full' | 'Partial';
  tpSize?: number | null;
  slSize?: number | null;
}

export interface PaperExecution {
  execId: string;
  orderId: string;
  orderLinkId: string;
  symbol: string;
  side: Side;
  orderType: 'Market' | 'Limit';
  orderPrice: number | null;
  orderQty: number;
  execPrice: number;
  execQty: number;
  execFee: number;
  feeRate: number;
  execTime: number;
  isMaker: boolean;
  closedSize: number;
  stopOrderType: StopOrderType;
  createType: string;
  markPrice: number;
  /** Bybit's execType: a liquidation's fill is a BustTrade (absent: an ordinary Trade). */
  execType?: 'Trade' | 'BustTrade';
}

export interface PaperAccount {
  name: string;
  uid: number;
  apiKey: string;
  secret: string;
  /** USDT wallet balance: starting balance plus realised PnL minus fees. */
  wallet: number;
  positions: Map<string, PaperPosition>;
  /** Open orders by id. */
  open: Map<string, PaperOrder>;
  /** Final orders, newest last, capped. */
  history: PaperOrder[];
  /** Every orderLinkId this account ever used: Bybit rejects a reuse. */
  linkIds: Map<string, PaperOrder>;
  /** Fills, newest last, capped. */
  executions: PaperExecution[];
  /** Leverage set per symbol (/v5/position/set-leverage); the exchange default elsewhere. */
  leverageBySymbol?: Map<string, number>;
  /** Fills of orders with Partial TP/SL attached, waiting for their TP/SL orders (engine/conditional.ts). */
  pendingPartials?: { order: PaperOrder; qty: number }[];
  /** Closed-PnL records, newest last, capped. */
  closedPnl?: ClosedPnl[];
  /** Not yet flushed to the private stream (engine/changes.ts). */
  changes: ChangeSet;
}

/** Bybit's answer to a bad request: a retCode and a message, never an HTTP 500. */
export class BybitError extends Error {
  constructor(
    readonly retCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'BybitError';
  }
}

export const paramsError = (what: string): BybitError => new BybitError(10001, `params error: ${what}`);

/**
 * What changed on an account since the last flush: the private stream's feed. The ledger and order entry
 * mark what they touch; the engine hands the batch to its listeners after each operation or market step
 * and starts a new one. Orders are kept by id (last state wins, as Bybit pushes an order's current state);
 * positions by symbol, read at flush time (absent = closed); executions in fill order.
 */
export interface ChangeSet {
  orders: Map<string, PaperOrder>;
  positions: Set<string>;
  executions: PaperExecution[];
  wallet: boolean;
}
