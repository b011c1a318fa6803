// Test helpers for the execution suites: an in-memory exchange behind the AccountClient interface.
import type { Account, Balance, ExecuteRequest, Position, PositionSide, Ticker } from '@tierwatch/shared';
import { ExchangeCallError } from '../src/exchange/errors.ts';
import type {
  AccountClient,
  CallOptions,
  FoundOrder,
  Instrument,
  MarketData,
  PlacedOrder,
  PlaceOrderRequest,
  TradingStopLevels,
} from '../src/exchange/types.ts';

/** Never resolves; rejects when the call's signal aborts (the service closing). */
const waitOrAbort = (p: Promise<unknown>, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    p.then(() => resolve(), reject);
  });

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

export const account = (name: string, ratio = 1): Account => ({
  name,
  role: name === 'main' ? 'main' : 'mirror',
  mirrorOf: name === 'main' ? null : 'main',
  mirrorRatio: ratio,
  exchange: 'bybit',
  mode: 'paper',
});

export const ACCOUNTS = [account('main'), account('mirror1', 0.5), account('mirror2', 2)];

export class FakeMarket implements MarketData {
  marks = new Map<string, number>([
    ['BTCUSDT', 50_000],
    ['ETHUSDT', 3_000],
  ]);
  tickerCalls = 0;
  async fetchTickers(symbols: readonly string[] | null): Promise<Ticker[]> {
    this.tickerCalls++;
    return [...this.marks]
      .filter(([s]) => symbols === null || symbols.includes(s))
      .map(([symbol, markPrice]) => ({ symbol, markPrice, lastPrice: markPrice, at: 0 }));
  }
  instrument(symbol: string): Instrument | undefined {
    return [BTC, ETH].find((i) => i.symbol === symbol);
  }
  symbols(): string[] {
    return ['BTCUSDT', 'ETHUSDT'];
  }
}

type Fault = 'reject' | 'timeout-after-place' | 'timeout-before-place' | 'hang';

/** One account's orders by client order id; duplicates refused as Bybit does (110072). */
export class FakeAccount implements AccountClient {
  /** By client order id, with the terms each was placed with (a test may plant one placed elsewhere). */
  orders = new Map<string, FoundOrder>();
  placeCalls = 0;
  findCalls = 0;
  free = 1_000_000;
  fault: Fault | null = null;
  /** While set, placeOrder waits for it before doing anything. */
  gate: Promise<void> | null = null;
  /** Called as placeOrder starts (before the gate). */
  onPlace: (() => void) | null = null;
  findFails = 0;
  private seq = 0;

  constructor(readonly account: Account) {}

  /** What fetchPositions answers (actions plan from it); a trading-stop call changes these. */
  positions: Position[] = [];
  /** Every trading-stop call, as sent; and the cancel-all calls by symbol. */
  stopCalls: TradingStopLevels[] = [];
  cancelAllCalls: string[] = [];
  /** While set, a trading-stop call applies its levels and then its answer is lost (a timeout). */
  stopFault: 'timeout-after-apply' | 'timeout-before-apply' | 'hang' | null = null;
  positionCalls = 0;
  feeCalls = 0;
  async fetchPositions() {
    this.positionCalls++;
    return structuredClone(this.positions);
  }
  async setTradingStop(symbol: string, side: PositionSide, levels: TradingStopLevels, opts?: CallOptions) {
    this.stopCalls.push(levels);
    const name = this.account.name;
    if (this.stopFault === 'hang') await waitOrAbort(new Promise(() => {}), opts?.signal);
    const lost = () =>
      new ExchangeCallError('retry', 'EXCHANGE_UNAVAILABLE', `${name}: timed out`, name, null, 'RequestTimeout');
    if (this.stopFault === 'timeout-before-apply') throw lost();
    const p = this.positions.find((x) => x.symbol === symbol && x.side === side);
    if (!p)
      throw new ExchangeCallError('reject', 'BAD_REQUEST', `${name}: can not set tp/sl/ts for zero position`, name);
    if (levels.takeProfit !== undefined) p.takeProfit = levels.takeProfit;
    if (levels.stopLoss !== undefined) p.stopLoss = levels.stopLoss;
    if (this.stopFault === 'timeout-after-apply') throw lost();
  }
  async cancelAllOrders(symbol: string) {
    this.cancelAllCalls.push(symbol);
  }
  async fetchFeeRate() {
    this.feeCalls++;
    return { taker: 0.00055, maker: 0.0002 };
  }
  async fetchOpenOrders() {
    return [];
  }
  balanceCalls = 0;
  async fetchBalances(): Promise<Balance[]> {
    this.balanceCalls++;
    return [{ account: this.account.name, currency: 'USDT', total: this.free, free: this.free, used: 0 }];
  }
  async placeOrder(req: PlaceOrderRequest, opts?: CallOptions): Promise<PlacedOrder> {
    this.placeCalls++;
    this.onPlace?.();
    if (this.gate) await waitOrAbort(this.gate, opts?.signal);
    const name = this.account.name;
    if (this.fault === 'hang') await waitOrAbort(new Promise(() => {}), opts?.signal);
    if (this.fault === 'reject')
      throw new ExchangeCallError(
        'reject',
        'INSUFFICIENT_BALANCE',
        `${name}: ab not enough`,
        name,
        null,
        'InsufficientFunds',
      );
    if (this.fault === 'timeout-before-place')
      throw new ExchangeCallError('retry', 'EXCHANGE_UNAVAILABLE', `${name}: timed out`, name, null, 'RequestTimeout');
    if (this.orders.has(req.clientOrderId)) {
      throw new ExchangeCallError(
        'reject',
        'INVALID_ORDER',
        `${name}: OrderLinkedID is duplicate`,
        name,
        null,
        'DuplicateOrderId',
      );
    }
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
    this.orders.set(req.clientOrderId, order);
    if (this.fault === 'timeout-after-place')
      throw new ExchangeCallError('retry', 'EXCHANGE_UNAVAILABLE', `${name}: timed out`, name, null, 'RequestTimeout');
    const { orderId, clientOrderId } = order;
    return { orderId, clientOrderId, qty: req.qty, status: 'open', filledQty: 0, avgPrice: null };
  }
  async findOrder(clientOrderId: string): Promise<FoundOrder | null> {
    this.findCalls++;
    if (this.findFails > 0) {
      this.findFails--;
      throw new ExchangeCallError('retry', 'EXCHANGE_UNAVAILABLE', 'down', this.account.name);
    }
    return this.orders.get(clientOrderId) ?? null;
  }
  async cancelOrder() {}
  async closePosition(): Promise<PlacedOrder> {
    throw new Error('not used');
  }
}

export function fakeExchange(accounts: readonly Account[] = ACCOUNTS) {
  const clients = new Map(accounts.map((a) => [a.name, new FakeAccount(a)]));
  return { accounts, clients, market: new FakeMarket() };
}

/** The execution suites' usual request: a small market long on BTCUSDT with TP and SL (BTC marks at 50,000). */
export const btcLong = (over: Partial<ExecuteRequest> = {}): ExecuteRequest => ({
  idempotencyKey: 'key-0000001',
  symbol: 'BTCUSDT',
  side: 'long',
  orderType: 'market',
  quantity: 0.01,
  takeProfit: 55_000,
  stopLoss: 48_000,
  ...over,
});

/** A held position on a fake account (BTC long at 50,000 marked at 52,000 unless told otherwise). */
export const heldPosition = (account: string, over: Partial<Position> = {}): Position => ({
  account,
  symbol: 'BTCUSDT',
  side: 'long',
  size: 0.1,
  entryPrice: 50_000,
  markPrice: 52_000,
  takeProfit: 56_000,
  stopLoss: 48_000,
  liquidationPrice: null,
  unrealisedPnl: 0,
  leverage: 10,
  positionValue: null,
  lastActivityAt: null,
  ...over,
});
