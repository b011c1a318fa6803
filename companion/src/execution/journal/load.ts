import { open } from 'node:fs/promises';
import type { ExecuteResult } from '@tierwatch/shared';
import type { Logger } from '../../core/logger.ts';
import { jsonOrUndefined, type PastEntry, PastExecutions, reasonOf } from './past.ts';
import { type Header, IntentRecord, type JournalRecord, LegRecord, parseRecord, readHeader } from './records.ts';
import { type Loc, scanLines } from './scan.ts';

/**
 * Reading the journal at start, in one streaming pass, into a small index.
 *
 * What is kept in memory, and why: per execution only what idempotency and the API need to find it —
 * execution id, key, request hash, start time — and where its lines are (offset, length, line number).
 * Superseded lines (a finished execution's intent result and legs before its final record) are never
 * parsed: the final record replaces them. Unfinished executions (a handful: recovery settles them) are
 * read in full and checked with the schemas here. A finished execution's result is read from disk, parsed
 * and checked when asked for (GET /executions/:id, a retried key, the newest page of GET /executions), with
 * a small cache of the recent ones (past.ts). So memory grows by ~0.5 KB per execution instead of the
 * whole result (~3 KB of objects), a 200k-execution journal starts in about a second, and a start never
 * JSON-parses hundreds of megabytes. The price: a finished record damaged inside (its head intact) is found
 * when it is first read, not at start; it is then named in a warning and answered as unreadable, never as
 * something else.
 *
 * Lines whose head is not in the fixed layout `serialize` writes (an older writer, a hand edit, a wrong
 * shape) are parsed in full with the schemas; those that fail are skipped, each named in a warning with the
 * file, line number and reason.
 */

export type Indexed = PastEntry;

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
  /** Every indexed execution in file order (compaction rewrites from this). */
  indexed: Indexed[];
  skipped: SkippedLine[];
  bytes: number;
  lines: number;
}

const headerOf = (rec: JournalRecord): Header =>
  rec.type === 'intent'
    ? {
        type: 'intent',
        at: rec.at,
        executionId: rec.executionId,
        idempotencyKey: rec.idempotencyKey,
        requestHash: rec.requestHash,
      }
    : rec.type === 'leg'
      ? { type: 'leg', at: rec.at, executionId: rec.executionId, account: rec.leg.account }
      : { type: 'finished', at: rec.at, executionId: rec.executionId };

function isBlank(b: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] !== 0x20 && b[i] !== 0x09 && b[i] !== 0x0d) return false;
  return true;
}

export async function loadJournal(file: string, log: Logger): Promise<LoadedJournal> {
  const byId = new Map<string, Indexed>();
  const skipped: SkippedLine[] = [];
  const skip = (loc: Loc, reason: string) => {
    skipped.push({ line: loc.line, reason });
    log.warn({ file, line: loc.line, reason }, `journal: line ${loc.line} of ${file} skipped: ${reason}`);
  };
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return {
      file,
      unfinished: new Map(),
      past: new PastExecutions(file, [], log),
      indexed: [],
      skipped,
      bytes: 0,
      lines: 0,
    };
  }
  try {
    const { bytes, lines } = await scanLines(
      fh,
      (buf, start, end, loc) => {
        if (isBlank(buf, start, end)) return;
        let h = readHeader(buf, start, end);
        if (!h) {
          const parsed = parseRecord(buf.toString('utf8', start, end));
          if (!parsed.ok) return skip(loc, parsed.reason);
          h = headerOf(parsed.record);
        }
        const e = byId.get(h.executionId);
        if (h.type === 'intent') {
          if (e) return skip(loc, `a second intent for execution ${h.executionId}`);
          byId.set(h.executionId, {
            executionId: h.executionId,
            idempotencyKey: h.idempotencyKey,
            requestHash: h.requestHash,
            startedAt: h.at,
            intent: loc,
            legs: [],
            finished: null,
          });
          return;
        }
        if (!e) return skip(loc, `a ${h.type} record for execution ${h.executionId}, which has no intent before it`);
        if (h.type === 'finished') {
          e.finished = loc;
          e.legs = [];
          return;
        }
        const i = e.legs.findIndex((l) => l.account === h.account);
        const leg = { ...loc, account: h.account };
        if (i >= 0) e.legs[i] = leg;
        else e.legs.push(leg);
      },
      (loc, problem) =>
        skip(loc, problem === 'torn' ? 'torn (no newline: cut off by a crash or a full disk)' : 'too long'),
    );

    // Unfinished executions are read in full now: recovery needs every leg, and each line is checked.
    const unfinished = new Map<string, JournaledExecution>();
    const read = async (loc: Loc): Promise<unknown> => {
      const b = Buffer.alloc(loc.length);
      await fh.read(b, 0, loc.length, loc.offset);
      return jsonOrUndefined(b.toString('utf8'));
    };
    for (const e of byId.values()) {
      if (e.finished) continue;
      const intent = IntentRecord.safeParse(await read(e.intent));
      if (!intent.success) {
        skip(e.intent, `the intent of ${e.executionId}: ${reasonOf(intent.error)}`);
        byId.delete(e.executionId);
        continue;
      }
      const result = structuredClone(intent.data.result);
      for (const l of e.legs) {
        const leg = LegRecord.safeParse(await read(l));
        if (!leg.success) {
          skip(l, `a leg of ${e.executionId}: ${reasonOf(leg.error)}`);
          continue;
        }
        const i = result.legs.findIndex((x) => x.account === leg.data.leg.account);
        if (i >= 0) result.legs[i] = leg.data.leg;
      }
      unfinished.set(e.executionId, { intent: intent.data, result, finished: false });
    }
    const indexed = [...byId.values()];
    const past = new PastExecutions(
      file,
      indexed.filter((e) => e.finished),
      log,
    );
    return { file, unfinished, past, indexed, skipped, bytes, lines };
  } finally {
    await fh.close();
  }
}
