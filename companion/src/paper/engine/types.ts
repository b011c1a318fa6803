/** The engine's own state, in numbers; server/format.ts turns it into Bybit's string-number dialect. */

export type Side = 'Buy' | 'Sell';
export type OrderStatus = 'New' | 'PartiallyFilled' | 'Filled' | 'Cancelled' | 'Rejected';
export type StopOrderType = '' | 'TakeProfit' | 'StopLoss';

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
  mark: number;
  /** Price at the start, stands in for the 24h reference (the sim has no 24h history). */
  open: number;
  high: number;
  low: number;
  updatedAt: number;
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
  /** The level a TP / SL close fired at (Bybit's triggerPrice); absent on ordinary orders. */
  triggerPrice?: number;
  createdTime: number;
  updatedTime: number;
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
  /** Bybit's execType: a liquidation's fill is a BustTrade. */
  execType: 'Trade' | 'BustTrade';
  stopOrderType: StopOrderType;
  createType: string;
  markPrice: number;
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
