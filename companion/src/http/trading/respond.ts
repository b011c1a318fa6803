import type { Context } from 'hono';

/**
 * Rendered responses keyed by the exact cache entries they were built from (and the tier version), so the
 * cached hot path serves ready bytes: no classification, no JSON.stringify, no UTF-8 encoding (hundreds of
 * positions are ~100 KB: encoding them per request would be most of the hot path's cost).
 */
export class ResponseMemo {
  private readonly memos = new Map<
    string,
    { parts: readonly object[]; version: number; body: Uint8Array<ArrayBuffer>; fetchedAt: number }
  >();

  get(
    key: string,
    parts: readonly object[],
    version: number,
  ): { body: Uint8Array<ArrayBuffer>; fetchedAt: number } | undefined {
    const m = this.memos.get(key);
    if (m === undefined || m.version !== version || m.parts.length !== parts.length) return undefined;
    for (let i = 0; i < parts.length; i++) if (m.parts[i] !== parts[i]) return undefined;
    return m;
  }

  set(
    key: string,
    parts: readonly object[],
    version: number,
    json: string,
    fetchedAt: number,
  ): { body: Uint8Array<ArrayBuffer>; fetchedAt: number } {
    const m = { parts, version, body: Buffer.from(json, 'utf8'), fetchedAt };
    this.memos.set(key, m);
    return m;
  }
}

export const HIT_TIMING = 'cache;desc=hit';

export function missTiming(anyMiss: boolean, exchangeMs: number): string {
  return `cache;desc=${anyMiss ? 'miss' : 'hit'}, exchange;dur=${exchangeMs.toFixed(1)}`;
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
