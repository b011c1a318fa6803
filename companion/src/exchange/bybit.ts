import ccxt from 'ccxt';

/** ccxt's bybit class as the companion configures it. The only construction of a ccxt instance. */
export type Bybit = InstanceType<typeof ccxt.bybit>;

/**
 * bybit with one addition: when the exchange answers with an error, keep Bybit's rate-limit reset time
 * (X-Bapi-Limit-Reset-Timestamp) on the thrown error, so a back-off waits exactly as long as asked.
 */
class BudgetedBybit extends ccxt.bybit {
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
  if (opts.baseUrl) {
    const api = ex.urls.api as Record<string, string>;
    for (const key of Object.keys(api)) api[key] = opts.baseUrl.replace(/\/$/, '');
  }
  return ex;
}
