import { EpochMs, ExecuteRequest, ExecuteResult, IdempotencyKey, LegResult } from '@tierwatch/shared';
import { z } from 'zod';

/**
 * The journal's records, one JSON line each, all with `v: 1`:
 * - intent:   written and fsynced BEFORE any order is sent. The request, its hash, the planned legs with
 *             their client order ids.
 * - leg:      one account's outcome after its order call (or a later lookup); the last one per account wins.
 * - finished: the whole execution's final result (also after recovery, with `recovery` set). Leg records
 *             after it (a market order's fill read-back) still apply on top.
 *
 * Every line read is checked against these schemas (the protocol's own for the request, result and legs):
 * a line of the wrong shape is skipped and named, never trusted.
 */

const ExecutionId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an execution id');
const RequestHash = z.string().regex(/^[0-9a-f]{8,64}$/, 'a hex request hash');

export const IntentRecord = z
  .object({
    v: z.literal(1),
    type: z.literal('intent'),
    at: EpochMs,
    executionId: ExecutionId,
    idempotencyKey: IdempotencyKey,
    requestHash: RequestHash,
    request: ExecuteRequest,
    result: ExecuteResult,
  })
  .strict();
export type IntentRecord = z.infer<typeof IntentRecord>;

export const LegRecord = z
  .object({ v: z.literal(1), type: z.literal('leg'), at: EpochMs, executionId: ExecutionId, leg: LegResult })
  .strict();
export type LegRecord = z.infer<typeof LegRecord>;

export const FinishedRecord = z
  .object({
    v: z.literal(1),
    type: z.literal('finished'),
    at: EpochMs,
    executionId: ExecutionId,
    result: ExecuteResult,
  })
  .strict();
export type FinishedRecord = z.infer<typeof FinishedRecord>;

export const JournalRecord = z.discriminatedUnion('type', [IntentRecord, LegRecord, FinishedRecord]);
export type JournalRecord = z.infer<typeof JournalRecord>;

/** One parsed line, or why it is not a record (said plainly, for the warning that names the line). */
export function parseRecord(line: string): { ok: true; record: JournalRecord } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not JSON (a line torn by a crash or a full disk)' };
  }
  const r = JournalRecord.safeParse(raw);
  if (r.success) return { ok: true, record: r.data };
  const issue = r.error.issues[0];
  return { ok: false, reason: `not a journal record: ${issue?.path.join('.') || 'line'}: ${issue?.message}` };
}

/**
 * The line as written: the fields the index needs first, in a fixed order, whatever order the caller built
 * the object in (see `readHeader`).
 */
export function serialize(rec: JournalRecord): string {
  switch (rec.type) {
    case 'intent':
      return JSON.stringify({
        v: 1,
        type: rec.type,
        at: rec.at,
        executionId: rec.executionId,
        idempotencyKey: rec.idempotencyKey,
        requestHash: rec.requestHash,
        request: rec.request,
        result: rec.result,
      });
    case 'leg': {
      const { account, ...rest } = rec.leg;
      return JSON.stringify({
        v: 1,
        type: rec.type,
        at: rec.at,
        executionId: rec.executionId,
        leg: { account, ...rest },
      });
    }
    case 'finished':
      return JSON.stringify({ v: 1, type: rec.type, at: rec.at, executionId: rec.executionId, result: rec.result });
  }
}

/** What the start-up index takes from a line without parsing all of it. */
export type Header =
  | { type: 'intent'; at: number; executionId: string; idempotencyKey: string; requestHash: string }
  | { type: 'leg'; at: number; executionId: string; account: string }
  | { type: 'finished'; at: number; executionId: string };

const enc = (s: string) => Buffer.from(s, 'latin1');
const START = enc('{"v":1,"type":"');
const AT = enc('","at":');
const ID = enc(',"executionId":"');
const KEY = enc('","idempotencyKey":"');
const HASH = enc('","requestHash":"');
const REQUEST = enc('","request":{');
const LEG = enc('","leg":{"account":"');
const RESULT = enc('","result":{');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const matches = (b: Buffer, i: number, lit: Buffer) => b.compare(lit, 0, lit.length, i, i + lit.length) === 0;

/** A plain string value (no escapes) from i to the next quote: [value, index of the quote]. */
function plain(b: Buffer, i: number, end: number, re: RegExp): [string, number] | null {
  const q = b.indexOf(QUOTE, i);
  if (q < 0 || q >= end || q - i > 100) return null;
  const bs = b.indexOf(BACKSLASH, i);
  if (bs >= 0 && bs < q) return null;
  const s = b.toString('latin1', i, q);
  return re.test(s) ? [s, q] : null;
}

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const KEY_RE = /^[A-Za-z0-9_-]{8,36}$/;
const HASH_RE = /^[0-9a-f]{8,64}$/;
/** The same patterns as the protocol's IdempotencyKey and AccountName (the full parse checks them again). */
const ACCOUNT_RE = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;

/**
 * Reads the fixed-order head of a line written by `serialize` straight from its bytes, so a start does not
 * JSON-parse the hundreds of megabytes of a long journal just to index it (see load.ts for when the rest is
 * parsed). Null for anything else (another layout, escapes, a line glued to a torn one, a truncated line):
 * the caller then parses the whole line with the schemas above.
 */
export function readHeader(b: Buffer, start: number, end: number): Header | null {
  if (end - start < 40 || b[end - 1] !== 0x7d || !matches(b, start, START)) return null;
  // A torn line with the next record glued on holds a second record start; JSON strings cannot (quotes are
  // escaped), so this finds only that.
  const again = b.indexOf(START, start + 1);
  if (again >= 0 && again < end) return null;
  let i = start + START.length;
  const type = plain(b, i, end, /^(intent|leg|finished)$/);
  if (!type || !matches(b, type[1], AT)) return null;
  i = type[1] + AT.length;
  let at = 0;
  const atStart = i;
  while (i < end && b[i]! >= 0x30 && b[i]! <= 0x39 && i - atStart < 16) at = at * 10 + (b[i++]! - 0x30);
  if (i === atStart || !matches(b, i, ID)) return null;
  const id = plain(b, i + ID.length, end, ID_RE);
  if (!id) return null;
  const executionId = id[0];
  i = id[1];
  if (type[0] === 'finished') return matches(b, i, RESULT) ? { type: 'finished', at, executionId } : null;
  if (type[0] === 'leg') {
    if (!matches(b, i, LEG)) return null;
    const account = plain(b, i + LEG.length, end, ACCOUNT_RE);
    return account ? { type: 'leg', at, executionId, account: account[0] } : null;
  }
  if (!matches(b, i, KEY)) return null;
  const key = plain(b, i + KEY.length, end, KEY_RE);
  if (!key || !matches(b, key[1], HASH)) return null;
  const hash = plain(b, key[1] + HASH.length, end, HASH_RE);
  if (!hash || !matches(b, hash[1], REQUEST)) return null;
  return { type: 'intent', at, executionId, idempotencyKey: key[0], requestHash: hash[0] };
}
