import type { WebSocket } from 'ws';
import type { Clock } from '../../core/clock.ts';
import type { PaperAccount } from '../engine/types.ts';
import type { PaperControl } from '../server/control.ts';
import type { StreamKind } from '../server/stats.ts';
import type { StreamScope } from '../server/stream-faults.ts';
import { type Json, topicFamily } from './messages.ts';

/**
 * One client socket. Sends go through a per-connection chain so injected latency delays each message by
 * about the latency (each waits until its own due time) while keeping Bybit's order: a later message never
 * overtakes an earlier one, whatever the jitter. A stalled scope swallows what it would send.
 */

let connSeq = 0;

export interface ConnectionDeps {
  control: PaperControl;
  clock: Clock;
  wallClock: Clock;
  closing: AbortSignal;
}

export class StreamConnection {
  readonly connId: string;
  account: PaperAccount | null = null;
  /** Topics this connection subscribed, as the client spelled them. */
  readonly topics = new Set<string>();
  /** Characters of args subscribed (Bybit's 21,000 per public connection). */
  argsChars = 0;
  /** Wall time of the last message from the client (the idle cut-off). */
  lastSeenAt: number;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private ended = false;

  constructor(
    readonly kind: StreamKind,
    private readonly ws: WebSocket,
    private readonly deps: ConnectionDeps,
  ) {
    this.connId = `paper${(++connSeq).toString(36).padStart(6, '0')}-${kind}`;
    this.lastSeenAt = deps.wallClock.now();
    ws.once('close', () => {
      this.ended = true;
    });
  }

  get scope(): StreamScope {
    return this.kind === 'public' ? 'public' : (this.account?.name ?? 'unauthenticated');
  }

  get open(): boolean {
    return !this.ended;
  }

  /** Queues one message; `topic` names what it is counted under in /sim/stats. */
  send(msg: Json, topic: string): void {
    if (this.ended) return;
    const { control } = this.deps;
    const stats = control.streamStats;
    if (control.isStalled(this.scope)) {
      stats.stalled++;
      return;
    }
    const text = JSON.stringify(msg);
    const family = topicFamily(topic);
    const delay = control.streamDelayMs(this.scope);
    if (delay <= 0 && this.pending === 0) {
      this.write(text, family);
      return;
    }
    const dueAt = this.deps.clock.now() + delay;
    this.pending++;
    this.chain = this.chain
      .then(async () => {
        const wait = dueAt - this.deps.clock.now();
        if (wait > 0) await this.deps.clock.sleep(wait, this.deps.closing);
        this.write(text, family);
      })
      .catch(() => undefined)
      .finally(() => {
        this.pending--;
      });
  }

  private write(text: string, family: string): void {
    if (this.ended || this.ws.readyState !== this.ws.OPEN) return;
    const stats = this.deps.control.streamStats;
    stats.messages++;
    stats.byTopic[family] = (stats.byTopic[family] ?? 0) + 1;
    this.ws.send(text);
  }

  /** A TCP reset: the client sees the socket die without a close frame, as on a network drop. */
  drop(): void {
    this.ended = true;
    this.ws.terminate();
  }

  close(code: number, reason: string): void {
    this.ended = true;
    this.ws.close(code, reason);
  }
}
