/** A snapshot frame and the seq it summarises. */
export interface SnapshotFrame {
  seq: number;
  frame: Buffer;
  /** The shared view's generation whose positions it holds (see SharedView). */
  gen: number;
}

/**
 * One snapshot per seq, shared: the first socket that needs one at a seq pays for building and
 * serialising it, every other socket connecting or resuming at that seq is sent the same bytes (ws
 * writes a server frame's Buffer without copying it, so 200 sockets hold one copy, not 200). Positions
 * move between events, so a shared one older than `maxAgeMs` is rebuilt even at the same seq.
 */
export class SharedSnapshot {
  private current: (SnapshotFrame & { builtAt: number }) | null = null;
  builds = 0;
  reuses = 0;

  constructor(
    private readonly build: (seq: number, now: number) => { frame: Buffer; gen: number },
    private readonly maxAgeMs: number,
  ) {}

  /** The view generation of the snapshot kept for reuse, or null. */
  get cachedGen(): number | null {
    return this.current?.gen ?? null;
  }

  /** The snapshot at `seq`, built now or reused. A build that throws leaves nothing cached. */
  get(seq: number, now: number): SnapshotFrame {
    const c = this.current;
    if (c && c.seq === seq && now - c.builtAt <= this.maxAgeMs && now >= c.builtAt) {
      this.reuses++;
      return c;
    }
    this.current = null;
    const { frame, gen } = this.build(seq, now);
    this.builds++;
    this.current = { seq, frame, gen, builtAt: now };
    return this.current;
  }
}
