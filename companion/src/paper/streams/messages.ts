/**
 * Bybit v5 WebSocket message shapes, as ccxt pro's bybit class reads them (ts/src/pro/bybit.ts): acks and
 * errors carry `success`/`ret_msg`/`op`/`req_id`/`conn_id`; an auth refusal also echoes `request.op`, which is
 * what makes ccxt raise AuthenticationError rather than a generic ExchangeError.
 */

export type Json = Record<string, unknown>;

export const ack = (op: string, connId: string, reqId: unknown, success = true, retMsg = ''): Json => ({
  success,
  ret_msg: retMsg,
  conn_id: connId,
  ...(reqId !== undefined ? { req_id: String(reqId) } : {}),
  op,
});

export function authRefused(connId: string, retMsg: string, args: unknown): Json {
  const echoed = Array.isArray(args) ? args.slice(0, 2) : null;
  return { success: false, ret_msg: retMsg, op: 'auth', conn_id: connId, request: { op: 'auth', args: echoed } };
}

/**
 * Bybit answers a ping in two shapes: the public streams with an ack whose ret_msg is "pong", the private
 * and trade streams with op "pong" and the server time in args.
 */
export function pong(kind: 'public' | 'private' | 'trade', connId: string, reqId: unknown, now: number): Json {
  if (kind === 'public') return { ...ack('ping', connId, reqId, true, 'pong') };
  return {
    ...(reqId !== undefined ? { req_id: String(reqId) } : {}),
    op: 'pong',
    args: [String(now)],
    conn_id: connId,
  };
}

/** The fields of `next` that differ from `prev`, plus `symbol` (a linear ticker delta). Empty when none. */
export function tickerDelta(prev: Record<string, string>, next: Record<string, string>): Record<string, string> | null {
  let delta: Record<string, string> | null = null;
  for (const k of Object.keys(next)) {
    if (k === 'symbol' || prev[k] === next[k]) continue;
    delta ??= { symbol: next.symbol as string };
    delta[k] = next[k] as string;
  }
  return delta;
}

/** Kline intervals of Bybit's linear streams and REST, in minutes (D, W, M as fixed lengths here). */
export const KLINE_INTERVALS: Record<string, number> = {
  '1': 1,
  '3': 3,
  '5': 5,
  '15': 15,
  '30': 30,
  '60': 60,
  '120': 120,
  '240': 240,
  '360': 360,
  '720': 720,
  D: 1440,
  W: 10_080,
  M: 43_200,
};

export const ORDERBOOK_DEPTHS = [1, 50, 200, 500] as const;

export type PublicTopic =
  | { kind: 'tickers'; symbol: string }
  | { kind: 'kline'; interval: string; symbol: string }
  | { kind: 'orderbook'; depth: number; symbol: string };

/** Parses a public linear topic; null for anything Bybit would answer "handler not found". */
export function parsePublicTopic(topic: string, known: (symbol: string) => boolean): PublicTopic | null {
  const parts = topic.split('.');
  if (parts[0] === 'tickers' && parts.length === 2 && known(parts[1] as string))
    return { kind: 'tickers', symbol: parts[1] as string };
  if (parts.length !== 3 || !known(parts[2] as string)) return null;
  const [kind, mid, symbol] = parts as [string, string, string];
  if (kind === 'kline' && mid in KLINE_INTERVALS) return { kind: 'kline', interval: mid, symbol };
  if (kind === 'orderbook' && (ORDERBOOK_DEPTHS as readonly number[]).includes(Number(mid)))
    return { kind: 'orderbook', depth: Number(mid), symbol };
  return null;
}

export const PRIVATE_TOPICS = [
  'position',
  'position.linear',
  'order',
  'order.linear',
  'execution',
  'execution.linear',
  'wallet',
] as const;
export type PrivateTopic = (typeof PRIVATE_TOPICS)[number];

/** The family a topic is counted under in /sim/stats: "tickers.BTCUSDT" -> "tickers", "order.linear" -> "order". */
export const topicFamily = (topic: string): string => topic.slice(0, (topic.indexOf('.') + 1 || topic.length + 1) - 1);

/** Bybit limits the args of one public linear connection to 21,000 characters. */
export const MAX_ARGS_CHARS = 21_000;
