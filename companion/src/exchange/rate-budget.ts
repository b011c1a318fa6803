import type { Clock } from '../core/clock.ts';
import { LANES, type Lane } from './types.ts';

/**
 * The companion's one rate budget. Every exchange call passes through here, so the exchange's caps hold
 * for the whole process: the per-IP cap shared by every account (Bybit: 600 / 5 s) and each account's
 * per-endpoint caps (Bybit: 50/s for position and order reads, 10/s for order create and trading-stop).
 *
 * Why not p-queue or bottleneck: a call may go only when BOTH its IP window and its account window have
 * room, checked at the same instant. Chaining two paced queues cannot promise that: a backlog that waited
 * in one is released in a burst into the other. So dispatch is a small loop over priority lanes with two
 * sliding windows, and calls are paced evenly (one every window/max), so that a call arriving in a higher
 * lane waits at most one slot behind everything already queued below it.
 */

export interface Limit {
  max: number;
  windowMs: number;
}

export type EndpointGroup = 'market' | 'position-read' | 'order-read' | 'account-read' | 'order-write' | 'trading-stop';

export interface RateBudgetOptions {
  ip: Limit;
  /** Per-account caps by endpoint group; a group without one is limited by the IP cap only. */
  perAccount: Partial<Record<EndpointGroup, Limit>>;
  /** Fraction of the exchange's caps the companion allows itself (headroom for clock skew and other tools). */
  share: number;
  /** Calls in flight at once, across everything. */
  maxInFlight: number;
  clock: Clock;
}

export interface CallTicket {
  account: string | null;
  group: EndpointGroup;
  lane: Lane;
}

interface Waiting {
  ticket: CallTicket;
  run: () => void;
  enqueuedAt: number;
}

/** A sliding window of send times plus even pacing. */
class PacedWindow {
  readonly max: number;
  readonly gapMs: number;
  private sends: number[] = [];
  private nextAt = 0;
  private blockedUntil = 0;

  constructor(
    limit: Limit,
    share: number,
    readonly windowMs = limit.windowMs,
  ) {
    this.max = Math.max(1, Math.floor(limit.max * share));
    this.gapMs = windowMs / this.max;
  }

  /**
   * The earliest time a send may happen (now when it may happen now). `paced: false` skips the even
   * spacing but never the window's cap or a block: an execution's legs go out together.
   */
  readyAt(now: number, paced = true): number {
    while (this.sends.length > 0 && this.sends[0]! <= now - this.windowMs) this.sends.shift();
    const windowFreeAt = this.sends.length < this.max ? now : this.sends[0]! + this.windowMs;
    return Math.max(now, paced ? this.nextAt : now, this.blockedUntil, windowFreeAt);
  }

  record(now: number): void {
    this.sends.push(now);
    // Pace from the slot's due time, not from when the timer fired: a late timer (a busy event loop) may
    // catch up by one slot instead of losing it. The sliding window still bounds every window at `max`.
    this.nextAt = Math.max(this.nextAt, now - this.gapMs) + this.gapMs;
  }

  block(until: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, until);
  }
}

export class RateBudget {
  private readonly ip: PacedWindow;
  private readonly accountWindows = new Map<string, PacedWindow>();
  private readonly lanes = new Map<Lane, Waiting[]>(LANES.map((l) => [l, []]));
  private inFlight = 0;
  private timer: AbortController | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private queued = 0;

  constructor(private readonly opts: RateBudgetOptions) {
    this.ip = new PacedWindow(opts.ip, opts.share);
  }

  /** Calls per second the budget allows across the whole process. */
  get ratePerSec(): number {
    return (this.ip.max / this.opts.ip.windowMs) * 1000;
  }

  /** One slot of the IP cap, in ms: the unit of "waited at most one slot". */
  get slotMs(): number {
    return this.ip.gapMs;
  }

  get pending(): number {
    return this.queued;
  }

  /** Runs `fn` when the budget allows, in lane order; rejects with the signal's reason if aborted while waiting. */
  schedule<T>(ticket: CallTicket, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const waiting: Waiting = {
        ticket,
        enqueuedAt: this.opts.clock.now(),
        run: () => {
          signal?.removeEventListener('abort', onAbort);
          this.inFlight++;
          // A function that throws instead of rejecting must still free its slot (and not throw into pump).
          let p: Promise<T>;
          try {
            p = fn();
          } catch (err) {
            p = Promise.reject(err);
          }
          p.then(resolve, reject).finally(() => {
            this.inFlight--;
            this.pump();
          });
        },
      };
      const queue = this.lanes.get(ticket.lane)!;
      const onAbort = () => {
        const i = queue.indexOf(waiting);
        if (i >= 0) {
          queue.splice(i, 1);
          this.queued--;
        }
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(waiting);
      this.queued++;
      this.pump();
    });
  }

  /** The exchange said slow down: nothing more for this account's group (or the whole IP) until `until`. */
  block(scope: { account: string; group: EndpointGroup } | 'ip', until: number): void {
    if (scope === 'ip') this.ip.block(until);
    else this.windowFor(scope.account, scope.group)?.block(until);
    this.pump();
  }

  private windowFor(account: string | null, group: EndpointGroup): PacedWindow | undefined {
    const limit = this.opts.perAccount[group];
    if (!limit || account === null) return undefined;
    const key = `${account}\u0000${group}`;
    let w = this.accountWindows.get(key);
    if (!w) {
      w = new PacedWindow(limit, this.opts.share);
      this.accountWindows.set(key, w);
    }
    return w;
  }

  private pump(): void {
    for (;;) {
      if (this.queued === 0 || this.inFlight >= this.opts.maxInFlight) return;
      const now = this.opts.clock.now();
      // Execution calls skip the even spacing (never the caps): a trade's checks and legs go out at once.
      const ipPacedAt = this.ip.readyAt(now);
      const ipUnpacedAt = this.ip.readyAt(now, false);
      const ipFreeAt = this.lanes.get('execution')!.length > 0 ? ipUnpacedAt : ipPacedAt;
      if (ipFreeAt > now) {
        this.wakeAt(ipFreeAt);
        return;
      }
      let earliest = Number.POSITIVE_INFINITY;
      let chosen: { queue: Waiting[]; index: number; account?: PacedWindow } | null = null;
      // Most urgent lane first; within a lane, the oldest call whose account has room (a busy account
      // does not hold up calls for the others).
      outer: for (const lane of LANES) {
        const queue = this.lanes.get(lane)!;
        for (let i = 0; i < queue.length; i++) {
          const paced = lane !== 'execution';
          const account = this.windowFor(queue[i]!.ticket.account, queue[i]!.ticket.group);
          const at = Math.max(paced ? ipPacedAt : ipUnpacedAt, account?.readyAt(now, paced) ?? now);
          if (at <= now) {
            chosen = { queue, index: i, account };
            break outer;
          }
          earliest = Math.min(earliest, at);
        }
      }
      if (!chosen) {
        this.wakeAt(earliest);
        return;
      }
      const [waiting] = chosen.queue.splice(chosen.index, 1);
      this.queued--;
      this.ip.record(now);
      chosen.account?.record(now);
      waiting!.run();
    }
  }

  private wakeAt(at: number): void {
    if (!Number.isFinite(at) || at >= this.timerAt) return;
    this.timer?.abort();
    const timer = new AbortController();
    this.timer = timer;
    this.timerAt = at;
    this.opts.clock.sleep(at - this.opts.clock.now(), timer.signal).then(
      () => {
        if (this.timer !== timer) return;
        this.timer = null;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.pump();
      },
      () => {},
    );
  }
}
