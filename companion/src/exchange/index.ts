import type { Account } from '@tierwatch/shared';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { AccountClientDeps } from './account-calls.ts';
import type { CcxtAccountClient } from './account-client.ts';
import { type Bybit, createBybit } from './bybit.ts';
import { CallCounter } from './call-counter.ts';
import type { ExchangeConfig } from './config.ts';
import { HeardCloses, StreamedAccountClient } from './heard-closes.ts';
import { CcxtMarketData } from './market-data.ts';
import { RateBudget } from './rate-budget.ts';
import { CcxtStreams } from './streams.ts';
import type { AccountClient, ApiCredentials, MarketData, Streams } from './types.ts';

export { CcxtAccountClient } from './account-client.ts';
export { CallCounter, type CallRates, type CallRecord } from './call-counter.ts';
export { ExchangeConfig } from './config.ts';
export { classifyError, type ErrorAction, ExchangeCallError } from './errors.ts';
export { type EndpointGroup, RateBudget } from './rate-budget.ts';
export * from './types.ts';

export interface AccountSetup {
  account: Account;
  /** A paper exchange or a Bybit host; default: Bybit live, testnet for mode "testnet", demo for "demo". */
  baseUrl?: string;
  /** Where the account's streams live; default: baseUrl's host as ws:// or wss://, Bybit's paths. */
  streamUrl?: string;
  credentials: ApiCredentials;
}

export interface ExchangeLayer {
  accounts: Map<string, CcxtAccountClient>;
  /** Market data of the main account's exchange: every account trades on it (config/schema.ts refuses a mix). */
  market: MarketData;
  marketFor(account: string): MarketData;
  budget: RateBudget;
  counter: CallCounter;
  /** Tickers of every held symbol (main account's exchange) and every account's private stream. */
  streams: Streams;
  /** Accounts whose credentials the exchange refused (stopped until restart). */
  stoppedAccounts(): string[];
}

const exchangeKey = (s: AccountSetup) => `${s.account.mode}|${s.baseUrl ?? ''}`;

/** One budget for every call: Bybit's per-IP cap shared by all accounts, each account's caps by endpoint group. */
function budgetFor(config: ExchangeConfig, clock: Clock): RateBudget {
  return new RateBudget({
    ip: config.ipLimit,
    perAccount: {
      'position-read': config.accountLimits.positionRead,
      'order-read': config.accountLimits.orderRead,
      'account-read': config.accountLimits.accountRead,
      'order-write': config.accountLimits.orderWrite,
      'trading-stop': config.accountLimits.tradingStop,
    },
    share: config.budgetShare,
    maxInFlight: config.maxInFlight,
    clock,
  });
}

/** A ccxt instance per account; markets loaded once per exchange (mode and host) and shared with the others. */
async function connectAccounts(
  setups: readonly AccountSetup[],
  config: ExchangeConfig,
  deps: AccountClientDeps,
  logger: Logger,
) {
  const loaded = new Map<string, { ex: Bybit; market: CcxtMarketData }>();
  const accounts = new Map<string, CcxtAccountClient>();
  const marketByAccount = new Map<string, CcxtMarketData>();
  const instances = new Map<string, Bybit>();
  const heardBy = new Map<string, HeardCloses>();
  for (const setup of setups) {
    const ex = createBybit({
      apiKey: setup.credentials.apiKey,
      secret: setup.credentials.secret,
      baseUrl: setup.baseUrl,
      streamUrl: setup.streamUrl,
      pingMs: config.streams.pingMs,
      testnet: setup.account.mode === 'testnet',
      demo: setup.account.mode === 'demo',
      timeoutMs: config.timeoutMs,
    });
    const key = exchangeKey(setup);
    let shared = loaded.get(key);
    const t0 = performance.now();
    if (shared) {
      // A ccxt instance otherwise loads and holds its own copy of every market.
      ex.setMarkets(shared.ex.markets);
    } else {
      await ex.loadMarkets();
      shared = { ex, market: new CcxtMarketData(ex, { ...deps, logger }) };
      loaded.set(key, shared);
    }
    logger.info(
      {
        account: setup.account.name,
        mode: setup.account.mode,
        markets: shared.market.symbols().length,
        ms: Math.round(performance.now() - t0),
      },
      shared.ex === ex ? 'markets loaded' : 'markets shared',
    );
    const heard = new HeardCloses(deps.clock);
    heardBy.set(setup.account.name, heard);
    accounts.set(setup.account.name, new StreamedAccountClient(setup.account, ex, deps, heard));
    instances.set(setup.account.name, ex);
    marketByAccount.set(setup.account.name, shared.market);
  }
  return { accounts, instances, marketByAccount, heardBy };
}

/**
 * Builds one ccxt instance per account, loads markets once per exchange and shares them, and puts every
 * call behind one RateBudget and one CallCounter.
 */
export async function createExchangeLayer(opts: {
  setups: AccountSetup[];
  config: ExchangeConfig;
  clock: Clock;
  logger: Logger;
}): Promise<ExchangeLayer> {
  const { config, clock, logger } = opts;
  const budget = budgetFor(config, clock);
  const counter = new CallCounter();
  const deps: AccountClientDeps = {
    budget,
    counter,
    clock,
    retry: config.retry,
    onAuthFailure: (account: string, err: Error) =>
      logger.error({ account, err: err.message }, 'exchange refused the credentials; account stopped'),
  };
  const { accounts, instances, marketByAccount, heardBy } = await connectAccounts(opts.setups, config, deps, logger);
  const main = opts.setups.find((s) => s.account.role === 'main') ?? opts.setups[0];
  if (!main) throw new Error('createExchangeLayer: no accounts');
  const mainEx = instances.get(main.account.name) as Bybit;
  const streams = new CcxtStreams({
    ...config.streams,
    clock,
    budget,
    logger: logger.child({ module: 'streams' }),
    accounts: instances,
    heard: heardBy,
    publicInstance: () => {
      const ex = createBybit({
        baseUrl: main.baseUrl,
        streamUrl: main.streamUrl,
        pingMs: config.streams.pingMs,
        testnet: main.account.mode === 'testnet',
        timeoutMs: config.timeoutMs,
      });
      ex.setMarkets(mainEx.markets);
      return ex;
    },
  });
  return {
    streams,
    accounts,
    market: marketByAccount.get(main.account.name)!,
    marketFor: (account) => {
      const m = marketByAccount.get(account);
      if (!m) throw new Error(`unknown account ${account}`);
      return m;
    },
    budget,
    counter,
    stoppedAccounts: () => [...accounts.values()].filter((a) => a.stoppedBy).map((a) => a.account.name),
  };
}

export type { AccountClient };
