// Test helpers for the HTTP suites: in-memory fakes of the exchange layer's interface and an app harness.
import { Writable } from 'node:stream';
import type { Account, Balance, Order, Position, Ticker, TieredPosition } from '@tierwatch/shared';
import { CacheConfig, type CacheConfigInput } from '../src/cache/config.ts';
import { ResourceCache } from '../src/cache/resource-cache.ts';
import { AppError } from '../src/core/app-error.ts';
import { ManualClock } from '../src/core/clock.ts';
import { createLogger } from '../src/core/logger.ts';
import type { AccountClient, Instrument, MarketData } from '../src/exchange/types.ts';
import { createApp } from '../src/http/app.ts';
import { HttpConfig, type HttpConfigInput } from '../src/http/config.ts';
import { generateToken } from '../src/pairing/token-store.ts';

export const EXT_ID = 'abcdefghijklmnopabcdefghijklmnop';
export const SECRET_API_KEY = 'FAKE-API-KEY-should-never-leak';

export function position(account: string, symbol: string, overrides: Partial<Position> = {}): Position {
  return {
    account,
    symbol,
    side: 'long',
    size: 1,
    entryPrice: 100,
    markPrice: 101,
    takeProfit: 110,
    stopLoss: 95,
    liquidationPrice: null,
    unrealisedPnl: 1,
    leverage: 5,
    positionValue: null,
    lastActivityAt: null,
    ...overrides,
  };
}

export const classify = (p: Position): TieredPosition => ({
  ...p,
  tier: p.markPrice >= 109 ? 'CRITICAL' : 'STABLE',
  distanceToTpPct: p.takeProfit === null ? null : (Math.abs(p.takeProfit - p.markPrice) / p.markPrice) * 100,
  distanceToSlPct: p.stopLoss === null ? null : (Math.abs(p.markPrice - p.stopLoss) / p.markPrice) * 100,
  flags: [],
});

export type Failure = Error | null;

/** A fake account: counts calls per resource, can be held at a gate and made to fail. */
export class FakeClient implements AccountClient {
  readonly account: Account;
  calls = { positions: 0, orders: 0, balances: 0 };
  positions: Position[];
  failure: Failure = null;
  /** While set, calls wait for it. */
  gate: Promise<void> | null = null;
  // Something secret-like the client holds, to prove it never reaches a response.
  private readonly apiKey = SECRET_API_KEY;

  constructor(name: string) {
    this.account = { name, role: 'main', mirrorOf: null, mirrorRatio: 1, exchange: 'bybit', mode: 'paper' };
    this.positions = [position(name, 'BTCUSDT'), position(name, 'ETHUSDT', { markPrice: 109.5 })];
  }

  private async call<T>(resource: keyof FakeClient['calls'], value: T): Promise<T> {
    this.calls[resource]++;
    if (this.gate) await this.gate;
    if (this.failure) throw this.failure;
    return value;
  }
  fetchPositions() {
    return this.call('positions', this.positions);
  }
  fetchOpenOrders() {
    const order: Order = {
      account: this.account.name,
      id: `${this.account.name}-1`,
      clientOrderId: null,
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      price: 90,
      qty: 1,
      filledQty: 0,
      reduceOnly: false,
      status: 'open',
      takeProfit: null,
      stopLoss: null,
      createdAt: 1_700_000_000_000,
    };
    return this.call('orders', [order]);
  }
  fetchBalances() {
    const b: Balance = { account: this.account.name, currency: 'USDT', total: 1000, free: 900, used: 100 };
    return this.call('balances', [b]);
  }
  placeOrder(): never {
    throw new Error(`not in this fake ${this.apiKey.length}`);
  }
  findOrder(): never {
    throw new Error('not in this fake');
  }
  cancelOrder(): never {
    throw new Error('not in this fake');
  }
  setTradingStop(): never {
    throw new Error('not in this fake');
  }
  closePosition(): never {
    throw new Error('not in this fake');
  }
}

export class FakeMarket implements MarketData {
  calls = 0;
  failure: Failure = null;
  private readonly rules: Record<string, Instrument> = {
    BTCUSDT: { symbol: 'BTCUSDT', tickSize: 0.1, qtyStep: 0.001, minQty: 0.001, maxQty: 100, minNotional: 5 },
    ETHUSDT: { symbol: 'ETHUSDT', tickSize: 0.01, qtyStep: 0.01, minQty: 0.01, maxQty: 1000, minNotional: 5 },
  };
  async fetchTickers(): Promise<Ticker[]> {
    this.calls++;
    if (this.failure) throw this.failure;
    return [{ symbol: 'BTCUSDT', markPrice: 101, lastPrice: 101, at: 1_700_000_000_000 }];
  }
  instrument(symbol: string) {
    return this.rules[symbol];
  }
  symbols() {
    return Object.keys(this.rules);
  }
}

export function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

export interface HarnessOptions {
  accounts?: string[];
  http?: HttpConfigInput;
  cache?: CacheConfigInput;
  tierVersion?: () => number;
}

export function harness(opts: HarnessOptions = {}) {
  const clock = new ManualClock();
  const cache = new ResourceCache(CacheConfig.parse(opts.cache ?? {}), clock);
  const clients = (opts.accounts ?? ['main', 'mirror1']).map((n) => new FakeClient(n));
  const market = new FakeMarket();
  const token = generateToken();
  const logLines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  });
  const app = createApp({
    version: 'test',
    clock,
    startedAt: clock.now(),
    logger,
    http: HttpConfig.parse(opts.http ?? {}),
    pairing: { verify: (t) => t === token },
    trading: { clients, market, cache, classify, ...(opts.tierVersion ? { tierVersion: opts.tierVersion } : {}) },
  });
  const request = (path: string, headers: Record<string, string> = {}, init: RequestInit = {}) =>
    app.request(path, { ...init, headers: { Host: '127.0.0.1:8787', Authorization: `Bearer ${token}`, ...headers } });
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await request(path, headers);
    // biome-ignore lint/suspicious/noExplicitAny: tests read bodies loosely
    return { res, status: res.status, body: (await res.json()) as any };
  };
  return { app, clock, cache, clients, market, token, logLines, request, get };
}

export const unavailable = () => new AppError('EXCHANGE_UNAVAILABLE', 'exchange did not answer in time');
