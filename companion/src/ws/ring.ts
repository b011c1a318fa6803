/** One stamped event as the bytes every socket is sent (serialised once, whatever the number of sockets). */
export interface RingEntry {
  seq: number;
  frame: Buffer;
}

/**
 * A fixed-capacity ring of the newest events, contiguous in seq. `after(seq)` answers what a client that
 * saw everything up to `seq` missed, or null when part of it was overwritten (the client needs a snapshot).
 */
export class EventRing {
  private readonly slots: (RingEntry | undefined)[];
  private head = 0; // index of the next write
  private count = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error(`EventRing: capacity must be >= 1, got ${capacity}`);
    this.slots = new Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Oldest seq still held; null when empty. */
  get oldestSeq(): number | null {
    return this.count === 0 ? null : this.at(0).seq;
  }

  get newestSeq(): number | null {
    return this.count === 0 ? null : this.at(this.count - 1).seq;
  }

  push(entry: RingEntry): void {
    const newest = this.newestSeq;
    if (newest !== null && entry.seq !== newest + 1) {
      throw new Error(`EventRing: seq ${entry.seq} does not follow ${newest}`);
    }
    this.slots[this.head] = entry;
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /**
   * Entries with seq > `seq`, oldest first; [] when `seq` is the newest (or the ring is empty and `seq`
   * is `latest`); null when the ring no longer holds seq+1, or `seq` is from the future.
   */
  after(seq: number, latest: number): RingEntry[] | null {
    if (seq === latest) return [];
    if (seq > latest || seq < 0) return null;
    const oldest = this.oldestSeq;
    if (oldest === null || seq + 1 < oldest) return null;
    const out: RingEntry[] = [];
    for (let i = seq + 1 - oldest; i < this.count; i++) out.push(this.at(i));
    return out;
  }

  /** The i-th entry from the oldest. */
  private at(i: number): RingEntry {
    const start = (this.head - this.count + this.capacity) % this.capacity;
    return this.slots[(start + i) % this.capacity]!;
  }
}
