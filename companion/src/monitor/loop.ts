import type { GuardMode } from '@tierwatch/shared';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { MonitorConfig } from './config.ts';
import type { Planner } from './planner.ts';
import type { BulkReads } from './reads.ts';
import type { Plan } from './scheduler.ts';
import type { StreamFeed } from './streams.ts';

export interface LoopDeps {
  config: MonitorConfig;
  clock: Clock;
  log: Logger;
  planner: Planner;
  reads: BulkReads;
  feed: StreamFeed | null;
  mode(): GuardMode;
  /** When the next stats are due, and publishing them (then the next due time moves on). */
  statsDueAt(): number;
  publishStats(now: number): void;
}

/**
 * The monitor's loop: plans (planner.ts), dispatches the reads, and sleeps on the injected clock until the
 * next thing falls due. It awaits each ticker call (bounded by one critical interval), so ticks never
 * overlap; account reads run beside it, one in flight per account, so a slow or failing account never
 * delays the critical price checks of the others. Steps the streams' source machines every streamCheckMs.
 */
export class MonitorLoop {
  private running: Promise<void> | null = null;
  private stopped = false;
  private wakeCtl: AbortController | null = null;
  private dirty = false;
  private readonly inFlight = new Set<Promise<void>>();
  private nextStreamCheckAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly d: LoopDeps) {}

  start(): void {
    if (this.running) return;
    this.stopped = false;
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.running;
    this.running = null;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Something changed (a confirm asked for, a mode switch, a read landed): plan again now. */
  wake(): void {
    this.dirty = true;
    this.wakeCtl?.abort();
  }

  private async run(): Promise<void> {
    const { clock, feed } = this.d;
    let sameInstant = 0;
    let lastNow = Number.NaN;
    while (!this.stopped) {
      const now = clock.now();
      sameInstant = now === lastNow ? sameInstant + 1 : 0;
      lastNow = now;
      let plan: Plan | null = null;
      try {
        if (now >= this.d.statsDueAt()) this.d.publishStats(now);
        if (feed && now >= this.nextStreamCheckAt) {
          this.nextStreamCheckAt = now + this.d.config.streamCheckMs;
          feed.tick(now);
        }
        plan = this.d.planner.plan(now, this.d.mode());
        const work = plan.ticker || plan.stateReads.length > 0 || plan.orderReads.length > 0;
        if (work && sameInstant < 10) {
          await this.dispatch(plan, now);
          continue;
        }
      } catch (err) {
        this.d.log.error({ err }, 'monitor tick failed');
      }
      if (this.stopped) break;
      if (this.dirty) {
        this.dirty = false;
        if (sameInstant < 10) continue;
      }
      let wakeAt = Math.min(plan?.nextDueAt ?? now + 1000, this.d.statsDueAt());
      if (feed) wakeAt = Math.min(wakeAt, this.nextStreamCheckAt);
      this.wakeCtl = new AbortController();
      await clock.sleep(Math.max(1, wakeAt - now), this.wakeCtl.signal).catch(() => {});
      this.wakeCtl = null;
    }
  }

  private async dispatch(plan: Plan, now: number): Promise<void> {
    const { reads, clock } = this.d;
    for (const r of plan.stateReads) this.track(reads.positions(r.account, r.lane, now));
    for (const r of plan.orderReads) this.track(reads.orders(r.account, r.lane, now));
    if (!plan.ticker) return;
    const critical = this.d.planner.budget.intervals.tiers.CRITICAL;
    const read = reads.tickers(plan.ticker.symbols, plan.ticker.lane, now, critical, plan.ticker.pacedAt);
    this.inFlight.add(read);
    void read.finally(() => this.inFlight.delete(read));
    // Wait for the prices, but never longer than one critical interval: a hung or failing price read must
    // not hold back the next critical check. A later read starts on schedule; a late answer is dropped.
    const limit = new AbortController();
    await Promise.race([read, clock.sleep(critical, limit.signal).catch(() => {})]);
    limit.abort();
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => {
      this.inFlight.delete(p);
      this.wake();
    });
  }
}
