/**
 * The open socket's two timers: a ping every `pingEveryMs` (traffic keeps an MV3 worker awake and the
 * socket warm), and a watchdog that calls `silent` when nothing was heard for `silenceMs` (a socket can
 * look open long after its peer is gone). Timers are injected, as in the connection that owns this.
 */
export class Keepalive {
  private pingTimer: unknown = null;
  private silenceTimer: unknown = null;

  constructor(
    private readonly timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void },
    private readonly opts: { pingEveryMs: number; silenceMs: number },
    private readonly ping: () => void,
    private readonly silent: () => void,
  ) {}

  /** The socket opened: start listening for silence and pinging. */
  start(): void {
    this.heard();
    this.schedulePing();
  }

  /** Something arrived: the silence counts from now. */
  heard(): void {
    if (this.silenceTimer !== null) this.timers.clearTimeout(this.silenceTimer);
    this.silenceTimer = this.timers.setTimeout(() => {
      this.silenceTimer = null;
      this.silent();
    }, this.opts.silenceMs);
  }

  stop(): void {
    if (this.pingTimer !== null) this.timers.clearTimeout(this.pingTimer);
    if (this.silenceTimer !== null) this.timers.clearTimeout(this.silenceTimer);
    this.pingTimer = null;
    this.silenceTimer = null;
  }

  private schedulePing(): void {
    this.pingTimer = this.timers.setTimeout(() => {
      this.ping();
      this.schedulePing();
    }, this.opts.pingEveryMs);
  }
}
