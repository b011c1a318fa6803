import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../core/logger.ts';
import type { LoadedJournal } from './load.ts';
import { legsBetween } from './past.ts';
import type { Loc } from './scan.ts';

/**
 * Compaction, at open (before the journal takes appends, so nothing writes while it runs): the lines still
 * needed are copied to a new file, which is fsynced and renamed over the journal atomically. A crash at any
 * point leaves either the old file or the new one, whole.
 *
 * Kept: every line of an unfinished execution (recovery needs it); for a finished one its intent (the key's
 * binding: key, request hash), its final record and the legs written after it. Dropped: superseded legs,
 * lines that were skipped as unreadable, and finished executions older than the retention window, whose
 * keys are then forgotten (a retry of such a key is a new execution). Runs only when it saves at least
 * `minWasteBytes` and `minWasteRatio` of the file, so a start does not rewrite a file that is mostly live.
 * A failure (the disk is full, above all) leaves the journal as it was, and the start goes on.
 */
export interface CompactOptions {
  now: number;
  retentionMs: number;
  minWasteBytes?: number;
  minWasteRatio?: number;
}

export interface CompactReport {
  compacted: boolean;
  bytesBefore: number;
  bytesAfter: number;
  expired: number;
}

type KeptRow = { intent: Loc; finished: Loc | null; legs: (Loc & { account: string })[] };

/**
 * Decided from the index alone (no read): what a finished row keeps is at most its intent and the bytes
 * from its final record to its last line (other executions' lines may lie between).
 */
function measure(j: LoadedJournal, keep: (r: number) => boolean) {
  const t = j.table;
  let alive = 0;
  let kept = 0;
  let keptAtMost = 0;
  for (let r = 0; r < t.size; r++) {
    if (!t.alive(r)) continue;
    alive++;
    if (!keep(r)) continue;
    kept++;
    keptAtMost += t.intent(r).length + 1;
    const f = t.finished(r);
    if (f) keptAtMost += t.afterFinished(r).to - f.offset + 1;
    else for (const l of t.legLocs(r)) keptAtMost += l.length + 1;
  }
  return { alive, kept, waste: j.bytes - keptAtMost };
}

/** The lines each kept row still needs (a finished row's legs after its final record are read from disk). */
function keptLines(j: LoadedJournal, keep: (r: number) => boolean): { locs: Loc[]; rows: Map<number, KeptRow> } {
  const t = j.table;
  const locs: Loc[] = [];
  const rows = new Map<number, KeptRow>();
  const fd = openSync(j.file, 'r');
  try {
    for (let r = 0; r < t.size; r++) {
      if (!t.alive(r) || !keep(r)) continue;
      const finished = t.finished(r);
      const legs = finished ? legsBetween(fd, t.afterFinished(r), finished.line, t.ids[r]!, false) : t.legLocs(r);
      const row = { intent: t.intent(r), finished, legs };
      rows.set(r, row);
      locs.push(row.intent, ...(finished ? [finished] : []), ...legs);
    }
  } finally {
    closeSync(fd);
  }
  locs.sort((a, b) => a.offset - b.offset);
  return { locs, rows };
}

/** Copies `locs` (in file order) from `src` to `dst` through one buffer; each line's new place by its old offset. */
function copyLines(src: number, dst: number, locs: readonly Loc[]): { moved: Map<number, Loc>; written: number } {
  const moved = new Map<number, Loc>(); // old offset → new place
  const buf = Buffer.alloc(4 * 1024 * 1024);
  let used = 0;
  let written = 0;
  const writeAll = (b: Buffer, n: number) => {
    for (let done = 0; done < n; ) {
      const w = writeSync(dst, b, done, n - done);
      if (!(w > 0)) throw new Error('write made no progress');
      done += w;
    }
  };
  const flush = () => {
    writeAll(buf, used);
    written += used;
    used = 0;
  };
  const copy = (loc: Loc, into: Buffer, at: number) => {
    const n = loc.length + 1; // with its newline
    if (readSync(src, into, at, n, loc.offset) !== n || into[at + n - 1] !== 0x0a)
      throw new Error(`line ${loc.line} changed while compacting`);
  };
  for (const loc of locs) {
    const n = loc.length + 1;
    if (used + n > buf.length) flush();
    if (n > buf.length) {
      const big = Buffer.alloc(n);
      copy(loc, big, 0);
      writeAll(big, n);
      moved.set(loc.offset, { offset: written, length: loc.length, line: moved.size + 1 });
      written += n;
      continue;
    }
    copy(loc, buf, used);
    moved.set(loc.offset, { offset: written + used, length: loc.length, line: moved.size + 1 });
    used += n;
  }
  flush();
  return { moved, written };
}

/** Writes the kept lines to `tmp`, fsynced, and renames it over the journal (the directory fsynced where it can be). */
function rewrite(file: string, tmp: string, locs: readonly Loc[]): { moved: Map<number, Loc>; written: number } {
  let src: number | null = null;
  let dst: number | null = null;
  try {
    src = openSync(file, 'r');
    dst = openSync(tmp, 'w', 0o600);
    const copied = copyLines(src, dst, locs);
    fsyncSync(dst);
    closeSync(dst);
    dst = null;
    renameSync(tmp, file);
    try {
      const dir = openSync(dirname(file), 'r');
      fsyncSync(dir);
      closeSync(dir);
    } catch {
      // Some filesystems refuse fsync on a directory; the rename itself is atomic.
    }
    return copied;
  } finally {
    if (src !== null) closeSync(src);
    if (dst !== null) closeSync(dst);
  }
}

export function compactJournal(j: LoadedJournal, opts: CompactOptions, log: Logger): CompactReport {
  const oldest = opts.now - opts.retentionMs;
  const t = j.table;
  const keep = (r: number) => !t.isFinished(r) || t.startedAt[r]! >= oldest;
  const { alive, kept, waste } = measure(j, keep);
  const report = { compacted: false, bytesBefore: j.bytes, bytesAfter: j.bytes, expired: alive - kept };
  if (j.bytes === 0 || waste < (opts.minWasteBytes ?? 8 * 1024 * 1024) || waste < j.bytes * (opts.minWasteRatio ?? 0.5))
    return report;
  const tmp = `${j.file}.compacting`;
  try {
    const { locs, rows } = keptLines(j, keep);
    const { moved, written } = rewrite(j.file, tmp, locs);
    const to = (l: Loc) => moved.get(l.offset)!;
    j.table = t.rebuild(keep, (r) => {
      const row = rows.get(r)!;
      return {
        intent: to(row.intent),
        finished: row.finished && to(row.finished),
        legs: row.legs.map((l) => ({ ...to(l), account: l.account })),
      };
    });
    j.past.replace(j.table);
    j.bytes = written;
    j.lines = moved.size;
    log.info({ file: j.file, ...report, bytesAfter: written }, 'journal compacted');
    return { ...report, compacted: true, bytesAfter: written };
  } catch (err) {
    log.warn({ file: j.file, err: String(err) }, 'journal compaction failed; the journal is kept as it was');
    rmSync(tmp, { force: true });
    return report;
  }
}
