import { SYMBOL_PATTERN, type Ticker } from '@tierwatch/shared';
import type { Clock } from '../core/clock.ts';
import { type Logger, silentLogger } from '../core/logger.ts';
import type { Bybit } from './bybit.ts';
import type { CallCounter } from './call-counter.ts';
import { classifyError } from './errors.ts';
import { instrumentRuleProblem } from './instrument-rules.ts';
import { toTicker } from './normalize.ts';
import type { RateBudget } from './rate-budget.ts';
import { type RetryPolicy, retryPolicy, withRetry } from './retry.ts';
import type { CallOptions, Instrument, MarketData } from './types.ts';

type Loose = Record<string, unknown>;

/** A market's number as loaded; absent or empty is NaN (never 0), so the rule check names it. */
const rule = (v: unknown): number => (v === undefined || v === null || v === '' ? Number.NaN : Number(v));

/**
 * Public market data for one exchange, shared by every account on it: one ticker call serves all of
 * them (prices are the same for everyone), and the markets are loaded once. A market whose rules are
 * unusable (a quantity step of 0, a tick that is not a number, ...) is refused here, once, with a warning
 * naming it: it is not an instrument, so nothing trades it, and an order for it is refused saying why.
 */
export class CcxtMarketData implements MarketData {
  private readonly instruments = new Map<string, Instrument>();
  private readonly refused = new Map<string, string>();

  constructor(
    private readonly ex: Bybit,
    private readonly deps: {
      budget: RateBudget;
      counter: CallCounter;
      clock: Clock;
      retry: RetryPolicy;
      logger?: Logger;
    },
  ) {
    for (const m of Object.values(ex.markets ?? {})) {
      if (!m?.linear || m.active === false || typeof m.id !== 'string') continue;
      // Bybit's linear category also lists USDC perpetuals (BTCPERP) and dated futures (BTC-26DEC25,
      // BTCUSDT-26DEC25): outside the protocol's symbols (USDT perpetuals), so never instruments here.
      if (!SYMBOL_PATTERN.test(m.id)) continue;
      const inst: Instrument = {
        symbol: m.id,
        tickSize: rule(m.precision?.price),
        qtyStep: rule(m.precision?.amount),
        minQty: rule(m.limits?.amount?.min ?? m.precision?.amount),
        maxQty: rule(m.limits?.amount?.max ?? Number.MAX_SAFE_INTEGER),
        minNotional: rule(m.limits?.cost?.min ?? 0),
      };
      const problem = instrumentRuleProblem(inst);
      if (problem) this.refused.set(m.id, problem);
      else this.instruments.set(m.id, inst);
    }
    const log = deps.logger ?? silentLogger;
    for (const [symbol, problem] of this.refused)
      log.warn({ symbol, problem }, 'instrument rules refused: the symbol is not traded');
  }

  instrument(symbol: string): Instrument | undefined {
    return this.instruments.get(symbol);
  }

  instrumentProblem(symbol: string): string | undefined {
    return this.refused.get(symbol);
  }

  symbols(): string[] {
    return [...this.instruments.keys()];
  }

  /** One bulk call for every linear ticker; the filter to `symbols` is local. Raw rows skip ccxt's parser (hot path). */
  async fetchTickers(symbols: readonly string[] | null, opts: CallOptions): Promise<Ticker[]> {
    const { budget, counter, clock } = this.deps;
    const res = (await withRetry(
      () =>
        budget.schedule(
          { account: null, group: 'market', lane: opts.lane },
          async () => {
            const at = clock.now();
            try {
              const r = await this.ex.publicGetV5MarketTickers({ category: 'linear' });
              counter.record({ at, account: null, endpoint: 'market/tickers', lane: opts.lane, ok: true });
              return r;
            } catch (e) {
              counter.record({ at, account: null, endpoint: 'market/tickers', lane: opts.lane, ok: false });
              const err = classifyError(e, null, clock.now());
              if (err.action === 'backoff') budget.block('ip', clock.now() + (err.retryAfterMs ?? 1000));
              throw err;
            }
          },
          opts.signal,
        ),
      { policy: retryPolicy(this.deps.retry, opts), clock, signal: opts.signal },
    )) as { time?: number; result?: { list?: Loose[] } };
    const list = res.result?.list;
    if (!Array.isArray(list)) throw classifyError(new Error('market/tickers answered without result.list'), null, 0);
    // Every instrument when no symbols are named: the list's other rows (USDC perpetuals, dated futures)
    // are no symbol of ours, and would fail the whole read as malformed.
    const wanted: { has(symbol: string): boolean } = symbols ? new Set(symbols) : this.instruments;
    const at = Number(res.time) || clock.now();
    const out: Ticker[] = [];
    for (const raw of list) {
      if (!wanted.has(String(raw.symbol))) continue;
      out.push(toTicker(raw, at));
    }
    return out;
  }
}
