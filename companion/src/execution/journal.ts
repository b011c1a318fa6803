import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ExecuteRequest, ExecuteResult, LegResult } from '@tierwatch/shared';

/**
 * The durable journal: an append-only JSON Lines file, fsynced before `append` resolves.
 *
 * Why a file and not SQLite: Node 20 has no node:sqlite and the project takes no native dependencies; the
 * access pattern is append-only and small (a few lines per execution), read in full once at start. A line
 * torn by a crash mid-write can only be the last one and is skipped on load: its record was never
 * acknowledged, because acknowledgement waits for the fsync.
 *
 * Records, one per line, all with `v: 1`:
 * - intent:   written and fsynced BEFORE any order is sent. The request, its hash, the planned legs with
 *             their client order ids.
 * - leg:      one account's outcome after its order call (or a later lookup); the last one per account wins.
 * - finished: the whole execution's final result (also after recovery, with `recovery` set).
 */

export interface IntentRecord {
  v: 1;
  type: 'intent';
  at: number;
  executionId: string;
  idempotencyKey: string;
  requestHash: string;
  request: ExecuteRequest;
  result: ExecuteResult;
}
export interface LegRecord {
  v: 1;
  type: 'leg';
  at: number;
  executionId: string;
  leg: LegResult;
}
export interface FinishedRecord {
  v: 1;
  type: 'finished';
  at: number;
  executionId: string;
  result: ExecuteResult;
}
export type JournalRecord = IntentRecord | LegRecord | FinishedRecord;

/** One execution as the journal knows it. */
export interface JournaledExecution {
  intent: IntentRecord;
  result: ExecuteResult;
  finished: boolean;
}

export interface LoadedJournal {
  executions: Map<string, JournaledExecution>;
  /** Lines that could not be parsed (a torn last line after a crash). */
  skipped: number;
}

export function readJournal(file: string): LoadedJournal {
  const executions = new Map<string, JournaledExecution>();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let rec: JournalRecord;
    try {
      rec = JSON.parse(line) as JournalRecord;
    } catch {
      skipped++;
      continue;
    }
    if (rec.type === 'intent') {
      executions.set(rec.executionId, { intent: rec, result: structuredClone(rec.result), finished: false });
      continue;
    }
    const e = executions.get(rec.executionId);
    if (!e) {
      skipped++;
      continue;
    }
    if (rec.type === 'leg') {
      const i = e.result.legs.findIndex((l) => l.account === rec.leg.account);
      if (i >= 0) e.result.legs[i] = rec.leg;
    } else if (rec.type === 'finished') {
      e.result = rec.result;
      e.finished = true;
    }
  }
  return { executions, skipped };
}

/** True for an empty file or one whose last byte is a newline. */
function endsWithNewline(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends with group commit: lines arriving while a write+fsync is under way go together in the next one,
 * so twenty concurrent executions cost a handful of fsyncs, and each `append` resolves only once its line
 * is on disk.
 */
export class Journal {
  private queue: { line: string; done: () => void; fail: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly fh: FileHandle,
  ) {}

  static async open(file: string): Promise<Journal> {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const fh = await open(file, 'a', 0o600);
    // A line torn by a crash has no newline: end it, or the next record would be glued to it and lost too.
    if (!endsWithNewline(file)) {
      await fh.write('\n');
      await fh.sync();
    }
    // Make the file's directory entry durable too, so a fresh journal survives a power cut.
    try {
      const dir = openSync(dirname(file), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch {
      // Some filesystems refuse fsync on a directory; the file's own fsync still holds.
    }
    return new Journal(file, fh);
  }

  append(record: JournalRecord): Promise<void> {
    if (this.closed) return Promise.reject(new Error('journal closed'));
    return new Promise<void>((done, fail) => {
      this.queue.push({ line: `${JSON.stringify(record)}\n`, done, fail });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.fh.write(batch.map((b) => b.line).join(''));
        await this.fh.sync();
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.fail(err);
      }
    }
    this.flushing = null;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flushing;
    await this.fh.close();
  }
}
