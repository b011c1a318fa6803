import { wsUrl } from './api.ts';

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
  probe(): Promise<{ state: 'ok' | 'down' | 'unpaired' | 'error'; message?: string }>;
}

export interface ConnectionOptions {
  pingEveryMs: number;
  /** No message for this long means the socket is dead even if it looks open. */
  silenceMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** A `resume` sent on the open socket that has not moved the seq by then is given up: reconnect instead. */
  resumeTimeoutMs: number;
}

export const DEFAULT_CONNECTION_OPTIONS: ConnectionOptions = {
  // Chrome suspends an idle MV3 worker after 30 s; socket traffic inside that window keeps it alive.
  pingEveryMs: 20_000,
  silenceMs: 50_000,
  backoffBaseMs: 500,
  backoffCapMs: 30_000,
  // The hub replays from its ring in the same turn it reads the frame: seconds mean it never will.
  resumeTimeoutMs: 5_000,
};

/** Equal-jitter exponential backoff: half fixed, half random, so many clients never retry in step. */
export function backoffMs(attempt: number, random: number, base = 500, cap = 30_000): number {
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}

export class Connection {
  private socket: SocketLike | null = null;
  private target: { baseUrl: string; token: string } | null = null;
  private status: ConnectionStatus;
  private pingTimer: unknown = null;
  private silenceTimer: unknown = null;
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
      this.armSilence();
      this.schedulePing();
    };
    socket.onmessage = (ev) => {
      if (this.socket !== socket) return;
      if (!this.gotMessage) {
        this.gotMessage = true;
        this.setStatus({ attempt: 0 });
      }
      this.armSilence();
      // The replay came (the seq moved past the gap): a later gap is a new one.
      if (this.resuming !== null && this.deps.resumeSeq() !== this.resuming) this.clearResume(true);
      let data: unknown;
      try {
        data = JSON.parse(String(ev.data));
      } catch {
        return; // not JSON: nothing the protocol sends; ignore rather than drop the stream
      }
      this.deps.onMessage(data);
    };
    socket.onerror = () => {
      // onclose follows and carries the decision
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      const hadMessage = this.gotMessage;
      this.socket = null;
      this.clearTimers();
      this.failed(ev.reason || `socket closed (${ev.code})`, !hadMessage);
    };
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
          if (this.target !== target || this.socket) return;
          if (r.state === 'unpaired') this.setStatus({ state: 'unpaired', detail: r.message ?? 'Token refused' });
          else if (r.state === 'down') this.setStatus({ detail: r.message ?? 'The companion is not running' });
          else if (r.message) this.setStatus({ detail: r.message });
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

  private schedulePing(): void {
    this.pingTimer = this.deps.setTimeout(() => {
      this.send({ type: 'ping' });
      this.schedulePing();
    }, this.opts.pingEveryMs);
  }

  private armSilence(): void {
    if (this.silenceTimer !== null) this.deps.clearTimeout(this.silenceTimer);
    this.silenceTimer = this.deps.setTimeout(() => {
      this.silenceTimer = null;
      const socket = this.socket;
      if (!socket) return;
      this.socket = null;
      this.clearTimers();
      try {
        socket.close(4000, 'silent');
      } catch {
        // already gone
      }
      this.failed('No message from the companion for a while; reconnecting', false);
    }, this.opts.silenceMs);
  }

  private clearTimers(): void {
    if (this.pingTimer !== null) this.deps.clearTimeout(this.pingTimer);
    if (this.silenceTimer !== null) this.deps.clearTimeout(this.silenceTimer);
    this.pingTimer = null;
    this.silenceTimer = null;
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
    this.clearTimers();
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
