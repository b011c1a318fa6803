import type { Logger } from '../core/logger.ts';
import type { WsConfig } from './config.ts';
import { type HubCounters, type WsHubStats, zeroCounters } from './stats.ts';
import type { Subscriber } from './subscriber.ts';
import { sweepVerdict } from './sweep.ts';

type SocketStats = Pick<WsHubStats, 'clients' | 'lagging' | 'bufferedBytes'> & HubCounters;

/**
 * The hub's open sockets and the ways it lets go of them: dropped by the sweep, closed for a resume
 * flood, disconnected all at once (token rotated) or at shutdown. It also keeps the hub's counters, as
 * most of them count what happened to a socket.
 */
export class Sockets {
  readonly counters = zeroCounters();
  private readonly open = new Set<Subscriber>();

  constructor(
    private readonly config: WsConfig,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** What the live view fans positions-updated out to. */
  all(): Iterable<Subscriber> {
    return this.open;
  }

  has(sub: Subscriber): boolean {
    return this.open.has(sub);
  }

  add(sub: Subscriber): void {
    this.open.add(sub);
  }

  /** The peer closed it: nothing more to send. */
  closed(sub: Subscriber): void {
    sub.close();
    this.open.delete(sub);
  }

  /** Pings the live sockets; terminates the idle (peer gone) and the stalled (not draining). */
  sweep(now: number, lastSeq: number): void {
    for (const sub of this.open) {
      const verdict = sweepVerdict(sub, now, this.config);
      if (verdict === 'idle') {
        this.counters.idleClosed++;
        this.logger.info({ client: sub.id, idleMs: now - sub.lastSeenAt }, 'closing idle socket');
        this.drop(sub);
      } else if (verdict === 'stalled') {
        this.counters.stalledClosed++;
        this.logger.warn({ client: sub.id, behindBy: lastSeq - sub.lastSent }, 'closing stalled socket');
        this.drop(sub);
      } else {
        sub.poke();
        sub.ws.ping();
      }
    }
  }

  /**
   * Says why (error frame, then close 1008 with a reason), then cuts the socket after a moment: a client
   * that spams resumes without reading would never take the close frame off its backlog.
   */
  closeForResumeRate(sub: Subscriber): void {
    const { resumeBurst, resumesPerMinute } = this.config;
    this.counters.resumeRateClosed++;
    this.logger.warn({ client: sub.id, perMinute: resumesPerMinute }, 'closing socket: resume rate exceeded');
    const reason = `resume rate exceeded (${resumeBurst} at once, ${resumesPerMinute} a minute)`;
    sub.error('RATE_LIMITED', `${reason}; reconnect with ?lastSeq= instead`);
    this.closed(sub);
    sub.ws.close(1008, reason);
    setTimeout(() => sub.ws.terminate(), 1_000).unref();
  }

  /** Every socket closed with `code`; clients reconnect and resume. */
  disconnectAll(code: number, reason: string): void {
    for (const sub of this.open) {
      sub.close();
      sub.ws.close(code, reason);
    }
    this.open.clear();
  }

  /** Closes every socket (1001), waits a moment for the handshakes, then cuts what is left. */
  async shutdown(): Promise<void> {
    const open = [...this.open];
    this.disconnectAll(1001, 'server shutting down');
    // A close handshake waits behind a slow socket's backlog: give it a moment, then cut it.
    await Promise.race([
      Promise.all(open.map((sub) => new Promise((resolve) => sub.ws.once('close', resolve)))),
      new Promise((resolve) => setTimeout(resolve, 1_000).unref()),
    ]);
    for (const sub of open) sub.ws.terminate();
  }

  stats(): SocketStats {
    const open = [...this.open];
    return {
      clients: open.length,
      lagging: open.filter((s) => s.lagging).length,
      bufferedBytes: open.reduce((sum, s) => sum + s.ws.bufferedAmount, 0),
      ...this.counters,
    };
  }

  /** terminate, not close: a close frame would queue behind the backlog of the very socket we give up on. */
  private drop(sub: Subscriber): void {
    this.closed(sub);
    sub.ws.terminate();
  }
}
