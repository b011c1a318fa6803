import { BybitPro } from './ccxt-bybit.ts';
import { streamUrls } from './stream-urls.ts';

/**
 * ccxt pro's bybit class (REST and WebSocket on one instance) as the companion configures it. The only
 * construction of a ccxt instance.
 */
export type Bybit = BudgetedBybit;

/**
 * bybit with one addition: when the exchange answers with an error, keep Bybit's rate-limit reset time
 * (X-Bapi-Limit-Reset-Timestamp) on the thrown error, so a back-off waits exactly as long as asked.
 */
class BudgetedBybit extends BybitPro {
  /**
   * Called with every WebSocket frame (pushes, acks, pongs) once ccxt has applied it to its caches: the
   * stream layer's evidence of life, and every push, not only those a pending watch happens to return.
   */
  onFrame: ((url: string, message: unknown) => void) | null = null;
  /**
   * Ticker pushes go to onFrame only, never through ccxt: its handleTicker (parseTicker's string arithmetic,
   * a merged unified ticker, a resolve of every waiting watch) was most of the CPU of a push, at Bybit's
   * 100 ms per moving symbol. The stream layer merges the raw snapshot and deltas itself (streams.ts);
   * watchTickers then only keeps the subscription and reports the connection's failure.
   */
  rawTickers = false;

  override handleMessage(client: { url: string }, message: unknown) {
    const topic = (message as { topic?: unknown } | null)?.topic;
    if (this.rawTickers && typeof topic === 'string' && topic.startsWith('tickers.')) {
      this.onFrame?.(client.url, message);
      return;
    }
    try {
      return super.handleMessage(client as never, message as never);
    } finally {
      this.onFrame?.(client.url, message);
    }
  }

  override handleErrors(
    httpCode: int,
    reason: string,
    url: string,
    method: string,
    headers: Record<string, string>,
    body: string,
    response: unknown,
    requestHeaders: unknown,
    requestBody: unknown,
  ) {
    try {
      return super.handleErrors(httpCode, reason, url, method, headers, body, response, requestHeaders, requestBody);
    } catch (err) {
      const reset = headers?.['x-bapi-limit-reset-timestamp'] ?? headers?.['X-Bapi-Limit-Reset-Timestamp'];
      if (reset !== undefined && err && typeof err === 'object') (err as { resetAt?: number }).resetAt = Number(reset);
      throw err;
    }
  }
}
type int = number;

export interface BybitOptions {
  apiKey?: string;
  secret?: string;
  /** Base URL of a paper exchange or a Bybit host; every API entry is pointed at it. */
  baseUrl?: string;
  /** Where the streams live; default: baseUrl's host, ws:// or wss://, Bybit's paths. */
  streamUrl?: string;
  /** WebSocket ping interval: a stream silent for two of them is closed (ccxt's keep-alive). */
  pingMs?: number;
  testnet?: boolean;
  /** Bybit's demo trading (real prices, no real money) through ccxt's switch: api-demo.bybit.com. */
  demo?: boolean;
  timeoutMs: number;
}

export function createBybit(opts: BybitOptions): Bybit {
  const ex = new BudgetedBybit({
    apiKey: opts.apiKey,
    secret: opts.secret,
    // The companion's RateBudget paces every call across all accounts; ccxt's per-instance limiter would
    // only add a second, uncoordinated delay.
    enableRateLimit: false,
    timeout: opts.timeoutMs,
    options: {
      fetchMarkets: { types: ['linear'] },
      // Skip the unified-account detection calls: the companion only trades unified (UTA) accounts.
      enableUnifiedMargin: false,
      enableUnifiedAccount: true,
      defaultType: 'swap',
      defaultSettle: 'USDT',
    },
  });
  // Currencies come from a private endpoint the companion never needs (deposits, networks).
  ex.has.fetchCurrencies = false;
  if (opts.testnet) ex.setSandboxMode(true);
  if (opts.demo) ex.enableDemoTrading(true);
  const api = ex.urls.api as Record<string, unknown>;
  const ws = api.ws;
  if (opts.baseUrl) {
    for (const key of Object.keys(api)) api[key] = opts.baseUrl.replace(/\/$/, '');
    api.ws = ws;
  }
  const streamBase = opts.streamUrl ?? opts.baseUrl?.replace(/^http/, 'ws');
  if (streamBase) api.ws = streamUrls(streamBase.replace(/\/$/, ''));
  ex.options.watchPositions = { fetchPositionsSnapshot: false, awaitPositionsSnapshot: false };
  if (opts.pingMs) (ex as unknown as { streaming: Record<string, unknown> }).streaming.keepAlive = opts.pingMs;
  return ex;
}
