import { wsUrl } from './api.ts';
import { Keepalive } from './keepalive.ts';
import {
  backoffMs,
  type ConnectionOptions,
  DEFAULT_CONNECTION_OPTIONS,
  type ProbeAnswer,
  probeFinding,
} from './reconnect-policy.ts';

/**
 * The socket to the companion: connect, keep alive, reconnect with capped backoff and jitter, resume
 * by seq. Every bit of I/O (socket, timers, randomness, the HTTP probe) is injected, so tests drive it
 * with fakes and fake time. It hands raw JSON on; parsing and state live with the caller.
 */

export interface ConnectionStatus {
  state: 'unconfigured' | 'connecting' | 'open' | 'disconnected' | 'unpaired';
  since: number;
  /** Failed attempts in a row (0 once a message arrived). */
  attempt: number;
  retryAt: number | null;
  detail: string | null;
}

export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface ConnectionDeps {
  createSocket(url: string): SocketLike;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
  random(): number;
  /** The seq to resume from, or null for a fresh snapshot (asked at every connect). */
  resumeSeq(): number | null;
  /** The companion run that seq belongs to (from hello/snapshot), when known. */
  resumeInstance?(): string | null;
  onMessage(data: unknown): void;
  onStatus(status: ConnectionStatus): void;
  /** After a socket failed before any message: is the companion down, or is the token refused? */
  probe(): Promise<ProbeAnswer>;
}

export class Connection {
  private socket: SocketLike | null = null;
  private target: { baseUrl: string; token: string } | null = null;
  private status: ConnectionStatus;
  private readonly keepalive: Keepalive;
  private retryTimer: unknown = null;
  private gotMessage = false;
  /** The seq of the `resume` in flight on this socket (one per gap: every frame past it asks again). */
  private resuming: number | null = null;
  private resumeTimer: unknown = null;
  private opened = 0;
  private resumesSent = 0;
  private readonly opts: ConnectionOptions;

  constructor(
    private readonly deps: ConnectionDeps,
    opts: Partial<ConnectionOptions> = {},
  ) {
    this.opts = { ...DEFAULT_CONNECTION_OPTIONS, ...opts };
    this.keepalive = new Keepalive(
      deps,
      this.opts,
      () => this.send({ type: 'ping' }),
      () => this.silent(),
    );
    this.status = { state: 'unconfigured', since: deps.now(), attempt: 0, retryAt: null, detail: null };
  }

  get current(): ConnectionStatus {
    return this.status;
  }

  /** Sockets created since start, and `resume` frames sent on open ones (a gap resumed in place). */
  get counts(): { socketsOpened: number; resumesSent: number } {
    return { socketsOpened: this.opened, resumesSent: this.resumesSent };
  }

  /** (Re)point at a companion; an empty token means unpaired, and nothing is attempted. */
  configure(baseUrl: string, token: string): void {
    this.target = token ? { baseUrl, token } : null;
    this.teardown();
    this.setStatus({ attempt: 0 });
    if (!this.target) {
      this.setStatus({ state: 'unconfigured', detail: 'No pairing token yet', retryAt: null });
      return;
    }
    this.open();
  }

  /** Connect now if not connected or connecting (e.g. woken by an alarm). */
  ensure(): void {
    if (!this.target || this.socket) return;
    this.clearRetry();
    this.open();
  }

  /** Drop the socket and reconnect at once: with lastSeq (after a gap) or without (a fresh snapshot). */
  resync(): void {
    if (!this.target) return;
    this.teardown();
    this.open();
  }

  /**
   * A sequence gap: ask the hub on the open socket to replay from our seq (ClientMessage `resume`). Once per
   * seq: while it is in flight, later frames past the same gap are covered by it. A resume that has not
   * moved the seq within resumeTimeoutMs, no open socket, or no seq to resume from: reconnect (`resync`).
   */
  resume(): void {
    if (!this.target) return;
    const seq = this.deps.resumeSeq();
    if (this.status.state !== 'open' || !this.socket || seq === null) {
      this.resync();
      return;
    }
    if (this.resuming === seq) return;
    this.resuming = seq;
    this.resumesSent++;
    this.send({ type: 'resume', lastSeq: seq });
    this.clearResume(false);
    this.resumeTimer = this.deps.setTimeout(() => {
      this.resumeTimer = null;
      if (this.resuming !== null && this.deps.resumeSeq() === this.resuming) this.resync();
      else this.resuming = null;
    }, this.opts.resumeTimeoutMs);
  }

  /** The server said the token is wrong (an error frame): stop hammering; settings changes call configure. */
  refuse(detail: string): void {
    this.teardown();
    this.setStatus({ state: 'unpaired', detail, retryAt: null });
    this.scheduleRetry(this.opts.backoffCapMs);
  }

  stop(): void {
    this.target = null;
    this.teardown();
  }

  send(msg: unknown): void {
    try {
      this.socket?.send(JSON.stringify(msg));
    } catch {
      // a socket that cannot send is about to close; onclose reconnects
    }
  }

  private open(): void {
    if (!this.target) return;
    const url = wsUrl(
      this.target.baseUrl,
      this.target.token,
      this.deps.resumeSeq(),
      this.deps.resumeInstance?.() ?? null,
    );
    this.gotMessage = false;
    this.clearResume(true);
    this.setStatus({ state: 'connecting', retryAt: null });
    let socket: SocketLike;
    try {
      socket = this.deps.createSocket(url);
    } catch (err) {
      this.failed(`Cannot open a socket: ${(err as Error).message}`);
      return;
    }
    this.socket = socket;
    this.opened++;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.setStatus({ state: 'open', detail: null });
      this.keepalive.start();
    };
    socket.onmessage = (ev) => {
      if (this.socket === socket) this.received(ev.data);
    };
    socket.onerror = () => {
      // onclose follows and carries the decision
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      const hadMessage = this.gotMessage;
      this.socket = null;
      this.keepalive.stop();
      this.failed(ev.reason || `socket closed (${ev.code})`, !hadMessage);
    };
  }

  /** A frame on the current socket: a sign of life, maybe the replay a resume asked for, then the caller's. */
  private received(raw: unknown): void {
    if (!this.gotMessage) {
      this.gotMessage = true;
      this.setStatus({ attempt: 0 });
    }
    this.keepalive.heard();
    // The replay came (the seq moved past the gap): a later gap is a new one.
    if (this.resuming !== null && this.deps.resumeSeq() !== this.resuming) this.clearResume(true);
    let data: unknown;
    try {
      data = JSON.parse(String(raw));
    } catch {
      return; // not JSON: nothing the protocol sends; ignore rather than drop the stream
    }
    this.deps.onMessage(data);
  }

  private failed(detail: string, neverTalked = true): void {
    const attempt = this.status.attempt + 1;
    const delay = backoffMs(attempt, this.deps.random(), this.opts.backoffBaseMs, this.opts.backoffCapMs);
    this.setStatus({ state: 'disconnected', attempt, detail });
    this.scheduleRetry(delay);
    // A handshake refusal looks like any other close from inside a WebSocket: ask HTTP what it was.
    if (neverTalked) {
      const target = this.target;
      this.deps.probe().then(
        (r) => {
          const found = probeFinding(r);
          if (this.target !== target || this.socket || !found) return;
          this.setStatus(found.unpaired ? { state: 'unpaired', detail: found.detail } : { detail: found.detail });
        },
        () => {},
      );
    }
  }

  private scheduleRetry(delay: number): void {
    this.clearRetry();
    this.setStatus({ retryAt: this.deps.now() + delay });
    this.retryTimer = this.deps.setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }

  /** The keepalive heard nothing for silenceMs: the socket is dead however open it looks. */
  private silent(): void {
    const socket = this.socket;
    if (!socket) return;
    this.socket = null;
    this.keepalive.stop();
    try {
      socket.close(4000, 'silent');
    } catch {
      // already gone
    }
    this.failed('No message from the companion for a while; reconnecting', false);
  }

  private clearResume(forget: boolean): void {
    if (this.resumeTimer !== null) this.deps.clearTimeout(this.resumeTimer);
    this.resumeTimer = null;
    if (forget) this.resuming = null;
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) this.deps.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private teardown(): void {
    this.keepalive.stop();
    this.clearResume(true);
    this.clearRetry();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      try {
        socket.close(1000, 'client reconnect');
      } catch {
        // already closed
      }
    }
  }

  private setStatus(patch: Partial<ConnectionStatus>): void {
    const next = { ...this.status, ...patch };
    if (patch.state && patch.state !== this.status.state) next.since = this.deps.now();
    this.status = next;
    this.deps.onStatus(next);
  }
}
