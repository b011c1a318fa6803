/**
 * A stream fault of one message: the next `count` pushes of a topic to a scope (an account's private
 * connections, or 'public') are lost on their way, while the connection stays up and everything after
 * them arrives. A dropped or stalled connection is seen by its silence; a single lost message is only seen
 * by what the rest of the stream says (exchange/stream-sequence.ts), which is what this fault tests.
 */
export class LostPushes {
  private readonly pending = new Map<string, number>();

  /** The next `count` pushes of `topic` ('position', 'execution', 'tickers', ...) to `scope` are lost. */
  lose(scope: string, topic: string, count = 1): void {
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`lost pushes: count must be a positive integer, got ${count}`);
    const key = `${scope} ${topic}`;
    this.pending.set(key, (this.pending.get(key) ?? 0) + count);
  }

  /** True when this push (of `topic`, to `scope`) is one to lose; counts it off. */
  take(scope: string, topic: string): boolean {
    const key = `${scope} ${topic}`;
    const n = this.pending.get(key) ?? 0;
    if (n === 0) return false;
    if (n === 1) this.pending.delete(key);
    else this.pending.set(key, n - 1);
    return true;
  }

  clear(): void {
    this.pending.clear();
  }
}
