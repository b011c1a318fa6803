import WebSocket from 'ws';
import { Rng } from '../../companion/src/core/rng.ts';
import type { RunningCompanion } from '../../companion/src/runtime.ts';

/**
 * Hostile input against a running companion: every HTTP route (and some that do not exist) with malformed
 * JSON, wrong types, huge and chunked bodies, unicode, negative / NaN / infinite numbers, missing and extra
 * fields and prototype-pollution keys; every WebSocket message type likewise. Each case is sent with a valid
 * pairing token, so it reaches validation. Shared by test/security/fuzz.test.ts (the guarantee) and
 * test/bench/benches/fuzz.ts (the figures).
 */

export interface HttpCase {
  name: string;
  method: string;
  path: string;
  body?: string | Uint8Array | 'chunked-huge';
  contentType?: string | null;
}

export interface FuzzReport {
  fuzzCases: number;
  httpCases: number;
  wsCases: number;
  serverErrors: number;
  serverErrorSamples: string[];
  /** Answers outside the protocol's error shape (a 4xx must say why, as {error:{code,message}}). */
  malformedAnswers: number;
  malformedSamples: string[];
  statuses: Record<string, number>;
  wsErrorFrames: number;
  wsClosedBy: Record<string, number>;
  ordersPlaced: number;
  prototypePolluted: boolean;
  healthyAfter: boolean;
}

/** Hostile scalar values as JSON source text (NaN and Infinity are not JSON: sent raw, they are malformed). */
const HOSTILE_VALUES = [
  'null',
  'true',
  '0',
  '-1',
  '-0',
  '1e309',
  '-1e309',
  'NaN',
  'Infinity',
  '1e-320',
  '9007199254740993',
  '""',
  '"💥\\u0000\\ud800"',
  '"../../etc/passwd"',
  `"${'A'.repeat(5000)}"`,
  '[]',
  '{}',
  '[1,2,3]',
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '"BTCUSDT"',
  '"main"',
  '"long"',
  '"market"',
  '"\\u202eTDSUCTB"',
  '"%00"',
];

const BASE: Record<string, string> = {
  idempotencyKey: '"fuzz-key-base-0001"',
  symbol: '"BTCUSDT"',
  side: '"long"',
  orderType: '"market"',
  quantity: '0.001',
};

const obj = (fields: Record<string, string>) =>
  `{${Object.entries(fields)
    .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
    .join(',')}}`;

/** Execute bodies that are all invalid: each one must be refused with a 4xx and place nothing. */
export function executeBodies(seed = 1): { name: string; body: string; contentType?: string | null }[] {
  const rng = new Rng(seed);
  const r = () => rng.next();
  const out: { name: string; body: string; contentType?: string | null }[] = [];
  // Malformed JSON.
  for (const raw of [
    '',
    '{',
    '{"a":',
    'null',
    '[]',
    '"x"',
    '1',
    'NaN',
    '{"quantity":NaN}',
    '\u0000',
    "{'a':1}",
    '{"a":1}}',
    '\ufeff{}',
    '{"a":"\ud800"}',
  ]) {
    out.push({ name: `malformed ${JSON.stringify(raw).slice(0, 30)}`, body: raw });
  }
  // Each field missing.
  for (const k of Object.keys(BASE)) {
    const f = { ...BASE };
    delete f[k];
    out.push({
      name: `missing ${k}`,
      body: obj(k === 'idempotencyKey' ? f : { ...f, idempotencyKey: `"fuzz-missing-${k}"` }),
    });
  }
  // Each field replaced by each hostile value (the valid ones for that field are skipped).
  const valid: Record<string, string[]> = {
    symbol: ['"BTCUSDT"'],
    side: ['"long"'],
    orderType: ['"market"'],
    idempotencyKey: [],
    quantity: [],
  };
  let i = 0;
  for (const k of [...Object.keys(BASE), 'price', 'riskAmount', 'takeProfit', 'stopLoss', 'accounts']) {
    for (const v of HOSTILE_VALUES) {
      if (valid[k]?.includes(v)) continue;
      if ((k === 'takeProfit' || k === 'stopLoss') && v === 'null') continue; // null = no level: valid
      // A long's TP far above the mark is an odd order, not an invalid one (the instrument has no max price).
      if (k === 'takeProfit' && v === '9007199254740993') continue;
      const fields = { ...BASE, idempotencyKey: `"fuzz-field-${i++}"`, [k]: v };
      // takeProfit/stopLoss with a hostile value on an otherwise valid order: the value itself must be refused.
      out.push({ name: `${k}=${v.slice(0, 24)}`, body: obj(fields) });
    }
  }
  // Semantically invalid but well-typed.
  const sem: [string, Record<string, string>][] = [
    ['quantity huge', { quantity: '1e30' }],
    ['quantity below step', { quantity: '1e-12' }],
    ['limit without price', { orderType: '"limit"' }],
    ['market with price', { price: '100' }],
    ['limit price negative', { orderType: '"limit"', price: '-5' }],
    ['tp below entry (long)', { takeProfit: '1' }],
    ['sl above entry (long)', { stopLoss: '100000000' }],
    ['unknown symbol', { symbol: '"NOPENOPEUSDT"' }],
    ['unknown account', { accounts: '["nobody"]' }],
    ['account twice', { accounts: '["main","main"]' }],
    ['accounts __proto__', { accounts: '["__proto__"]' }],
    ['accounts constructor', { accounts: '["constructor"]' }],
    ['accounts toString', { accounts: '["toString"]' }],
    ['accounts 60', { accounts: JSON.stringify(Array.from({ length: 60 }, (_, n) => `a${n}`)) }],
    ['both quantity and risk', { riskAmount: '10', stopLoss: '1' }],
    ['risk without sl', { riskAmount: '10', quantity: 'undefined' }],
    ['risk negative', { riskAmount: '-10', stopLoss: '1' }],
    ['extra field', { extra: '1' }],
    ['__proto__ field', { ['__proto__']: '{"quantity":1}' }],
    ['constructor field', { constructor: '{"prototype":{"polluted":1}}' }],
    ['duplicate key, last invalid', { quantity: '0.001,"quantity":-1' }],
    ['key with unicode', { idempotencyKey: '"fuzz-ключ-💥-0001"' }],
    ['key too long', { idempotencyKey: `"${'k'.repeat(200)}"` }],
  ];
  for (const [name, over] of sem) {
    const fields: Record<string, string> = { ...BASE, idempotencyKey: `"fuzz-sem-${i++}"`, ...over };
    if (fields.quantity === 'undefined') delete fields.quantity;
    out.push({ name: `semantic: ${name}`, body: obj(fields) });
  }
  // Deep nesting, wide arrays, and random garbage.
  out.push({ name: 'deep nesting', body: `${'['.repeat(5000)}${']'.repeat(5000)}` });
  out.push({ name: 'deep object', body: `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}` });
  out.push({ name: 'wide array', body: obj({ ...BASE, accounts: `[${Array(5000).fill('"main"').join(',')}]` }) });
  for (let n = 0; n < 40; n++) {
    const len = Math.floor(r() * 200);
    let s = '';
    for (let j = 0; j < len; j++) s += String.fromCharCode(Math.floor(r() * 0x2fff));
    out.push({ name: `garbage ${n}`, body: s });
  }
  // Content types: a valid-looking body under the wrong type must not execute either when it is invalid.
  out.push({
    name: 'form encoded',
    body: 'symbol=BTCUSDT&side=long',
    contentType: 'application/x-www-form-urlencoded',
  });
  out.push({ name: 'no content type', body: obj({ ...BASE, quantity: '-1' }), contentType: null });
  out.push({ name: 'text/plain', body: obj({ ...BASE, quantity: '-1' }), contentType: 'text/plain' });
  return out;
}

/** Every authenticated GET route the companion serves. */
export const GET_ROUTES = [
  '/api/v1/trading/accounts',
  '/api/v1/trading/positions',
  '/api/v1/trading/orders/pending',
  '/api/v1/trading/balances',
  '/api/v1/trading/batch/snapshot',
  '/api/v1/trading/instruments',
  '/api/v1/trading/executions',
];

const QUERY_VALUES = [
  '',
  'main',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  '%F0%9F%92%A5',
  '%00',
  '%',
  '%E0%A4%A',
  'NaN',
  '-1',
  '1e309',
  'true',
  'false',
  encodeURIComponent('A'.repeat(5000)),
  encodeURIComponent('../../etc/passwd'),
];

export function httpCases(seed = 1): HttpCase[] {
  const cases: HttpCase[] = [];
  for (const path of GET_ROUTES) {
    for (const v of QUERY_VALUES) {
      cases.push({
        name: `GET ${path}?account_name=${v.slice(0, 20)}`,
        method: 'GET',
        path: `${path}?account_name=${v}`,
      });
      cases.push({ name: `GET ${path}?use_cache=${v.slice(0, 20)}`, method: 'GET', path: `${path}?use_cache=${v}` });
      cases.push({ name: `GET ${path}?${v.slice(0, 20)}=1`, method: 'GET', path: `${path}?${v}=1` });
    }
    cases.push({ name: `GET ${path} repeated`, method: 'GET', path: `${path}?account_name=main&account_name=main` });
    cases.push({ name: `GET ${path} __proto__[x]`, method: 'GET', path: `${path}?__proto__[polluted]=1` });
    cases.push({ name: `GET ${path} with a huge body`, method: 'GET', path, body: 'x'.repeat(200_000) });
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      cases.push({ name: `${method} ${path}`, method, path, body: '{"__proto__":{"polluted":1}}' });
      cases.push({ name: `${method} ${path} huge`, method, path, body: 'x'.repeat(200_000) });
      cases.push({ name: `${method} ${path} chunked huge`, method, path, body: 'chunked-huge' });
    }
  }
  for (const id of [
    'x',
    '__proto__',
    'constructor',
    '%F0%9F%92%A5',
    '..%2F..%2Fetc',
    'A'.repeat(3000),
    '%00',
    `ex_${'a'.repeat(16)}`,
  ]) {
    cases.push({ name: `GET executions/${id.slice(0, 20)}`, method: 'GET', path: `/api/v1/trading/executions/${id}` });
  }
  for (const path of [
    '/',
    '/api',
    '/api/v1',
    '/api/v1/trading',
    '/api/v1/trading/',
    '/api/v1/trading/execute/x',
    '/ws/x',
    '/sim/stats',
    '/v5/market/tickers',
    '/%2e%2e/%2e%2e',
    '/health/x',
    '//api/v1/trading/positions',
  ]) {
    cases.push({ name: `GET ${path}`, method: 'GET', path });
    cases.push({ name: `POST ${path}`, method: 'POST', path, body: '{}' });
  }
  cases.push({ name: 'GET /ws without upgrade', method: 'GET', path: '/ws' });
  cases.push({ name: 'GET /execute', method: 'GET', path: '/api/v1/trading/execute' });
  for (const b of executeBodies(seed)) {
    cases.push({
      name: `execute: ${b.name}`,
      method: 'POST',
      path: '/api/v1/trading/execute',
      body: b.body,
      ...(b.contentType !== undefined ? { contentType: b.contentType } : { contentType: 'application/json' }),
    });
  }
  for (const b of actionBodies(seed)) {
    cases.push({
      name: `actions: ${b.name}`,
      method: 'POST',
      path: '/api/v1/trading/actions',
      body: b.body,
      contentType: 'application/json',
    });
  }
  cases.push({ name: 'GET /actions', method: 'GET', path: '/api/v1/trading/actions' });
  cases.push({
    name: 'actions: huge body',
    method: 'POST',
    path: '/api/v1/trading/actions',
    body: `{"a":"${'x'.repeat(1_000_000)}"}`,
    contentType: 'application/json',
  });
  cases.push({
    name: 'execute: huge body',
    method: 'POST',
    path: '/api/v1/trading/execute',
    body: `{"a":"${'x'.repeat(1_000_000)}"}`,
    contentType: 'application/json',
  });
  cases.push({
    name: 'execute: chunked huge body',
    method: 'POST',
    path: '/api/v1/trading/execute',
    body: 'chunked-huge',
    contentType: 'application/json',
  });
  return cases;
}

/**
 * Invalid action bodies (POST /api/v1/trading/actions): each must be refused with nothing sent. A valid
 * action needs a held position, so none of these may reach an order, a trading-stop or a cancel.
 */
export function actionBodies(seed = 1): { name: string; body: string }[] {
  const rng = new Rng(seed);
  const base = { idempotencyKey: 'fuzz-action-01', symbol: 'BTCUSDT', side: 'long', action: { kind: 'close' } };
  const out: { name: string; body: string }[] = [];
  const add = (name: string, v: unknown) => out.push({ name, body: typeof v === 'string' ? v : JSON.stringify(v) });
  for (const raw of ['', '{', 'null', '[]', '"x"', '{"action":NaN}', '\u0000']) add(`raw ${JSON.stringify(raw)}`, raw);
  const actions: unknown[] = [
    { kind: 'open' },
    { kind: 'close', percent: 0 },
    { kind: 'close', percent: -5 },
    { kind: 'close', percent: 101 },
    { kind: 'close', percent: '50' },
    { kind: 'close', percent: Number.MAX_VALUE },
    { kind: 'close-limit' },
    { kind: 'close-limit', price: -1 },
    { kind: 'close-limit', price: 0 },
    { kind: 'set-tpsl' },
    { kind: 'set-tpsl', stopLoss: 'x' },
    { kind: 'set-tpsl', stopLoss: -1 },
    { kind: 'trailing' },
    { kind: 'trailing', distance: -10 },
    { kind: 'sl-break-even', extra: 1 },
    { kind: 'cancel-orders', symbol: 'ETHUSDT' },
    { kind: '__proto__' },
    null,
    [],
    'close',
  ];
  for (const action of actions) add(`action ${JSON.stringify(action)}`, { ...base, action });
  for (const [k, v] of [
    ['idempotencyKey', 'abc'],
    ['idempotencyKey', '../../etc/pass'],
    ['symbol', ''],
    ['symbol', 'btc/usdt'],
    ['side', 'both'],
    ['side', 'buy'],
    ['accounts', []],
    ['accounts', ['main', 'main']],
    ['accounts', ['nobody']],
    ['leverage', 100],
    ['__proto__', { polluted: true }],
  ] as const)
    add(`${k}=${JSON.stringify(v)}`, { ...base, [k]: v });
  // Random bytes and random numbers in every numeric slot.
  for (let i = 0; i < 20; i++) {
    const n = (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 20);
    add(`random percent ${i}`, { ...base, action: { kind: 'close', percent: n > 0 && n <= 100 ? -n : n } });
  }
  return out;
}

/** WebSocket frames: all invalid except the one ping at the end. */
export function wsFrames(): (string | Buffer)[] {
  const frames: (string | Buffer)[] = [
    '',
    '{',
    'null',
    '[]',
    '1',
    '"ping"',
    '{}',
    '{"type":null}',
    '{"type":1}',
    '{"type":"nope"}',
    `{"type":"${'x'.repeat(5000)}"}`,
    '{"type":"__proto__"}',
    '{"type":"constructor"}',
    '{"__proto__":{"type":"ping"}}',
    '{"type":"ping","extra":1}',
    '{"type":"resume"}',
    '{"type":"resume","lastSeq":-1}',
    '{"type":"resume","lastSeq":1.5}',
    '{"type":"resume","lastSeq":"5"}',
    '{"type":"resume","lastSeq":1e309}',
    '{"type":"resume","lastSeq":NaN}',
    '{"type":"resume","lastSeq":9007199254740993}',
    '{"type":"auth"}',
    '{"type":"auth","token":""}',
    `{"type":"auth","token":"${'t'.repeat(1000)}"}`,
    '{"type":"auth","token":{"__proto__":{"polluted":1}}}',
    '{"type":"💥"}',
    '\ud800',
    Buffer.from([0, 1, 2, 255]),
  ];
  for (const t of ['ping', 'resume', 'auth'])
    for (const v of HOSTILE_VALUES) frames.push(`{"type":"${t}","lastSeq":${v},"token":${v}}`);
  return frames;
}

async function sendHttp(base: string, token: string, c: HttpCase): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (c.contentType) headers['content-type'] = c.contentType;
  let body: BodyInit | undefined;
  let duplex: 'half' | undefined;
  if (c.body === 'chunked-huge') {
    // No Content-Length: the limit must hold on the streamed bytes.
    const chunk = new Uint8Array(64 * 1024).fill(120);
    let sent = 0;
    body = new ReadableStream({
      pull(ctl) {
        if (sent++ >= 40) ctl.close();
        else ctl.enqueue(chunk);
      },
    });
    duplex = 'half';
  } else if (c.body !== undefined) body = c.body as BodyInit;
  const init: RequestInit & { duplex?: 'half' } = { method: c.method, headers };
  if (body !== undefined && c.method !== 'GET' && c.method !== 'HEAD') {
    init.body = body;
    if (duplex) init.duplex = duplex;
  }
  try {
    const res = await fetch(`${base}${c.path}`, init);
    return { status: res.status, text: await res.text() };
  } catch (err) {
    // The server may cut an oversized upload short (a 413 sent before the body was read).
    return { status: -1, text: String((err as Error).cause ?? err) };
  }
}

/** A GET with a body needs a raw socket: fetch refuses to send one. */
async function rawGetWithBody(base: string, token: string, path: string, size: number): Promise<number> {
  const { connect } = await import('node:net');
  const u = new URL(base);
  return new Promise((resolve) => {
    const s = connect(Number(u.port), u.hostname, () => {
      s.write(
        `GET ${path} HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${token}\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`,
      );
      s.write('x'.repeat(size));
    });
    let data = '';
    s.on('data', (d) => (data += d.toString()));
    s.on('error', () => resolve(-1));
    s.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? -1)));
  });
}

function wsCase(
  url: string,
  frames: (string | Buffer)[],
): Promise<{ errorFrames: number; closedBy: string[]; pong: boolean }> {
  return new Promise((resolve) => {
    const closedBy: string[] = [];
    let errorFrames = 0;
    let pong = false;
    let i = 0;
    const open = () => {
      const ws = new WebSocket(url);
      const next = () => {
        if (i >= frames.length) {
          ws.send('{"type":"ping"}');
          return;
        }
        ws.send(frames[i++]!);
        setImmediate(next);
      };
      ws.on('open', next);
      ws.on('message', (d) => {
        const f = JSON.parse(String(d)) as { type: string };
        if (f.type === 'error') errorFrames++;
        if (f.type === 'pong') {
          pong = true;
          ws.close();
        }
      });
      ws.on('error', () => {});
      ws.on('close', (code) => {
        if (pong) return resolve({ errorFrames, closedBy, pong });
        closedBy.push(String(code));
        if (closedBy.length > 20) return resolve({ errorFrames, closedBy, pong });
        open(); // the server may close on a hostile frame (1009 too big): carry on with the next frame
      });
    };
    open();
  });
}

export async function runFuzz(c: RunningCompanion, seed = 1): Promise<FuzzReport> {
  // Orders and every other write an action can make (levels, cancels): none may come from invalid input.
  const creates = () => {
    const by = c.paper!.control.getStats().byEndpoint;
    return ['/v5/order/create', '/v5/position/trading-stop', '/v5/order/cancel-all', '/v5/order/cancel'].reduce(
      (n, e) => n + (by[e] ?? 0),
      0,
    );
  };
  const createsBefore = creates();
  const report: FuzzReport = {
    fuzzCases: 0,
    httpCases: 0,
    wsCases: 0,
    serverErrors: 0,
    serverErrorSamples: [],
    malformedAnswers: 0,
    malformedSamples: [],
    statuses: {},
    wsErrorFrames: 0,
    wsClosedBy: {},
    ordersPlaced: 0,
    prototypePolluted: false,
    healthyAfter: false,
  };
  const cases = httpCases(seed);
  // A few at a time: enough concurrency to interleave, not so much that the run measures the machine.
  const queue = [...cases];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let k = queue.shift(); k; k = queue.shift()) {
        const { status, text } = await sendHttp(c.url, c.token, k);
        report.httpCases++;
        report.statuses[status] = (report.statuses[status] ?? 0) + 1;
        if (status >= 500 || status === -1) {
          report.serverErrors++;
          if (report.serverErrorSamples.length < 10)
            report.serverErrorSamples.push(`${k.name} -> ${status} ${text.slice(0, 200)}`);
        } else if (status >= 400) {
          let ok = false;
          try {
            const b = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
            ok = typeof b.error?.code === 'string' && typeof b.error.message === 'string';
          } catch {}
          if (!ok) {
            report.malformedAnswers++;
            if (report.malformedSamples.length < 10)
              report.malformedSamples.push(`${k.name} -> ${status} ${text.slice(0, 120)}`);
          }
        } else if ((k.path.includes('/execute') || k.path.includes('/actions')) && k.method === 'POST') {
          report.serverErrors++; // an invalid execute or action answered 2xx
          report.serverErrorSamples.push(`${k.name} -> ${status} ${text.slice(0, 200)}`);
        }
      }
    }),
  );
  for (const path of ['/api/v1/trading/positions', '/api/v1/trading/executions']) {
    const status = await rawGetWithBody(c.url, c.token, path, 300_000);
    report.httpCases++;
    report.statuses[status] = (report.statuses[status] ?? 0) + 1;
    if (status >= 500 || status === -1) {
      report.serverErrors++;
      report.serverErrorSamples.push(`raw GET ${path} with body -> ${status}`);
    }
  }
  const frames = wsFrames();
  // Huge frames: over the 16 KiB frame limit, the server closes with 1009 (never buffers them).
  frames.push(`{"type":"ping","pad":"${'x'.repeat(64 * 1024)}"}`);
  const ws = await wsCase(`${c.url.replace('http', 'ws')}/ws?token=${c.token}`, frames);
  report.wsCases = frames.length;
  report.wsErrorFrames = ws.errorFrames;
  for (const code of ws.closedBy) report.wsClosedBy[code] = (report.wsClosedBy[code] ?? 0) + 1;
  if (!ws.pong) {
    report.serverErrors++;
    report.serverErrorSamples.push('websocket: no pong after the hostile frames');
  }
  for (const code of ws.closedBy) {
    if (code === '1011' || code === '1006') {
      report.serverErrors++;
      report.serverErrorSamples.push(`websocket closed ${code}`);
    }
  }
  report.fuzzCases = report.httpCases + report.wsCases;
  await new Promise((r) => setTimeout(r, 300));
  report.ordersPlaced = creates() - createsBefore;
  report.prototypePolluted =
    ({} as Record<string, unknown>).polluted !== undefined || Object.hasOwn(Object.prototype, 'polluted');
  const health = await fetch(`${c.url}/api/v1/trading/accounts`, { headers: { authorization: `Bearer ${c.token}` } });
  report.healthyAfter = health.status === 200;
  return report;
}
