import type { Loc } from './scan.ts';

/**
 * The start-up index as columns: one row per execution, its numbers in typed arrays, its id and key in
 * plain arrays (they are the lookups' keys) and its request hash as 16 bytes, instead of an object per
 * execution and per line. At 200k executions that is ~45 MB, with no per-line garbage while loading.
 *
 * Per row: where the intent and the final record are (offset, length, line). Legs: while unfinished, the
 * last leg line per account, in a small pool of linked lists (a handful of rows: recovery reads them all);
 * once finished, only where the execution's last line is — the legs written after the final record (a
 * market order's fills) lie between the two and are picked out when the result is read (past.ts).
 */
const HASH_BYTES = 16;

export class ExecutionTable {
  private cap = 1024;
  private n = 0;
  readonly ids: string[] = [];
  readonly keys: string[] = [];
  private hashBytes = new Uint8Array(this.cap * HASH_BYTES);
  /** Hashes not of 32 hex digits (an older or hand-written line): rare, kept as strings. */
  private readonly otherHashes = new Map<number, string>();
  startedAt = new Float64Array(this.cap);
  private intentOff = new Float64Array(this.cap);
  private intentLen = new Int32Array(this.cap);
  private intentLine = new Int32Array(this.cap);
  private finOff = new Float64Array(this.cap).fill(-1);
  private finLen = new Int32Array(this.cap);
  private finLine = new Int32Array(this.cap);
  /** Finished rows: the execution's last line (the final record, or a leg after it). */
  private lastOff = new Float64Array(this.cap);
  private lastLen = new Int32Array(this.cap);
  /** Unfinished rows: their leg list in the pool. */
  private legHead = new Int32Array(this.cap).fill(-1);
  private readonly byId = new Map<string, number>();
  private readonly byKey = new Map<string, number>();
  private readonly accounts: string[] = [];
  private readonly accountIds = new Map<string, number>();
  private readonly legs = new LegPool();

  get size(): number {
    return this.n;
  }

  row(executionId: string): number | undefined {
    return this.byId.get(executionId);
  }

  rowOfKey(key: string): number | undefined {
    return this.byKey.get(key);
  }

  hash(r: number): string {
    const other = this.otherHashes.get(r);
    if (other !== undefined) return other;
    return Buffer.from(this.hashBytes.buffer, r * HASH_BYTES, HASH_BYTES).toString('hex');
  }

  add(executionId: string, key: string, hash: string, startedAt: number, intent: Loc): number {
    const r = this.addAt(executionId, key, startedAt, intent.offset, intent.length, intent.line);
    this.setHash(r, Buffer.from(hash, 'latin1'), 0, hash.length);
    return r;
  }

  /** As `add` without the hash (then `setHash`), the intent's place as numbers: the loader's hot path. */
  addAt(executionId: string, key: string, startedAt: number, offset: number, length: number, line: number): number {
    if (this.n === this.cap) this.grow();
    const r = this.n++;
    this.ids.push(executionId);
    this.keys.push(key);
    this.startedAt[r] = startedAt;
    this.intentOff[r] = offset;
    this.intentLen[r] = length;
    this.intentLine[r] = line;
    this.byId.set(executionId, r);
    this.byKey.set(key, r);
    return r;
  }

  /** The request hash from its hex digits in `b` [s, e). */
  setHash(r: number, b: Uint8Array, s: number, e: number): void {
    if (e - s !== HASH_BYTES * 2) {
      this.otherHashes.set(r, Buffer.from(b.subarray(s, e)).toString('latin1'));
      return;
    }
    const nibble = (c: number) => (c <= 0x39 ? c - 0x30 : c - 0x57);
    for (let k = 0; k < HASH_BYTES; k++)
      this.hashBytes[r * HASH_BYTES + k] = (nibble(b[s + 2 * k]!) << 4) | nibble(b[s + 2 * k + 1]!);
  }

  /** Removes a row from the lookups (an unfinished intent that failed its check); it stays a dead row. */
  forget(r: number): void {
    this.byId.delete(this.ids[r]!);
    if (this.byKey.get(this.keys[r]!) === r) this.byKey.delete(this.keys[r]!);
    this.ids[r] = '';
  }

  alive(r: number): boolean {
    return this.ids[r] !== '';
  }

  setFinished(r: number, loc: Loc): void {
    this.setFinishedAt(r, loc.offset, loc.length, loc.line);
  }

  setFinishedAt(r: number, offset: number, length: number, line: number): void {
    this.finOff[r] = offset;
    this.finLen[r] = length;
    this.finLine[r] = line;
    this.lastOff[r] = offset;
    this.lastLen[r] = length;
    this.legHead[r] = this.legs.freeList(this.legHead[r]!);
  }

  /** The small number that stands for an account name in the leg lists. */
  account(name: string): number {
    let a = this.accountIds.get(name);
    if (a === undefined) {
      a = this.accounts.push(name) - 1;
      this.accountIds.set(name, a);
    }
    return a;
  }

  setLeg(r: number, account: string, loc: Loc): void {
    this.setLegAt(r, this.account(account), loc.offset, loc.length, loc.line);
  }

  setLegAt(r: number, account: number, offset: number, length: number, line: number): void {
    if (this.isFinished(r)) {
      if (offset > this.lastOff[r]!) {
        this.lastOff[r] = offset;
        this.lastLen[r] = length;
      }
      return;
    }
    this.legHead[r] = this.legs.set(this.legHead[r]!, account, offset, length, line);
  }

  isFinished(r: number): boolean {
    return this.finOff[r]! >= 0;
  }

  intent(r: number): Loc {
    return { offset: this.intentOff[r]!, length: this.intentLen[r]!, line: this.intentLine[r]! };
  }

  finished(r: number): Loc | null {
    return this.isFinished(r) ? { offset: this.finOff[r]!, length: this.finLen[r]!, line: this.finLine[r]! } : null;
  }

  /** A finished row's bytes after its final record up to the end of its last line ([from, to)). */
  afterFinished(r: number): { from: number; to: number } {
    return { from: this.finOff[r]! + this.finLen[r]! + 1, to: this.lastOff[r]! + this.lastLen[r]! };
  }

  /** An unfinished row's legs: the last line per account. */
  legLocs(r: number): (Loc & { account: string })[] {
    return this.legs.list(this.legHead[r]!).map((l) => ({ ...l, account: this.accounts[l.account]! }));
  }

  /** A new table of the rows `keep` says, at the places `place(r)` gives (compaction). */
  rebuild(
    keep: (r: number) => boolean,
    place: (r: number) => { intent: Loc; finished: Loc | null; legs: (Loc & { account: string })[] },
  ): ExecutionTable {
    const t = new ExecutionTable();
    for (let r = 0; r < this.n; r++) {
      if (!this.alive(r) || !keep(r)) continue;
      const p = place(r);
      const nr = t.addAt(
        this.ids[r]!,
        this.keys[r]!,
        this.startedAt[r]!,
        p.intent.offset,
        p.intent.length,
        p.intent.line,
      );
      const other = this.otherHashes.get(r);
      if (other !== undefined) t.otherHashes.set(nr, other);
      else t.hashBytes.set(this.hashBytes.subarray(r * HASH_BYTES, (r + 1) * HASH_BYTES), nr * HASH_BYTES);
      if (p.finished) t.setFinished(nr, p.finished);
      for (const l of p.legs) t.setLeg(nr, l.account, l);
    }
    return t;
  }

  private grow(): void {
    this.cap *= 2;
    const f64 = (a: Float64Array, fill = 0) => {
      const b = new Float64Array(this.cap).fill(fill);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array, fill = 0) => {
      const b = new Int32Array(this.cap).fill(fill);
      b.set(a);
      return b;
    };
    const hashes = new Uint8Array(this.cap * HASH_BYTES);
    hashes.set(this.hashBytes);
    this.hashBytes = hashes;
    this.startedAt = f64(this.startedAt);
    this.intentOff = f64(this.intentOff);
    this.intentLen = i32(this.intentLen);
    this.intentLine = i32(this.intentLine);
    this.finOff = f64(this.finOff, -1);
    this.finLen = i32(this.finLen);
    this.finLine = i32(this.finLine);
    this.lastOff = f64(this.lastOff);
    this.lastLen = i32(this.lastLen);
    this.legHead = i32(this.legHead, -1);
  }
}

/** Leg lines as linked lists in columns; -1 ends a list. */
class LegPool {
  private cap = 64;
  private n = 0;
  private free = -1;
  private off = new Float64Array(this.cap);
  private len = new Int32Array(this.cap);
  private line = new Int32Array(this.cap);
  private account = new Int32Array(this.cap);
  private next = new Int32Array(this.cap);

  /** The list from `head` with `account`'s entry set to this line: its new head. */
  set(head: number, account: number, offset: number, length: number, line: number): number {
    let k = head;
    while (k >= 0 && this.account[k] !== account) k = this.next[k]!;
    const fresh = k < 0;
    if (fresh) k = this.alloc();
    this.off[k] = offset;
    this.len[k] = length;
    this.line[k] = line;
    if (!fresh) return head;
    this.account[k] = account;
    this.next[k] = head;
    return k;
  }

  /** Returns the list's entries to the free list; the new head is empty (-1). */
  freeList(head: number): number {
    while (head >= 0) {
      const next = this.next[head]!;
      this.next[head] = this.free;
      this.free = head;
      head = next;
    }
    return -1;
  }

  /** In the order they were first written. */
  list(head: number): (Loc & { account: number })[] {
    const out: (Loc & { account: number })[] = [];
    for (let k = head; k >= 0; k = this.next[k]!)
      out.unshift({ offset: this.off[k]!, length: this.len[k]!, line: this.line[k]!, account: this.account[k]! });
    return out;
  }

  private alloc(): number {
    if (this.free >= 0) {
      const k = this.free;
      this.free = this.next[k]!;
      return k;
    }
    if (this.n === this.cap) {
      this.cap *= 2;
      const grow = <T extends Float64Array | Int32Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(this.cap);
        b.set(a);
        return b;
      };
      this.off = grow(this.off);
      this.len = grow(this.len);
      this.line = grow(this.line);
      this.account = grow(this.account);
      this.next = grow(this.next);
    }
    return this.n++;
  }
}
