import { closeSync, openSync, readSync } from 'node:fs';
import type { ExecuteResult } from '@tierwatch/shared';
import type { Logger } from '../../core/logger.ts';
import { FinishedRecord, LegRecord, newHeader, parseRecord, readHeader } from './records.ts';
import type { Loc } from './scan.ts';
import type { ExecutionTable } from './table.ts';

export const jsonOrUndefined = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

export function reasonOf(err: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  const issue = err.issues[0];
  return `${issue?.path.map(String).join('.') || 'line'}: ${issue?.message}`;
}

/**
 * The finished executions of earlier runs: every key's binding (request hash, execution id) in memory, the
 * results on disk, read (and checked against the schemas) on demand, the last `cacheSize` of them cached.
 * The journal only grows while the companion runs (compaction happens before it opens for appending), so
 * the positions stay right. Each read opens the file by name and so follows a compaction's rename.
 */
export class PastExecutions {
  private readonly cache = new Map<string, ExecuteResult>();
  private readonly unreadable = new Map<string, string>();

  constructor(
    readonly file: string,
    private table: ExecutionTable,
    private readonly log: Logger,
    private readonly cacheSize = 256,
  ) {}

  /** After a compaction: the rows it kept, at their new places. */
  replace(table: ExecutionTable): void {
    this.table = table;
    this.cache.clear();
  }

  private finishedRow(executionId: string): number | undefined {
    const r = this.table.row(executionId);
    return r !== undefined && this.table.isFinished(r) ? r : undefined;
  }

  /** Finished executions indexed. */
  get size(): number {
    let n = 0;
    for (let r = 0; r < this.table.size; r++) if (this.table.alive(r) && this.table.isFinished(r)) n++;
    return n;
  }

  /** The finished execution a key is bound to, and the hash of the request that bound it. */
  binding(key: string): { executionId: string; requestHash: string } | undefined {
    const r = this.table.rowOfKey(key);
    if (r === undefined || !this.table.isFinished(r)) return undefined;
    return { executionId: this.table.ids[r]!, requestHash: this.table.hash(r) };
  }

  has(executionId: string): boolean {
    return this.finishedRow(executionId) !== undefined;
  }

  /** Why the execution's record cannot be read (named in a warning when found), if it cannot. */
  whyUnreadable(executionId: string): string | undefined {
    return this.unreadable.get(executionId);
  }

  /** A copy of the final result, or undefined (unknown id, or a damaged record: see `whyUnreadable`). */
  result(executionId: string): ExecuteResult | undefined {
    const cached = this.cache.get(executionId);
    if (cached) {
      this.cache.delete(executionId);
      this.cache.set(executionId, cached);
      return structuredClone(cached);
    }
    const r = this.finishedRow(executionId);
    if (r === undefined || this.unreadable.has(executionId)) return undefined;
    const result = this.read(executionId, this.table.finished(r)!, this.table.afterFinished(r));
    if (!result) return undefined;
    this.cache.set(executionId, result);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return structuredClone(result);
  }

  /**
   * The last `limit` executions in journal order (the order they started in), newest first. A clock set
   * back between runs could order a few differently from their `startedAt`; the service sorts what it shows.
   */
  newest(limit: number): ExecuteResult[] {
    const out: ExecuteResult[] = [];
    for (let r = this.table.size - 1; r >= 0 && out.length < limit; r--) {
      if (!this.table.alive(r) || !this.table.isFinished(r)) continue;
      const result = this.result(this.table.ids[r]!);
      if (result) out.push(result);
    }
    return out;
  }

  private read(executionId: string, finished: Loc, after: { from: number; to: number }): ExecuteResult | undefined {
    const fd = openSync(this.file, 'r');
    const line = (loc: Loc) => {
      const b = Buffer.alloc(loc.length);
      readSync(fd, b, 0, loc.length, loc.offset);
      return jsonOrUndefined(b.toString('utf8'));
    };
    try {
      const f = FinishedRecord.safeParse(line(finished));
      if (!f.success || f.data.executionId !== executionId) {
        const reason = f.success ? `a final record of ${f.data.executionId}, not ${executionId}` : reasonOf(f.error);
        this.unreadable.set(executionId, `line ${finished.line} of ${this.file}: ${reason}`);
        this.log.warn(
          { file: this.file, line: finished.line, executionId: executionId, reason },
          `journal: line ${finished.line} of ${this.file} skipped: ${reason}`,
        );
        return undefined;
      }
      const result = f.data.result;
      for (const l of legsBetween(fd, after, finished.line, executionId)) {
        const leg = LegRecord.safeParse(l.record);
        if (!leg.success || leg.data.executionId !== executionId) {
          const reason = leg.success ? `a leg of ${leg.data.executionId}` : reasonOf(leg.error);
          this.log.warn(
            { file: this.file, line: l.line, reason },
            `journal: line ${l.line} of ${this.file} skipped: ${reason}`,
          );
          continue;
        }
        const i = result.legs.findIndex((x) => x.account === leg.data.leg.account);
        if (i >= 0) result.legs[i] = leg.data.leg;
      }
      return result;
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * The leg lines of `executionId` in the bytes [from, to) (those after its final record, up to its last
 * line), read in one go and picked out by their heads; `line` is the final record's line number. `parse`
 * false: only where they are (compaction).
 */
export function legsBetween(
  fd: number,
  range: { from: number; to: number },
  line: number,
  executionId: string,
  parse = true,
): (Loc & { account: string; record: unknown })[] {
  const out: (Loc & { account: string; record: unknown })[] = [];
  if (range.to <= range.from) return out;
  const b = Buffer.alloc(range.to - range.from);
  readSync(fd, b, 0, b.length, range.from);
  const h = newHeader();
  const id = Buffer.from(executionId, 'latin1');
  for (let s = 0, n = line + 1; s < b.length; n++) {
    let e = b.indexOf(0x0a, s);
    if (e < 0) e = b.length;
    const loc = { offset: range.from + s, length: e - s, line: n };
    if (readHeader(b, s, e, h)) {
      if (h.type === 'leg' && h.id[1] - h.id[0] === id.length && b.compare(id, 0, id.length, h.id[0], h.id[1]) === 0)
        out.push({
          ...loc,
          account: b.toString('latin1', h.account[0], h.account[1]),
          record: parse ? jsonOrUndefined(b.toString('utf8', s, e)) : undefined,
        });
    } else {
      const p = parseRecord(b.toString('utf8', s, e));
      if (p.ok && p.record.type === 'leg' && p.record.executionId === executionId)
        out.push({ ...loc, account: p.record.leg.account, record: parse ? p.record : undefined });
    }
    s = e + 1;
  }
  return out;
}
