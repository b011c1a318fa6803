import { paramsError } from '../engine/types.ts';

/**
 * Reads request parameters the way Bybit tolerates them: numbers may come as strings or numbers,
 * booleans as true/"true". Anything malformed is a 10001 with the parameter named.
 */
export class Params {
  constructor(private readonly raw: Record<string, unknown>) {}

  static fromQuery(query: string): Params {
    const out: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(query)) out[k] = v;
    return new Params(out);
  }

  static fromBody(body: string): Params {
    if (body.trim() === '') return new Params({});
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw paramsError('request body is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw paramsError('request body must be a JSON object');
    return new Params(parsed as Record<string, unknown>);
  }

  str(key: string): string | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw paramsError(`${key} must be a string`);
  }

  need(key: string): string {
    const v = this.str(key);
    if (v === undefined) throw paramsError(`${key} is required`);
    return v;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback?: T): T {
    const v = this.str(key) ?? fallback;
    if (v === undefined) throw paramsError(`${key} is required`);
    if (!(allowed as readonly string[]).includes(v)) throw paramsError(`${key} must be one of ${allowed.join(', ')}`);
    return v as T;
  }

  num(key: string): number | undefined {
    const v = this.str(key);
    if (v === undefined) return undefined;
    if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v)) throw paramsError(`${key} must be a number, got "${v}"`);
    return Number(v);
  }

  int(key: string, min: number, max: number, fallback: number): number {
    const v = this.num(key);
    if (v === undefined) return fallback;
    if (!Number.isInteger(v) || v < min || v > max) throw paramsError(`${key} must be an integer in [${min}, ${max}]`);
    return v;
  }

  bool(key: string): boolean {
    const v = this.raw[key];
    if (v === undefined || v === null || v === '') return false;
    if (v === true || v === 'true' || v === 1 || v === '1') return true;
    if (v === false || v === 'false' || v === 0 || v === '0') return false;
    throw paramsError(`${key} must be a boolean`);
  }
}

/**
 * Page cursors as Bybit's look to a client: opaque and URL-encoded ("40%3A9f1c2a7b", an offset and a check
 * word), never a readable page number a client could start relying on. Taken back decoded (ccxt) or still
 * encoded; one that was not ours is a 10001.
 */
const check = (offset: number): string => {
  let h = 0x811c9dc5;
  for (const ch of `tierwatch-paper:${offset}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
};
export const encodeCursor = (offset: number): string => encodeURIComponent(`${offset}:${check(offset)}`);

export function decodeCursor(cursor: string): number {
  let raw = cursor;
  try {
    if (raw.includes('%')) raw = decodeURIComponent(raw);
  } catch {
    throw paramsError('cursor is invalid');
  }
  const m = /^(\d{1,7}):([0-9a-f]{8})$/.exec(raw);
  if (!m || check(Number(m[1])) !== m[2]) throw paramsError('cursor is invalid');
  return Number(m[1]);
}

export function page<T>(
  items: T[],
  p: Params,
  defaultLimit: number,
  maxLimit: number,
): { list: T[]; nextPageCursor: string } {
  const limit = p.int('limit', 1, maxLimit, defaultLimit);
  const cursor = p.str('cursor');
  const offset = cursor === undefined ? 0 : decodeCursor(cursor);
  const list = items.slice(offset, offset + limit);
  return { list, nextPageCursor: offset + limit < items.length ? encodeCursor(offset + limit) : '' };
}
