import type { Clock } from '../core/clock.ts';
import type { CallCounter } from './call-counter.ts';
import { classifyError, type ExchangeCallError } from './errors.ts';
import type { EndpointGroup, RateBudget } from './rate-budget.ts';
import { type RetryPolicy, retryPolicy, withRetry } from './retry.ts';
import type { CallOptions } from './types.ts';

export type Loose = Record<string, unknown>;
export type Page = { result?: { list?: Loose[]; nextPageCursor?: string } };

export interface AccountClientDeps {
  budget: RateBudget;
  counter: CallCounter;
  clock: Clock;
  retry: RetryPolicy;
  /** Called when the exchange refuses this account's credentials: the account is stopped until restart. */
  onAuthFailure?: (account: string, err: ExchangeCallError) => void;
}

/**
 * How one account's calls go out: each paced by the shared budget in its lane, counted, its error classed
 * (a rate limit blocks the window until Bybit's reset; refused credentials stop the account until restart),
 * and retried where the class says so.
 */
export class AccountCalls {
  private stopped: ExchangeCallError | null = null;

  constructor(
    private readonly account: string,
    private readonly deps: AccountClientDeps,
  ) {}

  /** Why the account is stopped (bad credentials), or null. */
  get stoppedBy(): ExchangeCallError | null {
    return this.stopped;
  }

  /** Reads every page of a cursor-paginated list, each page its own paced call. */
  async pages(
    group: EndpointGroup,
    endpoint: string,
    opts: CallOptions,
    limit: number,
    fetch: (params: Loose) => Promise<unknown>,
  ): Promise<Loose[]> {
    const rows: Loose[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const params: Loose = { limit };
      if (cursor) params.cursor = cursor;
      const res = (await this.call(group, endpoint, opts, () => fetch(params))) as Page;
      const list = res.result?.list;
      if (!Array.isArray(list)) {
        throw classifyError(new Error(`${endpoint} answered without result.list`), this.account, 0);
      }
      rows.push(...list);
      cursor = res.result?.nextPageCursor || undefined;
      if (!cursor || list.length === 0) return rows;
    }
    throw classifyError(new Error(`${endpoint}: more than 100 pages; refusing to loop`), this.account, 0);
  }

  call<T>(group: EndpointGroup, endpoint: string, opts: CallOptions, fn: () => Promise<T>, retry = true): Promise<T> {
    const { budget, counter, clock } = this.deps;
    const name = this.account;
    const attempt = () =>
      budget.schedule(
        { account: name, group, lane: opts.lane },
        async () => {
          if (this.stopped) throw this.stopped;
          const at = clock.now();
          try {
            const result = await fn();
            counter.record({ at, account: name, endpoint, lane: opts.lane, ok: true });
            return result;
          } catch (e) {
            counter.record({ at, account: name, endpoint, lane: opts.lane, ok: false });
            const err = classifyError(e, name, clock.now());
            if (err.action === 'backoff') {
              const until = clock.now() + (err.retryAfterMs ?? 1000);
              budget.block(err.limitScope === 'ip' ? 'ip' : { account: name, group }, until);
            }
            if (err.action === 'reauth') {
              this.stopped = err;
              this.deps.onAuthFailure?.(name, err);
            }
            throw err;
          }
        },
        opts.signal,
      );
    if (!retry) return attempt();
    return withRetry(attempt, { policy: retryPolicy(this.deps.retry, opts), clock, signal: opts.signal });
  }
}
