import type { Loc } from './scan.ts';

/**
 * The start-up index as columns: one row per execution, its numbers in typed arrays and its three strings
 * (id, key, request hash) in plain arrays, instead of an object per execution and per line. At 200k
 * executions that is ~70 MB instead of several hundred, with no per-line garbage while loading.
 *
 * Per row: where the intent and the final record are (offset, length, line), and a short list of leg lines
 * (the last per account; after the final record only those written after it), kept in a pool with a free
 * list so a finished execution's superseded legs are reused rather than left behind.
 */
export class ExecutionTable {
  private cap = 1024;
  private n = 0;
  readonly ids: string[] = [];
  readonly keys: string[] = [];
  readonly hashes: string[] = [];
  startedAt = new Float64Array(this.cap);
  private intentOff = new Float64Array(this.cap);
  private intentLen = new Int32Array(this.cap);
  private intentLine = new Int32Array(this.cap);
  private finOff = new Float64Array(this.cap).fill(-1);
  private finLen = new Int32Array(this.cap);
  private finLine = new Int32Array(this.cap);
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

  add(executionId: string, key: string, hash: string, startedAt: number, intent: Loc): number {
    return this.addAt(executionId, key, hash, startedAt, intent.offset, intent.length, intent.line);
  }

  /** As `add`, with the intent's place as numbers (the loader's hot path: no object per line). */
  addAt(
    executionId: string,
    key: string,
    hash: string,
    startedAt: number,
    offset: number,
    length: number,
    line: number,
  ): number {
    if (this.n === this.cap) this.grow();
    const r = this.n++;
    this.ids.push(executionId);
    this.keys.push(key);
    this.hashes.push(hash);
    this.startedAt[r] = startedAt;
    this.intentOff[r] = offset;
    this.intentLen[r] = length;
    this.intentLine[r] = line;
    this.byId.set(executionId, r);
    this.byKey.set(key, r);
    return r;
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

  legLocs(r: number): (Loc & { account: string })[] {
    return this.legs.list(this.legHead[r]!).map((l) => ({ ...l, account: this.accounts[l.account]! }));
  }

  /** Every line a row needs, for compaction. */
  locs(r: number): Loc[] {
    const f = this.finished(r);
    return [this.intent(r), ...(f ? [f] : []), ...this.legLocs(r)];
  }

  /** A new table of the rows `keep` says, each line moved to where `moved` says (compaction). */
  rebuild(keep: (r: number) => boolean, moved: (loc: Loc) => Loc): ExecutionTable {
    const t = new ExecutionTable();
    for (let r = 0; r < this.n; r++) {
      if (!this.alive(r) || !keep(r)) continue;
      const nr = t.add(this.ids[r]!, this.keys[r]!, this.hashes[r]!, this.startedAt[r]!, moved(this.intent(r)));
      const f = this.finished(r);
      if (f) t.setFinished(nr, moved(f));
      for (const l of this.legLocs(r)) t.setLeg(nr, l.account, moved(l));
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
    this.startedAt = f64(this.startedAt);
    this.intentOff = f64(this.intentOff);
    this.intentLen = i32(this.intentLen);
    this.intentLine = i32(this.intentLine);
    this.finOff = f64(this.finOff, -1);
    this.finLen = i32(this.finLen);
    this.finLine = i32(this.finLine);
    this.legHead = i32(this.legHead, -1);
  }
}

/** Leg lines as linked lists in columns; -1 ends a list. */
class LegPool {
  private cap = 1024;
  private n = 0;
  private free = -1;
  private off = new Float64Array(this.cap);
  private len = new Int32Array(this.cap);
  private line = new Int32Array(this.cap);
  private account = new Int32Array(this.cap);
  private next = new Int32Array(this.cap);

  /** The list from `head` with `account`'s entry set to `loc`: its new head. */
  set(head: number, account: number, offset: number, length: number, line: number): number {
    for (let k = head; k >= 0; k = this.next[k]!) {
      if (this.account[k] === account) {
        this.off[k] = offset;
        this.len[k] = length;
        this.line[k] = line;
        return head;
      }
    }
    const k = this.alloc();
    this.off[k] = offset;
    this.len[k] = length;
    this.line[k] = line;
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
