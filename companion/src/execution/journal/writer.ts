import { closeSync, constants, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type JournalRecord, serialize } from './records.ts';

/**
 * The durable journal: an append-only JSON Lines file, fsynced before `append` resolves.
 *
 * Why a file and not SQLite: Node 20 has no node:sqlite and the project takes no native dependencies; the
 * access pattern is append-only and small (a few lines per execution), read once at start (load.ts).
 *
 * A line is written whole or not at all. write(2) may write fewer bytes than asked (a full disk takes what
 * fits and refuses the rest), so a batch is written in a loop until every byte is out, then fsynced; if any
 * step fails, the file is cut back to the end of its last whole line and every `append` of the batch
 * rejects. Nothing torn stays behind for the next record to be glued onto, and a caller that got no
 * acknowledgement (the intent, above all) sends nothing.
 *
 * A line torn by a crash mid-write (no newline) can only be the last one: its record was never
 * acknowledged, because acknowledgement waits for the fsync. The loader skips it, and opening for appending
 * cuts it off (which needs no free space, unlike ending it with a newline).
 */

/** The file operations the journal needs, as thin as write(2): injectable so a test can fill the disk. */
export interface JournalFile {
  /** Writes at `position`; may write fewer bytes than asked, like write(2). Resolves with the count. */
  write(buf: Buffer, offset: number, length: number, position: number): Promise<number>;
  read(buf: Buffer, offset: number, length: number, position: number): Promise<number>;
  sync(): Promise<void>;
  truncate(size: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}
export type OpenJournalFile = (file: string) => Promise<JournalFile>;

export const openNodeFile: OpenJournalFile = async (file) => {
  // Not O_APPEND: Linux ignores the position of a write to an append-mode file, and the journal writes at
  // its own end (the last whole line), which after a failed write is before the file's end.
  const fh = await open(file, constants.O_RDWR | constants.O_CREAT, 0o600);
  return {
    write: async (buf, offset, length, position) => (await fh.write(buf, offset, length, position)).bytesWritten,
    read: async (buf, offset, length, position) => (await fh.read(buf, offset, length, position)).bytesRead,
    sync: () => fh.sync(),
    truncate: (size) => fh.truncate(size),
    size: async () => (await fh.stat()).size,
    close: () => fh.close(),
  };
};

/** A journal write that did not become durable: nothing of it is in the file. */
export class JournalWriteError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    const why = code === 'ENOSPC' ? 'the disk is full' : cause instanceof Error ? cause.message : String(cause);
    super(`could not write the execution journal ${file}: ${why}`, { cause });
    this.name = 'JournalWriteError';
  }
}

/** The end of the last whole line: everything after it is a torn line. */
async function lastWholeLineEnd(f: JournalFile): Promise<number> {
  const size = await f.size();
  const chunk = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - chunk.length);
    const n = await f.read(chunk, 0, end - start, start);
    const nl = chunk.subarray(0, n).lastIndexOf(0x0a);
    if (nl >= 0) return start + nl + 1;
    end = start;
  }
  return 0;
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
  /** Bytes may lie past `end` (a failed write whose cut-back failed too): cut them before the next write. */
  private dirty = false;

  private constructor(
    readonly file: string,
    private readonly f: JournalFile,
    /** The end of the last whole, durable line: where the next batch goes. */
    private end: number,
  ) {}

  static async open(file: string, opts: { openFile?: OpenJournalFile } = {}): Promise<Journal> {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const f = await (opts.openFile ?? openNodeFile)(file);
    const end = await lastWholeLineEnd(f);
    if (end < (await f.size())) {
      await f.truncate(end);
      await f.sync();
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
    return new Journal(file, f, end);
  }

  /** Resolves once the record's line is whole on disk; rejects with JournalWriteError if it is not there. */
  append(record: JournalRecord): Promise<void> {
    if (this.closed) return Promise.reject(new JournalWriteError(this.file, new Error('journal closed')));
    return new Promise<void>((done, fail) => {
      this.queue.push({ line: `${serialize(record)}\n`, done, fail });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const buf = Buffer.from(batch.map((b) => b.line).join(''), 'utf8');
      try {
        if (this.dirty) {
          await this.f.truncate(this.end);
          this.dirty = false;
        }
        for (let written = 0; written < buf.length; ) {
          this.dirty = true;
          const n = await this.f.write(buf, written, buf.length - written, this.end + written);
          if (!(n > 0)) throw new Error(`write made no progress (${written} of ${buf.length} bytes)`);
          written += n;
        }
        await this.f.sync();
        this.end += buf.length;
        this.dirty = false;
        for (const b of batch) b.done();
      } catch (err) {
        await this.cutBack();
        const e = new JournalWriteError(this.file, err);
        for (const b of batch) b.fail(e);
      }
    }
    this.flushing = null;
  }

  /** Removes what a failed batch left past the last whole line; if that fails too, the next batch retries. */
  private async cutBack(): Promise<void> {
    try {
      await this.f.truncate(this.end);
      await this.f.sync();
      this.dirty = false;
    } catch {
      this.dirty = true;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flushing;
    await this.f.close();
  }
}
