import type { Order, Position } from '@tierwatch/shared';
import type { Lane } from '../exchange/types.ts';
import type { AccountState } from './accounts.ts';
import type { AccountActions, ActionsDeps } from './actions.ts';
import { pages } from './budget.ts';
import { reportCloses } from './close-reasons.ts';
import { hedgeDelay, hedged } from './hedge.ts';
import { type DetectionLatency, PUBLIC_ACCOUNT } from './stats.ts';

/**
 * The monitor's three bulk reads. Each feeds the position book, the cache hooks and the call counts;
 * each contains its own failure: the account keeps its last state, and the failure is counted, logged
 * and visible in stats and accountHealth().
 */

export interface ReadsDeps extends ActionsDeps {
  actions: AccountActions;
  latency: DetectionLatency;
  onPositions?(account: string, positions: Position[], fetchedAt: number): void;
  onOrders?(account: string, orders: Order[], fetchedAt: number): void;
}

export class BulkReads {
  /** Start of the newest ticker read whose prices were applied: an older answer arriving late is dropped. */
  private newestTickersApplied = Number.NEGATIVE_INFINITY;
  /** How long the latest successful ticker reads took (each attempt on its own): sets the hedge delay. */
  private readonly tickerLatencyMs: number[] = [];

  constructor(private readonly deps: ReadsDeps) {}

  /**
   * ONE ticker call for every account (two when a CRITICAL read is hedged: hedge.ts); a crossing seen here
   * triggers an immediate read of its account. `criticalMs` is the current CRITICAL interval; `pacedAt` the
   * time the next checks are counted from (the scheduler's slot, at or before `start`).
   */
  async tickers(symbols: string[], lane: Lane, start: number, criticalMs: number, pacedAt = start): Promise<void> {
    const { book, clock } = this.deps;
    book.markRequested(symbols, pacedAt);
    let sent = 0;
    try {
      // One quick retry turns a passing 5xx into a late-by-100-ms check instead of a missed one; more would
      // only overlap the next check, which starts one critical interval on whatever happens to this one.
      const read = async (signal?: AbortSignal) => {
        sent++;
        const sentAt = clock.now();
        const list = await this.deps.market.fetchTickers(symbols, { lane, retries: 1, signal });
        this.tickerLatencyMs.push(clock.now() - sentAt);
        if (this.tickerLatencyMs.length > 32) this.tickerLatencyMs.shift();
        return list;
      };
      const tickers =
        lane === 'critical'
          ? (await hedged(read, hedgeDelay(this.tickerLatencyMs, this.deps.config.hedgeMinMs, criticalMs / 2), clock))
              .value
          : await read();
      this.deps.recordCall('tickers', PUBLIC_ACCOUNT, sent);
      if (start < this.newestTickersApplied) return;
      this.newestTickersApplied = start;
      const confirm = book.applyTickers(tickers, clock.now());
      this.deps.latency.seen(tickers, start);
      for (const account of confirm) this.deps.refreshAccount(account);
    } catch (err) {
      this.deps.recordCall('tickers', PUBLIC_ACCOUNT, sent, true);
      this.deps.log.warn({ err: String(err) }, 'ticker read failed');
    }
  }

  /** Every position of one account (all pages: one bulk call), then the follow-up actions. */
  async positions(name: string, lane: Lane, start: number): Promise<void> {
    const a = this.deps.accounts.get(name);
    if (!a) return;
    a.confirm = false;
    a.stateReqAt = start;
    a.stateInFlight = true;
    try {
      const positions = await a.client.fetchPositions({ lane });
      const at = this.deps.clock.now();
      this.deps.recordCall('positions', name, pages(positions.length, this.deps.config.positionsPageSize));
      a.lastReadAt = at;
      a.consecutiveFailures = 0;
      // The cache dates data by when its call started (the conservative end): so does this.
      this.hook(() => this.deps.onPositions?.(name, positions, start));
      const result = this.deps.book.applyPositions(name, positions, start, at);
      // A position missing without a price to explain it is only closed by a second read: ask for it.
      if (result.unconfirmed.length > 0) this.deps.refreshAccount(name);
      // Why each close happened, from the exchange's history, before the mirrors are checked against it.
      await reportCloses(this.deps, a, result.closed);
      await this.deps.actions.afterPositions(a, result, start);
    } catch (err) {
      this.failed(a, 'positions', err);
    } finally {
      a.stateInFlight = false;
    }
  }

  async orders(name: string, lane: Lane, start: number): Promise<void> {
    const a = this.deps.accounts.get(name);
    if (!a) return;
    a.ordersReqAt = start;
    a.ordersInFlight = true;
    try {
      const orders = await a.client.fetchOpenOrders({ lane });
      const at = this.deps.clock.now();
      this.deps.recordCall('orders', name, pages(orders.length, this.deps.config.ordersPageSize));
      this.hook(() => this.deps.onOrders?.(name, orders, start));
      this.deps.book.applyOrders(name, orders, at);
    } catch (err) {
      this.failed(a, 'orders', err);
    } finally {
      a.ordersInFlight = false;
    }
  }

  private failed(a: AccountState, endpoint: string, err: unknown): void {
    a.failures++;
    a.consecutiveFailures++;
    a.lastError = err instanceof Error ? err.message : String(err);
    this.deps.recordCall(endpoint, a.name, 1, true);
    this.deps.log.warn(
      { account: a.name, endpoint, err: a.lastError, consecutive: a.consecutiveFailures },
      'account read failed',
    );
  }

  private hook(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.log.warn({ err: String(err) }, 'monitor read hook threw');
    }
  }
}
