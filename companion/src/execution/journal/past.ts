import { closeSync, openSync, readSync } from 'node:fs';
import type { ExecuteResult } from '@tierwatch/shared';
import type { Logger } from '../../core/logger.ts';
import { FinishedRecord, LegRecord } from './records.ts';
import type { Loc } from './scan.ts';

/** One execution as the start-up index holds it: where to find it, and what idempotency needs. */
export interface PastEntry {
  executionId: string;
  idempotencyKey: string;
  requestHash: string;
  startedAt: number;
  intent: Loc;
  /** The final record; null while unfinished. */
  finished: Loc | null;
  /** The last leg line per account; for a finished execution only those after its final record. */
  legs: (Loc & { account: string })[];
}

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
  private readonly byId = new Map<string, PastEntry>();
  private readonly byKey = new Map<string, PastEntry>();
  private order: PastEntry[] = [];
  private readonly cache = new Map<string, ExecuteResult>();
  private readonly unreadable = new Map<string, string>();

  constructor(
    readonly file: string,
    entries: readonly PastEntry[],
    private readonly log: Logger,
    private readonly cacheSize = 256,
  ) {
    this.replace(entries);
  }

  /** After a compaction: the entries it kept, at their new places. */
  replace(entries: readonly PastEntry[]): void {
    this.byId.clear();
    this.byKey.clear();
    this.cache.clear();
    this.order = [...entries];
    for (const e of entries) {
      this.byId.set(e.executionId, e);
      this.byKey.set(e.idempotencyKey, e);
    }
  }

  get size(): number {
    return this.byId.size;
  }

  /** The execution a key is bound to, and the hash of the request that bound it. */
  binding(key: string): { executionId: string; requestHash: string } | undefined {
    const e = this.byKey.get(key);
    return e && { executionId: e.executionId, requestHash: e.requestHash };
  }

  has(executionId: string): boolean {
    return this.byId.has(executionId);
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
    const e = this.byId.get(executionId);
    if (!e?.finished || this.unreadable.has(executionId)) return undefined;
    const result = this.read(e, e.finished);
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
    for (let i = this.order.length - 1; i >= 0 && out.length < limit; i--) {
      const r = this.result(this.order[i]!.executionId);
      if (r) out.push(r);
    }
    return out;
  }

  private read(e: PastEntry, finished: Loc): ExecuteResult | undefined {
    const fd = openSync(this.file, 'r');
    const line = (loc: Loc) => {
      const b = Buffer.alloc(loc.length);
      readSync(fd, b, 0, loc.length, loc.offset);
      return jsonOrUndefined(b.toString('utf8'));
    };
    try {
      const f = FinishedRecord.safeParse(line(finished));
      if (!f.success || f.data.executionId !== e.executionId) {
        const reason = f.success ? `a final record of ${f.data.executionId}, not ${e.executionId}` : reasonOf(f.error);
        this.unreadable.set(e.executionId, `line ${finished.line} of ${this.file}: ${reason}`);
        this.log.warn(
          { file: this.file, line: finished.line, executionId: e.executionId, reason },
          `journal: line ${finished.line} of ${this.file} skipped: ${reason}`,
        );
        return undefined;
      }
      const result = f.data.result;
      for (const l of e.legs) {
        const leg = LegRecord.safeParse(line(l));
        if (!leg.success || leg.data.executionId !== e.executionId) {
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
