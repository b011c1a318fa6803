import type { ErrorCode } from '@tierwatch/shared';
import type { WebSocket } from 'ws';
import { type Bucket, type BucketRate, fullBucket, take } from './rate.ts';
import type { EventRing } from './ring.ts';
import type { ViewCursor } from './shared-view.ts';
import type { ViewTarget } from './view-pump.ts';

/** What a subscriber needs from its hub: the ring, the newest seq, fresh snapshots, limits, counters. */
export interface SubscriberHost {
  readonly ring: EventRing;
  lastSeq(): number;
  /** A snapshot frame built now; its seq is `lastSeq()` at this very moment, `gen` the view it holds. */
  snapshot(): { seq: number; frame: Buffer; gen: number };
  /** The socket caught up after lagging: it may be owed a view update. */
  caughtUp(): void;
  now(): number;
  readonly queueBytes: number;
  /** How many `resume` frames a socket may send (see WsConfig.resumeBurst). */
  readonly resumeRate: BucketRate;
  count(what: 'replays' | 'snapshots' | 'resnapshots' | 'lagged' | 'resumes'): void;
  onSocketError(id: number, err: Error): void;
  onSnapshotError(id: number, err: unknown): void;
}

const OPEN = 1;

/**
 * One socket's view of the stream. Its invariant: it has been sent every event up to `lastSent`, in order,
 * and nothing after — either live, or replayed from the ring, or summarised by a snapshot at `lastSent`.
 *
 * Isolation: the bus hands every event to every subscriber synchronously, and `offer` never waits. When
 * the socket holds more than `queueBytes` unsent, the subscriber stops writing (it is "lagging"; the
 * events wait in the shared ring, so its memory stays bounded) until the socket drained, then catches up
 * from the ring — or, if the ring moved past it meanwhile, with a fresh snapshot (a resnapshot). One
 * that stays stuck is terminated by the hub's sweep; it reconnects with lastSeq like after any drop.
 *
 * Every write path (live, replay, snapshot, resume) goes through the same bound: nothing a client sends
 * makes the hub queue more for it, and only progress (something written) renews `lagSince`.
 */
export class Subscriber implements ViewTarget {
  lastSent = 0;
  /** The shared view's generation this socket has been sent (positions-updated, or its snapshot). */
  view: ViewCursor = { gen: 0, allAccounts: false };
  lastViewAt = Number.NEGATIVE_INFINITY;
  lagging = false;
  lagSince = 0;
  lastSeenAt: number;
  private closed = false;
  /** The client needs a snapshot (it resumed from a seq never issued) before any event. */
  private needsSnapshot = false;
  private resumes: Bucket;

  constructor(
    readonly id: number,
    readonly ws: WebSocket,
    private readonly host: SubscriberHost,
  ) {
    this.lastSeenAt = host.now();
    this.resumes = fullBucket(host.resumeRate, this.lastSeenAt);
    ws.on('pong', () => this.seen());
    ws.on('error', (err) => host.onSocketError(id, err));
  }

  /** After hello: replay from `lastSeq` when the ring still covers it, else a snapshot. */
  start(lastSeq: number | null): void {
    if (lastSeq !== null && this.host.ring.after(lastSeq, this.host.lastSeq()) !== null) {
      this.lastSent = lastSeq;
      this.host.count('replays');
      this.catchUp();
    } else {
      this.sendSnapshot();
    }
  }

  /**
   * A `resume` message mid-connection: the client says it has everything up to `lastSeq`. False, and
   * nothing done, when the socket is past its resume rate (the hub closes it).
   */
  resume(lastSeq: number): boolean {
    const { bucket, ok } = take(this.resumes, this.host.resumeRate, this.host.now());
    this.resumes = bucket;
    if (!ok) return false;
    this.host.count('resumes');
    if (lastSeq > this.host.lastSeq()) {
      this.needsSnapshot = true; // a seq we never issued: start over
    } else {
      this.needsSnapshot = false;
      this.lastSent = lastSeq;
      this.host.count('replays');
      // The client drops every positions-updated from past its gap (ahead of its seq), and those written
      // before this resume were counted as sent: its next update carries the whole view again, in full.
      this.view = { gen: 0, allAccounts: true };
    }
    this.catchUp();
    return true;
  }

  /** A new event (seq = lastSeq()). Never blocks: written now, or left in the ring for catch-up. */
  offer(seq: number, frame: Buffer): void {
    if (this.closed || this.lagging) return;
    if (seq !== this.lastSent + 1) {
      this.catchUp();
    } else if (this.overBound()) {
      this.lag(false);
    } else {
      this.write(frame);
      this.lastSent = seq;
    }
  }

  /**
   * Never ahead of an event it has not been sent, never while lagging: the view reflects the book as of the
   * hub's newest seq, so only a socket at that seq may take it (a laggard is served once it drained).
   */
  get caughtUp(): boolean {
    return (
      !this.closed &&
      !this.lagging &&
      !this.needsSnapshot &&
      this.lastSent === this.host.lastSeq() &&
      this.ws.readyState === OPEN
    );
  }

  /** A positions-updated frame, through the same queue bound as every other write. */
  sendView(frame: Buffer, gen: number, now: number): void {
    if (!this.caughtUp) return;
    if (this.overBound()) {
      this.lag(false);
      return;
    }
    this.write(frame);
    this.view = { gen, allAccounts: false };
    this.lastViewAt = now;
  }

  send(message: object): void {
    this.write(Buffer.from(JSON.stringify(message)));
  }

  error(code: ErrorCode, message: string): void {
    this.send({ type: 'error', code, message });
  }

  seen(): void {
    this.lastSeenAt = this.host.now();
  }

  close(): void {
    this.closed = true;
  }

  /** The hub's sweep: a lagging socket that drained without us noticing (belt and braces) catches up. */
  poke(): void {
    if (this.lagging && this.ws.bufferedAmount <= this.host.queueBytes / 4) this.catchUp();
  }

  /**
   * Stops writing until the socket drains. `lagSince` marks the last progress: it is set on entering the
   * lagging state and renewed only when something was written meanwhile, so a stuck socket ages towards
   * the stall timeout however many frames its client sends.
   */
  private lag(progressed: boolean): void {
    if (!this.lagging) {
      this.host.count('lagged');
      this.lagging = true;
      this.lagSince = this.host.now();
    } else if (progressed) {
      this.lagSince = this.host.now();
    }
    // No timer: the write callbacks of what is queued fire as the socket drains (see onFlushed).
  }

  private overBound(): boolean {
    return this.ws.bufferedAmount > this.host.queueBytes;
  }

  /** Sends what the client misses (ring or snapshot) up to the queue bound; stays lagging past it. */
  private catchUp(): void {
    if (this.closed || this.ws.readyState !== OPEN) return;
    if (this.overBound()) {
      this.lag(false);
      return;
    }
    const missed = this.needsSnapshot ? null : this.host.ring.after(this.lastSent, this.host.lastSeq());
    if (missed === null) {
      if (!this.needsSnapshot) this.host.count('resnapshots');
      this.sendSnapshot();
      return;
    }
    let wrote = false;
    for (const entry of missed) {
      if (this.overBound()) {
        this.lag(wrote);
        return;
      }
      this.write(entry.frame);
      this.lastSent = entry.seq;
      wrote = true;
    }
    const wasLagging = this.lagging;
    this.lagging = false;
    if (wasLagging || wrote) this.host.caughtUp();
  }

  private sendSnapshot(): void {
    let snap: { seq: number; frame: Buffer; gen: number };
    try {
      snap = this.host.snapshot();
    } catch (err) {
      // Reached from socket callbacks too, where a throw would be uncaught: answer and close instead.
      this.host.onSnapshotError(this.id, err);
      this.error('INTERNAL', 'could not build the snapshot');
      this.closed = true;
      this.ws.close(1011, 'snapshot failed');
      return;
    }
    const { seq, frame, gen } = snap;
    this.host.count('snapshots');
    this.write(frame);
    this.lastSent = seq;
    // The snapshot holds the view at `gen`; the first update after it carries every account's freshness.
    this.view = { gen, allAccounts: true };
    this.needsSnapshot = false;
    // Only reached under the bound (catchUp checks it; start runs on an empty socket): progress was made.
    this.lagging = false;
  }

  private write(frame: Buffer): void {
    if (this.closed || this.ws.readyState !== OPEN) return;
    this.ws.send(frame, { binary: false }, this.onFlushed);
  }

  /** Each frame's write callback: once a lagging socket has mostly drained, catch it up. */
  private readonly onFlushed = (err?: Error): void => {
    if (err || !this.lagging) return;
    if (this.ws.bufferedAmount <= this.host.queueBytes / 4) this.catchUp();
  };
}
