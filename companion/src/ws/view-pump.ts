import type { AccountFreshness, TieredPosition } from '@tierwatch/shared';
import type { Clock } from '../core/clock.ts';
import type { SharedView, ViewCursor } from './shared-view.ts';
import { viewSlot } from './view-change.ts';

/** A socket as the pump sees it (the hub's Subscriber). */
export interface ViewTarget {
  readonly view: ViewCursor;
  readonly lastViewAt: number;
  /** Sent every event up to the hub's newest seq, not lagging, not waiting for a snapshot. */
  readonly caughtUp: boolean;
  readonly lastSent: number;
  sendView(frame: Buffer, gen: number, now: number): void;
}

export interface ViewPumpDeps {
  view: SharedView;
  clock: Clock;
  /** 1000 / ws.viewUpdatesPerSec. */
  slotMs: number;
  targets(): Iterable<ViewTarget>;
  /** The book as it is now (synchronous: the view and the hub's seq are taken in one turn). */
  read(): { positions: readonly TieredPosition[]; freshness?: readonly AccountFreshness[] };
  /** The generation of a snapshot still cached for new sockets (its removals must be kept), or null. */
  snapshotGen(): number | null;
  onError(err: unknown): void;
}

/** Never refresh the view more often than this, however many events ask (a burst of tier changes). */
const MIN_REFRESH_MS = 20;
/** Timers and Date.now() disagree by a millisecond: a slot due now is not made to wait a whole slot more. */
const SLOT_TOLERANCE_MS = 2;

/**
 * Sends each socket its positions-updated: wakes on its own every slot (marks drift without events), at
 * once when kicked (an event changed the book, a laggard drained), refreshes the one shared view, and
 * offers each socket whose slot is open and that is caught up the frame for its cursor. The cost of a
 * round is one read of the book plus one encoding per distinct cursor, not one per socket.
 */
export class ViewPump {
  private wake: AbortController | null = null;
  private closed = false;
  private lastRefreshAt = Number.NEGATIVE_INFINITY;
  private running: Promise<void> | null = null;
  rounds = 0;

  constructor(private readonly d: ViewPumpDeps) {}

  /** Frames encoded for positions-updated (one per distinct cursor and seq, however many sockets take it). */
  get frameBuilds(): number {
    return this.d.view.builds;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Look now (coalesced: every kick in one turn wakes the loop once, after that turn). */
  kick(): void {
    this.wake?.abort();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.kick();
    await this.running;
  }

  private async loop(): Promise<void> {
    const { clock, slotMs } = this.d;
    while (!this.closed) {
      let wakeAt = clock.now() + slotMs;
      try {
        wakeAt = Math.min(wakeAt, this.round());
      } catch (err) {
        this.d.onError(err);
      }
      this.wake = new AbortController();
      await clock.sleep(Math.max(1, wakeAt - clock.now()), this.wake.signal).catch(() => {});
      this.wake = null;
    }
  }

  /** One round; returns when the next slot opens for a socket left waiting (Infinity when none is). */
  round(): number {
    const { view, clock, slotMs } = this.d;
    const targets = [...this.d.targets()];
    if (targets.length === 0) return Number.POSITIVE_INFINITY;
    const now = clock.now();
    if (now - this.lastRefreshAt < MIN_REFRESH_MS) return this.lastRefreshAt + MIN_REFRESH_MS;
    // Nobody could take an update now: the refresh waits for the first slot to open.
    const slotsOpenAt = Math.min(...targets.filter((t) => t.caughtUp).map((t) => t.lastViewAt + slotMs));
    if (slotsOpenAt > now + SLOT_TOLERANCE_MS) return slotsOpenAt;
    this.lastRefreshAt = now;
    this.rounds++;
    const book = this.d.read();
    view.refresh(book.positions, book.freshness ?? [], now);
    let wakeAt = Number.POSITIVE_INFINITY;
    let oldest = view.gen;
    for (const t of targets) {
      const slot = viewSlot(
        { lastViewAt: t.lastViewAt, caughtUp: t.caughtUp, behind: view.behind(t.view) },
        now + SLOT_TOLERANCE_MS,
        slotMs,
      );
      if (slot.send) t.sendView(view.frame(t.view, t.lastSent), view.gen, now);
      else if (slot.wakeAt !== null) wakeAt = Math.min(wakeAt, slot.wakeAt);
      oldest = Math.min(oldest, t.view.gen);
    }
    view.prune(Math.min(oldest, this.d.snapshotGen() ?? Number.POSITIVE_INFINITY));
    return wakeAt;
  }
}
