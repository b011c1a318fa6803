import { gzipSync } from 'node:zlib';
import type { Context } from 'hono';

/** A rendered response body: UTF-8 JSON, and its gzip once a client that accepts gzip asked for it. */
export interface Rendered {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly fetchedAt: number;
  gzip?: Uint8Array<ArrayBuffer>;
}

/**
 * Rendered responses keyed by the exact cache entries they were built from (and the tier version), so the
 * cached hot path serves ready bytes: no classification, no JSON.stringify, no UTF-8 encoding (hundreds of
 * positions are ~100 KB: encoding them per request would be most of the hot path's cost).
 */
export class ResponseMemo {
  private readonly memos = new Map<string, Rendered & { parts: readonly object[]; version: number }>();

  get(key: string, parts: readonly object[], version: number): Rendered | undefined {
    const m = this.memos.get(key);
    if (m === undefined || m.version !== version || m.parts.length !== parts.length) return undefined;
    for (let i = 0; i < parts.length; i++) if (m.parts[i] !== parts[i]) return undefined;
    return m;
  }

  set(key: string, parts: readonly object[], version: number, json: string, fetchedAt: number): Rendered {
    const m = { parts, version, body: Buffer.from(json, 'utf8'), fetchedAt };
    this.memos.set(key, m);
    return m;
  }
}

export const HIT_TIMING = 'cache;desc=hit';

export function missTiming(anyMiss: boolean, exchangeMs: number): string {
  return `cache;desc=${anyMiss ? 'miss' : 'hit'}, exchange;dur=${exchangeMs.toFixed(1)}`;
}

/** Bodies below this go out as they are: gzip would save next to nothing. */
export const GZIP_MIN_BYTES = 1024;

/**
 * Whether an `Accept-Encoding` value accepts gzip (RFC 9110 §12.5.3): a `gzip` (or `x-gzip`) or `*` token
 * whose q is not 0. Browsers' fetch always sends `gzip, deflate, br[, zstd]`.
 */
export function acceptsGzip(header: string | null | undefined): boolean {
  if (!header) return false;
  let star = false;
  for (const item of header.split(',')) {
    const [token = '', ...params] = item.split(';');
    const name = token.trim().toLowerCase();
    if (name !== 'gzip' && name !== 'x-gzip' && name !== '*') continue;
    const q = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const accepted = q === undefined || Number(q.slice(2)) > 0;
    if (name === '*') star = accepted;
    else return accepted; // an explicit gzip entry wins over *
  }
  return star;
}

/**
 * A memoized body: gzipped for clients that accept it, compressed once per rendering (level 1: JSON of
 * positions shrinks ~7x at a fraction of a millisecond, and every later hit sends a seventh of the bytes).
 */
export function respondRendered(c: Context, m: Rendered, now: number): Response {
  c.header('Vary', 'Accept-Encoding', { append: true });
  if (m.body.byteLength >= GZIP_MIN_BYTES && acceptsGzip(c.req.header('accept-encoding'))) {
    m.gzip ??= gzipSync(m.body, { level: 1 }) as Uint8Array<ArrayBuffer>;
    c.header('Content-Encoding', 'gzip');
    return respondJson(c, m.gzip, m.fetchedAt, now, HIT_TIMING);
  }
  return respondJson(c, m.body, m.fetchedAt, now, HIT_TIMING);
}

/**
 * A JSON body with its freshness: `Age` (whole seconds since the oldest data was fetched, per RFC 9111) and
 * `Server-Timing` (hit or miss, time waiting on the exchange). `no-store`: account data stays out of caches.
 */
export function respondJson(
  c: Context,
  body: string | Uint8Array<ArrayBuffer>,
  fetchedAt: number,
  now: number,
  timing: string,
): Response {
  return c.body(body, 200, {
    'Content-Type': 'application/json',
    Age: String(now > fetchedAt ? Math.floor((now - fetchedAt) / 1000) : 0),
    'Server-Timing': timing,
    'Cache-Control': 'no-store',
  });
}
