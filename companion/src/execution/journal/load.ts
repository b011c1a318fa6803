import { closeSync, openSync, readSync } from 'node:fs';
import type { ExecuteResult } from '@tierwatch/shared';
import type { Logger } from '../../core/logger.ts';
import { jsonOrUndefined, PastExecutions, reasonOf } from './past.ts';
import { type Header, IntentRecord, LegRecord, newHeader, parseRecord, readHeader } from './records.ts';
import { type Loc, scanLines } from './scan.ts';
import { ExecutionTable } from './table.ts';

/**
 * Reading the journal at start, in one streaming pass, into a small index (table.ts).
 *
 * What is kept in memory, and why: per execution only what idempotency and the API need to find it —
 * execution id, key, request hash, start time — and where its lines are (offset, length, line number).
 * Superseded lines (a finished execution's intent result and the legs before its final record) are never
 * parsed: the final record replaces them. Unfinished executions (a handful: recovery settles them) are
 * read in full now and checked with the schemas. A finished execution's result is read from disk, parsed
 * and checked when asked for (GET /executions/:id, a retried key, the newest page of GET /executions),
 * with a small cache of recent ones (past.ts). So memory grows by a few hundred bytes per execution instead
 * of its whole result, and a start never JSON-parses hundreds of megabytes (a 540 MB journal no longer
 * fails with "Cannot create a string longer than …", nor takes 400 MB). The price: a final record damaged
 * inside (its head intact) is found when first read, not at start; it is then named in a warning and
 * answered as unreadable, never as something else.
 *
 * Lines whose head is not in the fixed layout `serialize` writes (an older writer, a hand edit, a wrong
 * shape) are parsed in full with the schemas; those that fail are skipped, each named in a warning with
 * the file, line number and reason. So is a torn last line (no newline).
 */

/** One execution the companion did not see finish: fully read, for recovery. */
export interface JournaledExecution {
  intent: IntentRecord;
  result: ExecuteResult;
  finished: false;
}

export interface SkippedLine {
  line: number;
  reason: string;
}

export interface LoadedJournal {
  file: string;
  /** Executions without a final record, fully read and checked. */
  unfinished: Map<string, JournaledExecution>;
  /** Finished executions: looked up by id and key, results read on demand. */
  past: PastExecutions;
  /** Every indexed execution (compaction rewrites from it). */
  table: ExecutionTable;
  skipped: SkippedLine[];
  bytes: number;
  lines: number;
}

const WARN_LINES = 20;

/** b[s, s+n) equals a[0, n): a loop, cheaper than Buffer.compare's call for a 20-byte id on every line. */
function sameBytes(b: Buffer, s: number, a: Buffer, n: number): boolean {
  for (let k = 0; k < n; k++) if (b[s + k] !== a[k]) return false;
  return true;
}

function isBlank(b: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] !== 0x20 && b[i] !== 0x09 && b[i] !== 0x0d) return false;
  return true;
}

type Skip = (line: number, reason: string) => void;

/**
 * The per-line step of the start-up pass: each line's head (the fixed layout, or a full parse when it is not
 * in it) indexed into `table`. Consecutive lines are mostly of one execution, so its row is found by
 * comparing id bytes, not a lookup; account names are matched by their bytes (a leg line costs no string).
 */
function lineIndexer(table: ExecutionTable, skip: Skip) {
  /** One record's head, from a full parse: applied to the table. */
  const apply = (
    h: { type: Header['type']; at: number; executionId: string; key: string; hash: string; account: string },
    row: number | undefined,
    loc: Loc,
  ) => {
    if (h.type === 'intent') {
      if (row !== undefined) return skip(loc.line, `a second intent for execution ${h.executionId}`);
      table.add(h.executionId, h.key, h.hash, h.at, loc);
      return;
    }
    if (row === undefined)
      return skip(loc.line, `a ${h.type} record for execution ${h.executionId}, which has no intent before it`);
    if (h.type === 'finished') table.setFinished(row, loc);
    else table.setLeg(row, h.account, loc);
  };
  const h = newHeader();
  const str = (b: Buffer, [s, e]: [number, number]) => b.toString('latin1', s, e);
  const lastId = Buffer.alloc(64);
  let lastIdLen = -1;
  let lastRow = -1;
  const accounts: { bytes: Buffer; id: number }[] = [];
  const accountOf = (b: Buffer, [s, e]: [number, number]) => {
    for (const a of accounts) if (a.bytes.length === e - s && b.compare(a.bytes, 0, e - s, s, e) === 0) return a.id;
    const name = b.toString('latin1', s, e);
    const id = table.account(name);
    accounts.push({ bytes: Buffer.from(name, 'latin1'), id });
    return id;
  };
  /** A line not in the fixed layout: parsed in full and checked with the schemas. */
  const parsedLine = (buf: Buffer, start: number, end: number, offset: number, line: number) => {
    const parsed = parseRecord(buf.toString('utf8', start, end));
    if (!parsed.ok) return skip(line, parsed.reason);
    const r = parsed.record;
    lastIdLen = -1;
    apply(
      {
        type: r.type,
        at: r.at,
        executionId: r.executionId,
        key: r.type === 'intent' ? r.idempotencyKey : '',
        hash: r.type === 'intent' ? r.requestHash : '',
        account: r.type === 'leg' ? r.leg.account : '',
      },
      table.row(r.executionId),
      { offset, length: end - start, line },
    );
  };
  return (buf: Buffer, start: number, end: number, offset: number, line: number) => {
    if (isBlank(buf, start, end)) return;
    if (!readHeader(buf, start, end, h)) return parsedLine(buf, start, end, offset, line);
    const [s, e] = h.id;
    let row = -1;
    if (h.type !== 'intent' && e - s === lastIdLen && sameBytes(buf, s, lastId, lastIdLen)) row = lastRow;
    else {
      const executionId = str(buf, h.id);
      if (h.type === 'intent') {
        if (table.row(executionId) !== undefined) return skip(line, `a second intent for execution ${executionId}`);
        row = table.addAt(executionId, str(buf, h.key), h.at, offset, end - start, line);
        table.setHash(row, buf, h.hash[0], h.hash[1]);
      } else {
        const found = table.row(executionId);
        if (found === undefined)
          return skip(line, `a ${h.type} record for execution ${executionId}, which has no intent before it`);
        row = found;
      }
      buf.copy(lastId, 0, s, e);
      lastIdLen = e - s;
      lastRow = row;
      if (h.type === 'intent') return;
    }
    if (h.type === 'finished') table.setFinishedAt(row, offset, end - start, line);
    else table.setLegAt(row, accountOf(buf, h.account), offset, end - start, line);
  };
}

/** Unfinished executions are read in full: recovery needs every leg, and each line is checked. */
function readUnfinished(fd: number, table: ExecutionTable, skip: Skip): Map<string, JournaledExecution> {
  const unfinished = new Map<string, JournaledExecution>();
  const read = (loc: Loc): unknown => {
    const b = Buffer.alloc(loc.length);
    readSync(fd, b, 0, loc.length, loc.offset);
    return jsonOrUndefined(b.toString('utf8'));
  };
  for (let r = 0; r < table.size; r++) {
    if (table.isFinished(r) || !table.alive(r)) continue;
    const executionId = table.ids[r]!;
    const intentLoc = table.intent(r);
    const intent = IntentRecord.safeParse(read(intentLoc));
    if (!intent.success) {
      skip(intentLoc.line, `the intent of ${executionId}: ${reasonOf(intent.error)}`);
      table.forget(r);
      continue;
    }
    const result = structuredClone(intent.data.result);
    for (const l of table.legLocs(r)) {
      const leg = LegRecord.safeParse(read(l));
      if (!leg.success) {
        skip(l.line, `a leg of ${executionId}: ${reasonOf(leg.error)}`);
        continue;
      }
      const i = result.legs.findIndex((x) => x.account === leg.data.leg.account);
      if (i >= 0) result.legs[i] = leg.data.leg;
    }
    unfinished.set(executionId, { intent: intent.data, result, finished: false });
  }
  return unfinished;
}

export async function loadJournal(file: string, log: Logger): Promise<LoadedJournal> {
  const table = new ExecutionTable();
  const skipped: SkippedLine[] = [];
  // Each skipped line is named; past the first WARN_LINES, only counted (a summary at the end).
  const skip = (line: number, reason: string) => {
    skipped.push({ line, reason });
    if (skipped.length <= WARN_LINES)
      log.warn({ file, line, reason }, `journal: line ${line} of ${file} skipped: ${reason}`);
  };
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const past = new PastExecutions(file, table, log);
    return { file, unfinished: new Map(), past, table, skipped, bytes: 0, lines: 0 };
  }
  try {
    const { bytes, lines } = await scanLines(fd, lineIndexer(table, skip), (loc, problem) =>
      skip(loc.line, problem === 'torn' ? 'torn (no newline: cut off by a crash or a full disk)' : 'too long'),
    );
    const unfinished = readUnfinished(fd, table, skip);
    skipped.sort((a, b) => a.line - b.line);
    if (skipped.length > WARN_LINES)
      log.warn(
        { file, skipped: skipped.length, lines: skipped.slice(WARN_LINES, WARN_LINES + 100).map((x) => x.line) },
        `journal: ${skipped.length - WARN_LINES} more lines of ${file} skipped`,
      );
    return { file, unfinished, past: new PastExecutions(file, table, log), table, skipped, bytes, lines };
  } finally {
    closeSync(fd);
  }
}
