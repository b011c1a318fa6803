// Fixtures for the execution suites: instruments, accounts, the usual request and a held position.
import type { Account, ExecuteRequest, Position } from '@tierwatch/shared';
import { BTC, ETH, FakeExchange } from './fake-exchange.ts';

export { BTC, ETH } from './fake-exchange.ts';

export const account = (name: string, ratio = 1): Account => ({
  name,
  role: name === 'main' ? 'main' : 'mirror',
  mirrorOf: name === 'main' ? null : 'main',
  mirrorRatio: ratio,
  exchange: 'bybit',
  mode: 'paper',
});

export const ACCOUNTS = [account('main'), account('mirror1', 0.5), account('mirror2', 2)];

/** The execution suites' exchange: BTC marked at 50,000 and ETH at 3,000, each account with a million USDT free. */
export function fakeExchange(accounts: readonly Account[] = ACCOUNTS) {
  const exchange = new FakeExchange({ instruments: [BTC, ETH], prices: { BTCUSDT: 50_000, ETHUSDT: 3_000 } });
  const clients = new Map(accounts.map((a) => [a.name, exchange.client(a)]));
  return { accounts, clients, market: exchange.market(), exchange };
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
