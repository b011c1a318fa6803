import { ActionRequest, EpochMs, ExecuteRequest, ExecuteResult, IdempotencyKey, LegResult } from '@tierwatch/shared';
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
    /** An execution's request, or an action's (lines written before actions existed are all executions). */
    request: z.union([ExecuteRequest, ActionRequest]),
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

/** Where the fields the start-up index needs sit in a line's bytes (reused from line to line: no garbage). */
export interface Header {
  type: 'intent' | 'leg' | 'finished';
  at: number;
  /** Byte ranges [start, end) of the execution id, and of the key and hash (intent) or account (leg). */
  id: [number, number];
  key: [number, number];
  hash: [number, number];
  account: [number, number];
}
export const newHeader = (): Header => ({
  type: 'intent',
  at: 0,
  id: [0, 0],
  key: [0, 0],
  hash: [0, 0],
  account: [0, 0],
});

const enc = (s: string) => Buffer.from(s, 'latin1');
const START = enc('{"v":1,"type":"');
const AT = enc('","at":');
const ID = enc(',"executionId":"');
const KEY = enc('","idempotencyKey":"');
const HASH = enc('","requestHash":"');
const REQUEST = enc('","request":{');
const LEG = enc('","leg":{"account":"');
const RESULT = enc('","result":{');
const TYPES = [enc('intent'), enc('leg'), enc('finished')] as const;
const TYPE_NAMES = ['intent', 'leg', 'finished'] as const;

function matches(b: Buffer, i: number, end: number, lit: Buffer): boolean {
  if (i + lit.length > end) return false;
  for (let k = 0; k < lit.length; k++) if (b[i + k] !== lit[k]) return false;
  return true;
}

// Byte classes of the plain strings the index reads: [A-Za-z0-9_-] (ids, keys, accounts) and [0-9a-f].
const WORD = new Uint8Array(256);
const HEX = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  WORD[c] = /[A-Za-z0-9_-]/.test(ch) ? 1 : 0;
  HEX[c] = /[0-9a-f]/.test(ch) ? 1 : 0;
}

/** A run of `cls` bytes from i, min..max long, ending at a quote: the quote's index, or -1. */
function plain(b: Buffer, i: number, end: number, cls: Uint8Array, min: number, max: number): number {
  let k = i;
  while (k < end && k - i <= max && cls[b[k]!] === 1) k++;
  return k < end && b[k] === 0x22 && k - i >= min && k - i <= max ? k : -1;
}

/**
 * Reads the fixed-order head of a line written by `serialize` straight from its bytes into `h`, so a start
 * does not JSON-parse the hundreds of megabytes of a long journal just to index it (see load.ts for when
 * the rest is parsed). False for anything else (another layout, escapes, a line glued to a torn one, a
 * truncated line): the caller then parses the whole line with the schemas above. The patterns are those of
 * the schemas (IdempotencyKey, AccountName, the ids), checked again when the line is parsed in full.
 */
export function readHeader(b: Buffer, start: number, end: number, h: Header): boolean {
  if (end - start < 40 || b[end - 1] !== 0x7d || !matches(b, start, end, START)) return false;
  let i = start + START.length;
  let t = 0;
  while (t < 3 && !(matches(b, i, end, TYPES[t]!) && b[i + TYPES[t]!.length] === 0x22)) t++;
  if (t === 3) return false;
  h.type = TYPE_NAMES[t]!;
  // A torn line with the next record glued on (an older writer's doing) holds a second record start; JSON
  // strings cannot (quotes are escaped), so this finds only that. Checked for intents and final records,
  // which the index trusts by their heads; a glued leg line is found when it is parsed, which every leg
  // the index keeps is before it counts. (The search stops at the next line's start, right after this one.)
  if (t !== 1) {
    const again = b.indexOf(START, start + 1);
    if (again >= 0 && again < end) return false;
  }
  i += TYPES[t]!.length;
  if (!matches(b, i, end, AT)) return false;
  i += AT.length;
  const atStart = i;
  let at = 0;
  while (i < end && b[i]! >= 0x30 && b[i]! <= 0x39 && i - atStart < 16) at = at * 10 + (b[i++]! - 0x30);
  if (i === atStart || !matches(b, i, end, ID)) return false;
  h.at = at;
  i += ID.length;
  const idEnd = plain(b, i, end, WORD, 1, 64);
  if (idEnd < 0) return false;
  h.id[0] = i;
  h.id[1] = idEnd;
  i = idEnd;
  if (t === 2) return matches(b, i, end, RESULT);
  if (t === 1) {
    if (!matches(b, i, end, LEG)) return false;
    i += LEG.length;
    const accEnd = plain(b, i, end, WORD, 1, 40);
    if (accEnd < 0 || (!(b[i]! >= 0x41 && b[i]! <= 0x5a) && !(b[i]! >= 0x61 && b[i]! <= 0x7a))) return false;
    h.account[0] = i;
    h.account[1] = accEnd;
    return true;
  }
  if (!matches(b, i, end, KEY)) return false;
  i += KEY.length;
  const keyEnd = plain(b, i, end, WORD, 8, 36);
  if (keyEnd < 0 || !matches(b, keyEnd, end, HASH)) return false;
  h.key[0] = i;
  h.key[1] = keyEnd;
  i = keyEnd + HASH.length;
  const hashEnd = plain(b, i, end, HEX, 8, 64);
  if (hashEnd < 0 || !matches(b, hashEnd, end, REQUEST)) return false;
  h.hash[0] = i;
  h.hash[1] = hashEnd;
  return true;
}
