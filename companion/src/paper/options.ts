import { z } from 'zod';
import { type Clock, systemClock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';

/**
 * Every knob of the paper exchange, parsed once at start. Every field has a default so
 * `startPaperExchange({})` gives a working two-account exchange with Bybit's documented limits.
 */

const isClock = (v: unknown): v is Clock =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Clock).now === 'function' &&
  typeof (v as Clock).sleep === 'function';

/** A window of simulated time (epoch ms, on the exchange's clock). */
export const TimeWindow = z.object({ startAt: z.number(), endAt: z.number() });
export type TimeWindow = z.infer<typeof TimeWindow>;

export const Latency = z.object({
  fixedMs: z.number().min(0).default(0),
  jitterMs: z.number().min(0).default(0),
});
export type Latency = z.infer<typeof Latency>;

export const Faults = z.object({
  /** Share of requests answered with an HTTP 502 (ccxt: ExchangeNotAvailable). */
  errorRate: z.number().min(0).max(1).default(0),
  /** Share of requests left hanging for `timeoutMs` (ccxt: RequestTimeout once its own timeout fires). */
  timeoutRate: z.number().min(0).max(1).default(0),
  timeoutMs: z.number().min(0).default(30_000),
  /** Share of private requests answered 10006 regardless of the real budget. */
  rateLimitStormRate: z.number().min(0).max(1).default(0),
  /** While inside this window every private request is answered 10006. */
  rateLimitStorm: TimeWindow.nullable().default(null),
  /** While inside this window every request is answered HTTP 503. */
  outage: TimeWindow.nullable().default(null),
});
export type Faults = z.infer<typeof Faults>;

/**
 * Bybit v5 per-UID limits (unified account, linear), requests per rolling second, keyed by endpoint.
 * https://bybit-exchange.github.io/docs/v5/rate-limit
 */
export const BYBIT_ACCOUNT_LIMITS: Record<string, number> = {
  '/v5/order/create': 10,
  '/v5/order/cancel': 10,
  '/v5/order/amend': 10,
  '/v5/order/cancel-all': 10,
  '/v5/position/set-leverage': 10,
  '/v5/position/closed-pnl': 50,
  '/v5/account/fee-rate': 50,
  '/v5/position/trading-stop': 10,
  '/v5/position/list': 50,
  '/v5/order/realtime': 50,
  '/v5/order/history': 50,
  '/v5/execution/list': 50,
  '/v5/account/wallet-balance': 50,
  '/v5/account/info': 50,
  '/v5/user/query-api': 50,
  '/v5/asset/coin/query-info': 50,
};

export const Limits = z.object({
  /** false lifts every limit (counts are still kept). */
  enabled: z.boolean().default(true),
  perAccountWindowMs: z.number().int().positive().default(1000),
  /** Endpoint path -> requests per window per account; endpoints not listed use `perAccountDefault`. */
  perAccount: z.record(z.string(), z.number().int().positive()).default(BYBIT_ACCOUNT_LIMITS),
  perAccountDefault: z.number().int().positive().default(50),
  ip: z
    .object({
      limit: z.number().int().positive().default(600),
      windowMs: z.number().int().positive().default(5000),
      /** Bybit asks for at least 10 minutes of silence after a 403. */
      banMs: z.number().int().min(0).default(600_000),
    })
    .prefault({}),
});
export type Limits = z.infer<typeof Limits>;

export const StreamOptions = z.object({
  /** Push round of the public stream (Bybit: every 100 ms for derivatives tickers). */
  pushIntervalMs: z.number().int().min(10).default(100),
  /** A connection silent this long (no ping, no op) is closed, on the wall clock (Bybit: 10 minutes). */
  idleMs: z.number().int().positive().default(600_000),
  /** Bybit: at most 500 new connections per 5 minutes per IP, on the wall clock. */
  connectionLimit: z.number().int().positive().default(500),
  connectionWindowMs: z.number().int().positive().default(300_000),
});
export type StreamOptions = z.infer<typeof StreamOptions>;

/** What a paper account's API key may do, as /v5/user/query-api reports it and every write checks it. */
export const ApiPermissions = z.object({
  /** A read-only key: every write answers 10005. */
  readOnly: z.boolean().default(false),
  /** Bybit's ContractTrade permissions: Order (create, amend, cancel) and Position (TP/SL, leverage). */
  contractTrade: z.array(z.enum(['Order', 'Position'])).default(['Order', 'Position']),
  ips: z.array(z.string()).default(['*']),
  /**
   * Bybit's Wallet permissions. None by default: a key that can move money out is what the companion refuses,
   * so a test that wants the refusal grants one of these.
   */
  wallet: z.array(z.enum(['AccountTransfer', 'SubMemberTransfer', 'Withdraw'])).default([]),
  /** When the key lapses (ISO 8601), or null for a key that does not (Bybit: bound to IPs). */
  expiredAt: z.iso.datetime().nullable().default(null),
});
export type ApiPermissions = z.infer<typeof ApiPermissions>;

const AccountName = z.string().regex(/^[a-zA-Z0-9_-]{1,32}$/, 'account names are 1-32 of [a-zA-Z0-9_-]');
const SymbolName = z.string().regex(/^[A-Z0-9]{2,16}USDT$/, 'symbols are linear USDT perpetuals like BTCUSDT');

export const PaperOptions = z.object({
  port: z.number().int().min(0).max(65535).default(0),
  /** Names, or a count: 1 gives ['main'], 3 gives ['main', 'mirror1', 'mirror2']. */
  accounts: z
    .union([z.array(AccountName).min(1).max(50), z.number().int().min(1).max(50)])
    .default(['main', 'mirror1']),
  positionsPerAccount: z.number().int().min(0).max(500).default(20),
  seed: z.number().int().default(42),
  /** A count (generated names, BTCUSDT first) or an explicit list; default max(50, positionsPerAccount). */
  symbols: z.union([z.number().int().min(1).max(500), z.array(SymbolName).min(1).max(500)]).optional(),
  /** The market advances in fixed steps of this many ms (see engine/engine.ts for why lazily). */
  stepMs: z.number().int().min(10).default(1000),
  /**
   * Speeds the market up (or slows it down): each symbol's realistic annualised volatility is multiplied
   * by this. 1 is a real market's pace (a position takes minutes to hours to cross a tier); demos, tests
   * and benchmarks that need action raise it.
   */
  volatility: z.number().min(0).max(10_000).default(1),
  /** Overrides every symbol's volatility: the standard deviation of one minute's log return (0 holds still). */
  volatilityPerMinute: z.number().min(0).optional(),
  /** Per paper account name; accounts not listed have every permission. */
  permissions: z.record(z.string(), ApiPermissions.prefault({})).default({}),
  latency: Latency.prefault({}),
  streams: StreamOptions.prefault({}),
  faults: Faults.prefault({}),
  limits: Limits.prefault({}),
  /** Market orders and TP/SL closes fill this far from mark, against the trader. */
  slippageBps: z.number().min(0).default(5),
  startingBalance: z.number().positive().default(100_000),
  leverage: z.number().min(1).max(100).default(10),
  /** Drives the market, rate-limit windows, latency and faults. */
  clock: z.custom<Clock>(isClock, 'clock must have now() and sleep()').default(systemClock),
  /** Checks X-BAPI-TIMESTAMP: ccxt signs with the wall clock, whatever the simulated clock says. */
  wallClock: z.custom<Clock>(isClock, 'wallClock must have now() and sleep()').default(systemClock),
  logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null).optional(),
});
export type PaperOptionsInput = z.input<typeof PaperOptions>;
export type PaperOptions = z.infer<typeof PaperOptions>;

export function accountNames(accounts: PaperOptions['accounts']): string[] {
  if (Array.isArray(accounts)) return accounts;
  return Array.from({ length: accounts }, (_, i) => (i === 0 ? 'main' : `mirror${i}`));
}
