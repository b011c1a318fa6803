import {
  type BusEvent,
  emptyTierCounts,
  type GuardMode,
  type MonitorStats,
  type Order,
  type Position,
  type TierCounts,
  type TieredPosition,
} from '@tierwatch/shared';
import type { EventBus } from '../core/bus.ts';
import type { Clock } from '../core/clock.ts';
import { type Logger, silentLogger } from '../core/logger.ts';
import type { AccountClient, MarketData } from '../exchange/types.ts';
import { AccountActions } from './actions.ts';
import { type BudgetDecision, checkBudget, pages } from './budget.ts';
import { MonitorConfig, type MonitorConfigInput } from './config.ts';
import { PositionBook } from './detect.ts';
import { selectProfile } from './profiles.ts';
import { type Plan, planTick, type SchedAccount, summarize } from './scheduler.ts';
import { FAILED_ENDPOINT, MonitorStatsRecorder, PUBLIC_ACCOUNT } from './stats.ts';

export interface MonitorOptions {
  clients: readonly AccountClient[];
  market: MarketData;
  bus: EventBus;
  clock: Clock;
  config?: MonitorConfigInput;
  logger?: Logger;
  /** Called on every fresh bulk read, so the cache shares the monitor's reads instead of repeating them. */
  onPositions?(account: string, positions: Position[], fetchedAt: number): void;
  onOrders?(account: string, orders: Order[], fetchedAt: number): void;
}

export interface AccountHealth {
  account: string;
  lastReadAt: number | null;
  failures: number;
  consecutiveFailures: number;
  lastError: string | null;
}

export interface AccountState extends SchedAccount, AccountHealth {
  client: AccountClient;
  /** Mirror checks waiting for a read of this (mirror) account that started after `since`. */
  mirrorChecks: { main: string; symbol: string; side: 'long' | 'short'; since: number }[];
}

/**
 * The tiered monitor: a loop that plans (scheduler.ts), fetches in bulk, and feeds every answer to the
 * position book (detect.ts). The loop awaits each ticker call, then sleeps on the injected clock until
 * the next thing falls due: ticks never overlap. Account reads run beside the loop, one in flight per
 * account, so a slow or failing account never delays the critical price checks of the others.
 */
export class Monitor {
  readonly config: MonitorConfig;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly book: PositionBook;
  private readonly stats: MonitorStatsRecorder;
  private readonly accounts = new Map<string, AccountState>();
  private readonly actions: AccountActions;
  private modeNow: GuardMode = 'normal';
  private budget: BudgetDecision;
  private latestStats: MonitorStats | null = null;
  private nextStatsAt: number;
  private pushes = new Map<string, number>();
  private pushMode = false;
  private running: Promise<void> | null = null;
  private stopped = false;
  private wakeCtl: AbortController | null = null;
  private dirty = false;
  private inFlight = new Set<Promise<void>>();

  constructor(private readonly opts: MonitorOptions) {
    this.config = MonitorConfig.parse(opts.config ?? {});
    this.clock = opts.clock;
    this.log = (opts.logger ?? silentLogger).child({ module: 'monitor' });
    const now = this.clock.now();
    this.stats = new MonitorStatsRecorder(this.config.stats.windowMs, now);
    this.nextStatsAt = now + this.config.stats.publishIntervalMs;
    this.book = new PositionBook(this.config.thresholds, {
      publish: (e) => this.publish(e),
      gap: (at, tier, gap) => this.stats.recordGap(at, tier, gap),
      detected: (symbol, at, dataAt) => this.detected(symbol, at, dataAt),
    });
    for (const client of opts.clients) {
      const name = client.account.name;
      if (this.accounts.has(name)) throw new Error(`Monitor: account ${name} given twice`);
      this.accounts.set(name, {
        client,
        name,
        stateReqAt: -Infinity,
        ordersReqAt: -Infinity,
        stateInFlight: false,
        ordersInFlight: false,
        confirm: false,
        lastReadAt: null,
        failures: 0,
        consecutiveFailures: 0,
        lastError: null,
        account: name,
        mirrorChecks: [],
      });
    }
    this.actions = new AccountActions({
      config: this.config,
      clock: this.clock,
      log: this.log,
      market: opts.market,
      book: this.book,
      accounts: this.accounts,
      publish: (e) => this.publish(e),
      recordCall: (endpoint, account, failed) => this.recordCall(endpoint, account, 1, failed),
      requestRead: (account) => this.refreshAccount(account),
    });
    this.budget = this.decideBudget();
  }

  // ── lifecycle ────────────────────────────────────────────────────────────────────────────────────

  start(): void {
    if (this.running) return;
    this.stopped = false;
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.running;
    this.running = null;
    await Promise.allSettled([...this.inFlight]);
  }

  /** The execution guard's switch: 'critical-only' pauses every tier but CRITICAL (and TP/SL handling). */
  setMode(mode: GuardMode): void {
    if (mode === this.modeNow) return;
    this.modeNow = mode;
    this.log.info({ mode }, 'monitor mode');
    this.wake();
  }

  get mode(): GuardMode {
    return this.modeNow;
  }

  /** Read this account's positions at once (e.g. after an execution opened one); no-op for unknown names. */
  refreshAccount(account: string): void {
    const a = this.accounts.get(account);
    if (!a) return;
    a.confirm = true;
    this.wake();
  }

  /** Benchmarks and tests: a price for `symbol` was pushed at `at`; detection latency is measured from it. */
  notePricePushed(symbol: string, at = this.clock.now()): void {
    this.pushMode = true;
    if (!this.pushes.has(symbol)) this.pushes.set(symbol, at);
  }

  // ── read API (HTTP routes, WebSocket snapshot) ───────────────────────────────────────────────────

  positions(account?: string): TieredPosition[] {
    const src = account === undefined ? this.book.entries.values() : this.book.accountEntries(account);
    const out: TieredPosition[] = [];
    for (const e of src) if (e.tiered) out.push(e.tiered);
    return out;
  }

  tierCounts(account?: string): TierCounts {
    const counts = emptyTierCounts();
    const src = account === undefined ? this.book.entries.values() : this.book.accountEntries(account);
    for (const e of src) counts[e.tier]++;
    return counts;
  }

  /** The latest published stats; null before the first. */
  latest(): MonitorStats | null {
    return this.latestStats;
  }

  /** Stats computed now, from the counts so far. */
  computeStats(): MonitorStats {
    return this.stats.snapshot(this.clock.now(), {
      positions: this.book.entries.size,
      tierCounts: this.tierCounts(),
      intervals: this.budget.intervals,
      stretched: this.budget.stretched,
      guardMode: this.modeNow,
    });
  }

  /** Tier for a position the API fetched itself, with what the monitor knows of its orders and activity. */
  classifyNow(position: Position): TieredPosition {
    return this.book.classifyNow(position, this.clock.now());
  }

  accountHealth(): AccountHealth[] {
    return [...this.accounts.values()].map(({ account, lastReadAt, failures, consecutiveFailures, lastError }) => ({
      account,
      lastReadAt,
      failures,
      consecutiveFailures,
      lastError,
    }));
  }

  // ── the loop ─────────────────────────────────────────────────────────────────────────────────────

  private async loop(): Promise<void> {
    let sameInstant = 0;
    let lastNow = Number.NaN;
    while (!this.stopped) {
      const now = this.clock.now();
      sameInstant = now === lastNow ? sameInstant + 1 : 0;
      lastNow = now;
      let plan: Plan | null = null;
      try {
        if (now >= this.nextStatsAt) this.publishStats(now);
        plan = this.plan(now);
        const work = plan.ticker || plan.stateReads.length > 0 || plan.orderReads.length > 0;
        if (work && sameInstant < 10) {
          await this.dispatch(plan, now);
          continue;
        }
      } catch (err) {
        this.log.error({ err }, 'monitor tick failed');
      }
      if (this.stopped) break;
      if (this.dirty) {
        this.dirty = false;
        if (sameInstant < 10) continue;
      }
      const wakeAt = Math.min(plan?.nextDueAt ?? now + 1000, this.nextStatsAt);
      this.wakeCtl = new AbortController();
      await this.clock.sleep(Math.max(1, wakeAt - now), this.wakeCtl.signal).catch(() => {});
      this.wakeCtl = null;
    }
  }

  private wake(): void {
    this.dirty = true;
    this.wakeCtl?.abort();
  }

  private decideBudget(): BudgetDecision {
    const load = summarize(this.book.entries.values(), [...this.accounts.keys()]);
    const profile = selectProfile(this.config.profiles, this.book.entries.size);
    return checkBudget(load, profile, this.config);
  }

  private plan(now: number): Plan {
    const load = summarize(this.book.entries.values(), [...this.accounts.keys()]);
    const profile = selectProfile(this.config.profiles, this.book.entries.size);
    const decision = checkBudget(load, profile, this.config);
    if (decision.stretched !== this.budget.stretched || decision.intervals.profile !== this.budget.intervals.profile) {
      this.log.info(
        { profile: decision.intervals.profile, stretched: decision.stretched, stretch: decision.intervals.stretch },
        'monitor intervals changed',
      );
    }
    this.budget = decision;
    return planTick(
      {
        now,
        mode: this.modeNow,
        slackMs: this.config.slackMs,
        tickerScope: this.config.tickerScope,
        intervals: decision.intervals,
        entries: this.book.entries.values(),
        accounts: [...this.accounts.values()],
      },
      load.byAccount,
    );
  }

  private async dispatch(plan: Plan, now: number): Promise<void> {
    for (const r of plan.stateReads) this.track(this.readPositions(r.account, r.lane, now));
    for (const r of plan.orderReads) this.track(this.readOrders(r.account, r.lane, now));
    if (plan.ticker) await this.readTickers(plan.ticker.symbols, plan.ticker.lane, now);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => {
      this.inFlight.delete(p);
      this.wake();
    });
  }

  // ── bulk reads ───────────────────────────────────────────────────────────────────────────────────

  private async readTickers(symbols: string[], lane: Plan['stateReads'][number]['lane'], start: number): Promise<void> {
    this.book.markRequested(symbols, start);
    try {
      const tickers = await this.opts.market.fetchTickers(symbols, { lane });
      this.recordCall('tickers', PUBLIC_ACCOUNT, 1);
      const confirm = this.book.applyTickers(tickers, this.clock.now());
      // A pushed price that this answer must have carried but that raised no event is not a detection.
      for (const t of tickers) {
        const pushed = this.pushes.get(t.symbol);
        if (pushed !== undefined && pushed <= start) this.pushes.delete(t.symbol);
      }
      for (const account of confirm) this.refreshAccount(account);
    } catch (err) {
      this.recordCall('tickers', PUBLIC_ACCOUNT, 1, true);
      this.log.warn({ err: String(err) }, 'ticker read failed');
    }
  }

  private async readPositions(name: string, lane: Plan['stateReads'][number]['lane'], start: number): Promise<void> {
    const a = this.accounts.get(name);
    if (!a) return;
    a.confirm = false;
    a.stateReqAt = start;
    a.stateInFlight = true;
    try {
      const positions = await a.client.fetchPositions({ lane });
      const at = this.clock.now();
      this.recordCall('positions', name, pages(positions.length, this.config.positionsPageSize));
      this.succeeded(a, at);
      this.hook(() => this.opts.onPositions?.(name, positions, at));
      const result = this.book.applyPositions(name, positions, start, at);
      await this.actions.afterPositions(a, result, start);
    } catch (err) {
      this.failed(a, 'positions', err);
    } finally {
      a.stateInFlight = false;
    }
  }

  private async readOrders(name: string, lane: Plan['orderReads'][number]['lane'], start: number): Promise<void> {
    const a = this.accounts.get(name);
    if (!a) return;
    a.ordersReqAt = start;
    a.ordersInFlight = true;
    try {
      const orders = await a.client.fetchOpenOrders({ lane });
      const at = this.clock.now();
      this.recordCall('orders', name, pages(orders.length, this.config.ordersPageSize));
      this.hook(() => this.opts.onOrders?.(name, orders, at));
      this.book.applyOrders(name, orders, at);
    } catch (err) {
      this.failed(a, 'orders', err);
    } finally {
      a.ordersInFlight = false;
    }
  }

  private succeeded(a: AccountState, at: number): void {
    a.lastReadAt = at;
    a.consecutiveFailures = 0;
  }

  /** Contained: the account keeps its last state, the failure is counted, logged and shown in stats. */
  private failed(a: AccountState, endpoint: string, err: unknown): void {
    a.failures++;
    a.consecutiveFailures++;
    a.lastError = err instanceof Error ? err.message : String(err);
    this.recordCall(endpoint, a.name, 1, true);
    this.log.warn(
      { account: a.name, endpoint, err: a.lastError, consecutive: a.consecutiveFailures },
      'account read failed',
    );
  }

  private hook(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.warn({ err: String(err) }, 'monitor read hook threw');
    }
  }

  // ── events and stats ─────────────────────────────────────────────────────────────────────────────

  private recordCall(endpoint: string, account: string, n: number, failed = false): void {
    const now = this.clock.now();
    this.stats.recordCall(now, endpoint, account, n);
    if (failed) this.stats.recordCall(now, FAILED_ENDPOINT, account, 1);
  }

  private publish(event: BusEvent): void {
    this.opts.bus.publish(event);
  }

  private detected(symbol: string, at: number, dataAt: number): void {
    const pushed = this.pushes.get(symbol);
    if (pushed !== undefined) {
      this.pushes.delete(symbol);
      this.stats.recordDetection(at, at - pushed);
    } else if (!this.pushMode) this.stats.recordDetection(at, at - dataAt);
  }

  private publishStats(now: number): void {
    this.latestStats = this.computeStats();
    this.nextStatsAt = now + this.config.stats.publishIntervalMs;
    this.publish({ type: 'stats', at: now, stats: this.latestStats });
  }
}
