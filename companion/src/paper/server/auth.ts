import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PaperAccount } from '../engine/types.ts';
import { BybitError } from '../engine/types.ts';

/**
 * Bybit v5 HMAC-SHA256 signing: sign(timestamp + apiKey + recvWindow + payload), where the payload is the
 * raw query string of a GET or the raw body of a POST, exactly as sent. Verified on the raw text, never
 * on a re-encoded copy, so any drift between ccxt's encoding and ours shows up as 10004.
 */

export interface SignedRequest {
  apiKey: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  recvWindow: string | undefined;
  payload: string;
}

export function verify(
  req: SignedRequest,
  lookup: (apiKey: string) => PaperAccount | undefined,
  wallNow: number,
): PaperAccount {
  if (!req.apiKey) throw new BybitError(10003, 'API key is invalid.');
  const acc = lookup(req.apiKey);
  if (!acc) throw new BybitError(10003, 'API key is invalid.');
  if (!req.timestamp || !/^\d{10,16}$/.test(req.timestamp)) {
    throw new BybitError(10002, 'invalid request, please check your timestamp and recv_window param');
  }
  const recvWindow = req.recvWindow === undefined || req.recvWindow === '' ? 5000 : Number(req.recvWindow);
  if (!Number.isFinite(recvWindow) || recvWindow <= 0) throw new BybitError(10001, 'params error: recv_window invalid');
  const ts = Number(req.timestamp);
  // Bybit's rule: server_time - recv_window <= timestamp < server_time + 1000.
  if (ts < wallNow - recvWindow || ts >= wallNow + 1000) {
    throw new BybitError(
      10002,
      `invalid request, please check your server timestamp or recv_window param. req_timestamp[${ts}],server_timestamp[${wallNow}],recv_window[${recvWindow}]`,
    );
  }
  const expected = createHmac('sha256', acc.secret)
    .update(req.timestamp + req.apiKey + (req.recvWindow ?? '') + req.payload)
    .digest('hex');
  const given = Buffer.from(req.signature ?? '', 'utf8');
  const want = Buffer.from(expected, 'utf8');
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw new BybitError(10004, 'error sign! origin_string[redacted]');
  }
  return acc;
}

/** For tests and tools that speak to the paper exchange without ccxt. */
export function signHeaders(
  acc: { apiKey: string; secret: string },
  payload: string,
  timestamp: number,
  recvWindow = 5000,
): Record<string, string> {
  const ts = String(timestamp);
  const rw = String(recvWindow);
  return {
    'X-BAPI-API-KEY': acc.apiKey,
    'X-BAPI-TIMESTAMP': ts,
    'X-BAPI-RECV-WINDOW': rw,
    'X-BAPI-SIGN': createHmac('sha256', acc.secret)
      .update(ts + acc.apiKey + rw + payload)
      .digest('hex'),
    'Content-Type': 'application/json',
  };
}
