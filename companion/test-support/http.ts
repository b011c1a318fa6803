// Test helpers for the HTTP suites: the app on the fake exchange, with a cache and a logger the test reads.
import { Writable } from 'node:stream';
import type { Position, TieredPosition } from '@tierwatch/shared';
import { CacheConfig, type CacheConfigInput } from '../src/cache/config.ts';
import { ResourceCache } from '../src/cache/resource-cache.ts';
import { AppError } from '../src/core/app-error.ts';
import { ManualClock } from '../src/core/clock.ts';
import { createLogger } from '../src/core/logger.ts';
import { createApp } from '../src/http/app.ts';
import { HttpConfig, type HttpConfigInput } from '../src/http/config.ts';
import { generateToken } from '../src/pairing/token-store.ts';
import type { FakeAccount } from './fake-account.ts';
import { BTC, ETH, FakeExchange, paperAccount } from './fake-exchange.ts';

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

/** A main account holding a BTC and an ETH position and one open BTC order, with 900 of 1,000 USDT free. */
function seedAccount(exchange: FakeExchange, name: string): FakeAccount {
  const client = exchange.client(paperAccount(name));
  client.positions = [position(name, 'BTCUSDT'), position(name, 'ETHUSDT', { markPrice: 109.5 })];
  client.openOrders = [
    {
      account: name,
      id: `${name}-1`,
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
    },
  ];
  client.balance = { total: 1000, free: 900, used: 100 };
  // Something secret-like the client holds, to prove it never reaches a response.
  client.credentials = { apiKey: SECRET_API_KEY, secret: 'FAKE-SECRET' };
  return client;
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
  const exchange = new FakeExchange({ clock, instruments: [BTC, ETH], prices: { BTCUSDT: 101 } });
  const clients = (opts.accounts ?? ['main', 'mirror1']).map((name) => seedAccount(exchange, name));
  const market = exchange.market();
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
