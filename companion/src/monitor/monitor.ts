import {
  type BusEvent,
  emptyTierCounts,
  type GuardMode,
  type KeyHealth,
  type MonitorStats,
  type Order,
  type Position,
  type TierCounts,
  type TieredPosition,
} from '@tierwatch/shared';
import type { EventBus } from '../core/bus.ts';
import type { Clock } from '../core/clock.ts';
import { type Logger, silentLogger } from '../core/logger.ts';
import type { AccountClient, MarketData, Streams } from '../exchange/types.ts';
import { type AccountHealth, type AccountState, health, newAccountState } from './accounts.ts';
import { AccountActions, type ActionsDeps } from './actions.ts';
import { MonitorConfig } from './config.ts';
import { lastMark } from './entry.ts';
import { MonitorLoop } from './loop.ts';
import { Planner } from './planner.ts';
import { PositionBook } from './position-book.ts';
import { BulkReads } from './reads.ts';
import { DetectionLatency, FAILED_ENDPOINT, MonitorStatsRecorder } from './stats.ts';
import { type FeedStats, StreamFeed } from './streams.ts';

export interface MonitorOptions {
  clients: readonly AccountClient[];
  market: MarketData;
  bus: EventBus;
  clock: Clock;
  /** Parsed MonitorConfig (the config's `monitor:` section); defaults when absent. */
  config?: MonitorConfig;
  logger?: Logger;
  /** Called on every fresh bulk read, so the cache shares the monitor's reads instead of repeating them. */
  onPositions?(account: string, positions: Position[], fetchedAt: number): void;
  onOrders?(account: string, orders: Order[], fetchedAt: number): void;
  /** The account's key health (accounts/watch.ts), carried in its AccountHealth for the popup. */
  keyHealth?(account: string): KeyHealth | null;
  /** The exchange's streams: with `source: stream` (the default) pushes feed the book and REST reconciles. */
  streams?: Streams;
}

/** What the monitor's parts share: the actions' needs, with the accounts map the feed also writes. */
type MonitorParts = ActionsDeps & { accounts: Map<string, AccountState> };

/**
 * The tiered monitor: the position book (position-book.ts) fed by bulk reads (reads.ts) on the plan of the
 * scheduler (planner.ts), in a loop that never overlaps its ticks (loop.ts), and, with `source: stream`,
 * by the streams' pushes (streams.ts). This class wires them and serves what they know: positions, tier
 * counts, stats and health.
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
  private latestStats: MonitorStats | null = null;
  private nextStatsAt: number;
  private readonly latency: DetectionLatency;
  private readonly reads: BulkReads;
  private readonly planner: Planner;
  private readonly loop: MonitorLoop;
  /** The streams' side (streams.ts); null when the monitor polls only. */
  private readonly feed: StreamFeed | null;

  constructor(private readonly opts: MonitorOptions) {
    this.config = opts.config ?? MonitorConfig.parse({});
    this.clock = opts.clock;
    this.log = (opts.logger ?? silentLogger).child({ module: 'monitor' });
    const now = this.clock.now();
    this.stats = new MonitorStatsRecorder(this.config.stats.windowMs, now);
    this.latency = new DetectionLatency(this.stats);
    this.nextStatsAt = now + this.config.stats.publishIntervalMs;
    this.book = this.newBook();
    for (const client of opts.clients) {
      if (this.accounts.has(client.account.name))
        throw new Error(`Monitor: account ${client.account.name} given twice`);
      this.accounts.set(client.account.name, newAccountState(client));
    }
    const deps: MonitorParts = {
      config: this.config,
      clock: this.clock,
      log: this.log,
      market: opts.market,
      book: this.book,
      accounts: this.accounts,
      publish: (e: BusEvent) => this.publish(e),
      recordCall: (endpoint: string, account: string, n: number, failed?: boolean) =>
        this.recordCall(endpoint, account, n, failed),
      // The monitor's own confirm and mirror-check reads: a streamed account's own list stands in for them
      // (streams.ts); REST reconciles it on its cadence. refreshAccount() from outside always reads REST.
      refreshAccount: (account: string) => {
        if (!this.feed?.settleFromStream(account)) this.refreshAccount(account);
      },
    };
    this.actions = new AccountActions(deps);
    this.feed = this.config.source === 'stream' && opts.streams ? this.newFeed(deps, opts.streams) : null;
    this.reads = this.newReads(deps);
    this.planner = new Planner(this.config, this.log, this.book, this.accounts, this.feed);
    this.loop = new MonitorLoop({
      config: this.config,
      clock: this.clock,
      log: this.log,
      planner: this.planner,
      reads: this.reads,
      feed: this.feed,
      mode: () => this.modeNow,
      statsDueAt: () => this.nextStatsAt,
      publishStats: (now) => this.publishStats(now),
    });
  }
  /** The position book, publishing through the monitor and feeding its stats. */
  private newBook(): PositionBook {
    return new PositionBook(
      this.config.thresholds,
      {
        publish: (e) => this.publish(e),
        gap: (at, tier, gap) => this.stats.recordGap(at, tier, gap),
        detected: (symbol, at, dataAt) => this.latency.detected(symbol, at, dataAt),
      },
      {
        closeConfirmMs: this.config.closeConfirmMs,
        instrumentKnown: (symbol) => this.opts.market.instrument(symbol) !== undefined,
      },
    );
  }

  /** The streams' side: every push into the book at once; a stale stream hands its share back to polling. */
  private newFeed(deps: MonitorParts, streams: NonNullable<MonitorOptions['streams']>): StreamFeed {
    return new StreamFeed({
      ...deps,
      streams,
      actions: this.actions,
      latency: this.latency,
      wake: () => this.loop.wake(),
      readNow: (account) => {
        const st = this.accounts.get(account);
        if (!st) return;
        st.confirm = true;
        this.loop.wake();
      },
      onPositions: this.opts.onPositions,
      onOrders: this.opts.onOrders,
    });
  }

  /** The bulk REST reads; with streams, each read is also the streams' reconciliation (the feed's new base). */
  private newReads(deps: ActionsDeps): BulkReads {
    const { feed, opts } = this;
    return new BulkReads({
      ...deps,
      actions: this.actions,
      latency: this.latency,
      onPositions: feed
        ? (a, ps, at) => {
            feed.restPositions(a, ps, at);
            opts.onPositions?.(a, ps, at);
          }
        : opts.onPositions,
      onOrders: feed
        ? (a, os, at) => {
            feed.restOrders(a, os);
            opts.onOrders?.(a, os, at);
          }
        : opts.onOrders,
    });
  }

  // ── lifecycle ────────────────────────────────────────────────────────────────────────────────────

  start(): void {
    this.feed?.start();
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.feed?.stop();
  }

  /**
   * Resolves once every account's positions have been read once (or that read failed), or after `timeoutMs`
   * of the clock: the companion opens its port after it, so no client starts from an empty snapshot.
   */
  async firstRead(timeoutMs: number): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    const pending = () => [...this.accounts.values()].some((a) => a.lastReadAt === null && a.failures === 0);
    while (pending() && this.clock.now() < deadline) await this.clock.sleep(10);
  }

  /** The execution guard's switch: 'critical-only' pauses every tier but CRITICAL (and TP/SL handling). */
  setMode(mode: GuardMode): void {
    if (mode === this.modeNow) return;
    this.modeNow = mode;
    this.log.info({ mode }, 'monitor mode');
    this.loop.wake();
  }

  get mode(): GuardMode {
    return this.modeNow;
  }

  /** Read this account's positions at once (e.g. after an execution opened one); no-op for unknown names. */
  /** The freshest mark heard for a symbol (a push or a read) and when, or null: what actions check levels by. */
  markOf(symbol: string): { price: number; at: number } | null {
    let best: { price: number; at: number } | null = null;
    for (const e of this.book.entries.values())
      if (e.symbol === symbol && e.checkedAt !== null && !(best && best.at >= e.checkedAt))
        best = { price: lastMark(e), at: e.checkedAt };
    return best;
  }

  refreshAccount(account: string): void {
    const a = this.accounts.get(account);
    if (!a) return;
    a.confirm = true;
    this.loop.wake();
  }

  /** Benchmarks and tests: a price for `symbol` was pushed at `at`; detection latency is measured from it. */
  notePricePushed(symbol: string, at = this.clock.now()): void {
    this.latency.pushed(symbol, at);
  }

  // ── read API (HTTP routes, WebSocket snapshot) ───────────────────────────────────────────────────

  positions(account?: string): TieredPosition[] {
    const src = account === undefined ? this.book.entries.values() : this.book.accountEntries(account);
    const out: TieredPosition[] = [];
    for (const e of src) {
      const t = this.book.tiered(e);
      if (t) out.push(t);
    }
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
    const stats = this.stats.snapshot(this.clock.now(), {
      positions: this.book.entries.size,
      tierCounts: this.tierCounts(),
      intervals: this.planner.budget.intervals,
      stretched: this.planner.budget.stretched,
      guardMode: this.modeNow,
      accounts: this.accountHealth(),
      subscriberErrors: this.opts.bus.listenerErrors,
    });
    return this.feed ? { ...stats, streams: this.feed.stats(this.clock.now()) } : stats;
  }

  /** The streams' side of the stats (null when polling only), gaps included. */
  streamStats(): FeedStats | null {
    return this.feed?.stats(this.clock.now(), false) ?? null;
  }

  /** Tier for a position the API fetched itself, with what the monitor knows of its orders and activity. */
  classifyNow(position: Position): TieredPosition {
    return this.book.classifyNow(position, this.clock.now());
  }

  accountHealth(): AccountHealth[] {
    const key = this.opts.keyHealth;
    return [...this.accounts.values()].map((a) => (key ? { ...health(a), key: key(a.account) } : health(a)));
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

  private publishStats(now: number): void {
    this.latestStats = this.computeStats();
    this.nextStatsAt = now + this.config.stats.publishIntervalMs;
    this.publish({ type: 'stats', at: now, stats: this.latestStats });
  }
}
