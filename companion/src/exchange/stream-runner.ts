import type { Clock } from '../core/clock.ts';
import type { RateBudget } from './rate-budget.ts';
import type { StreamHealth, StreamStatus } from './types.ts';

/**
 * One supervised WebSocket connection: its watch loops run until one fails (ccxt pro rejects every
 * pending watch when the socket dies or misses two pongs), then the connection is closed, waited out with
 * capped, jittered backoff, and opened again by the next watch call, which resubscribes. ccxt pro does not
 * reconnect by itself; this is that. Every frame (push, ack, pong) is evidence of life.
 */

export interface StreamTiming {
  /** No frame for this long: stale. */
  staleMs: number;
  /** A new connection's subscriptions not confirmed (ack or push) this long after it opened: reconnect. */
  subscribeTimeoutMs: number;
  backoffMinMs: number;
  backoffMaxMs: number;
}

/** Capped exponential backoff with full jitter: attempt 0 waits up to min, then doubling up to max. */
export function backoffMs(attempt: number, t: StreamTiming, random: () => number): number {
  const cap = Math.min(t.backoffMaxMs, t.backoffMinMs * 2 ** Math.max(0, attempt));
  return Math.round(t.backoffMinMs / 2 + random() * (cap - t.backoffMinMs / 2));
}

/** live: a frame within staleMs; stale: connected but silent longer; down: not connected. */
export function healthOf(s: { connected: boolean; lastFrameAt: number | null }, now: number, staleMs: number) {
  if (!s.connected || s.lastFrameAt === null) return 'down' as StreamHealth;
  return (now - s.lastFrameAt <= staleMs ? 'live' : 'stale') as StreamHealth;
}

export interface RunnerDeps {
  clock: Clock;
  budget: RateBudget;
  timing: StreamTiming;
  random?: () => number;
  /** The first frame of a new connection; `reconnect` is false for the very first. */
  onConnected(reconnect: boolean): void;
  onError(err: unknown): void;
}

export class StreamRunner {
  connected = false;
  lastFrameAt: number | null = null;
  connects = 0;
  reconnects = 0;
  lastError: string | null = null;
  /** Gaps in this connection's sequence, counted by the streams (stream-sequence.ts). */
  gaps = 0;
  readonly messages: Record<string, number> = {};
  private stopped = true;
  private loop: Promise<void> | null = null;
  private wake: AbortController | null = null;

  constructor(
    readonly key: string,
    readonly kind: 'public' | 'private',
    readonly account: string | null,
    private readonly watchers: (() => Promise<unknown>)[],
    private readonly close: () => Promise<unknown>,
    private readonly d: RunnerDeps,
  ) {}

  /**
   * A frame arrived on this connection (topic: the push's topic, or 'control' for acks and pongs). Only a
   * subscribe ack or a push makes it connected: a socket that answers pings but never confirmed its
   * subscriptions (they went out while the exchange was silent) carries nothing and is not live.
   */
  frame(topic: string, confirms: boolean): void {
    this.messages[topic] = (this.messages[topic] ?? 0) + 1;
    if (!this.connected && !confirms) return;
    const first = !this.connected;
    this.connected = true;
    this.lastFrameAt = this.d.clock.now();
    if (first) {
      if (this.connects > 1) this.reconnects++;
      this.d.onConnected(this.connects > 1);
    }
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.abort();
    await this.close().catch(() => {});
    await this.loop;
  }

  status(now: number): StreamStatus {
    return {
      key: this.key,
      kind: this.kind,
      account: this.account,
      health: healthOf(this, now, this.d.timing.staleMs),
      ageMs: this.lastFrameAt === null ? null : now - this.lastFrameAt,
      connects: this.connects,
      reconnects: this.reconnects,
      messages: { ...this.messages },
      gaps: this.gaps,
      lastError: this.lastError,
    };
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      // A connection attempt counts against the exchange's per-IP limit, like a REST call.
      await this.d.budget.schedule({ account: null, group: 'market', lane: 'critical' }, async () => {});
      if (this.stopped) break;
      this.connects++;
      this.connected = false;
      const loops = this.watchers.map(async (w) => {
        while (!this.stopped) await w();
      });
      // Not confirmed in time: the subscriptions were lost; close and subscribe again on a new socket.
      const watchdog = new AbortController();
      const unconfirmed = this.d.clock.sleep(this.d.timing.subscribeTimeoutMs, watchdog.signal).then(
        () => {
          if (!this.connected) throw new Error(`no subscribe ack within ${this.d.timing.subscribeTimeoutMs} ms`);
          return new Promise<never>(() => {});
        },
        () => new Promise<never>(() => {}),
      );
      try {
        await Promise.race([...loops, unconfirmed]);
      } catch (err) {
        this.lastError = err instanceof Error ? err.message : String(err);
        if (!this.stopped) this.d.onError(err);
      }
      watchdog.abort();
      const wasUp = this.connected;
      this.connected = false;
      await this.close().catch(() => {});
      await Promise.allSettled(loops);
      if (this.stopped) break;
      attempt = wasUp ? 0 : attempt + 1;
      this.wake = new AbortController();
      await this.d.clock
        .sleep(backoffMs(attempt, this.d.timing, this.d.random ?? Math.random), this.wake.signal)
        .catch(() => {});
      this.wake = null;
    }
  }
}
