import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpConfig } from './config.ts';
import {
  applyServerLimits,
  connectionCap,
  parseOpenFilesLimit,
  pickEviction,
  type TrackedConn,
} from './server-limits.ts';

describe('parseOpenFilesLimit', () => {
  const limits = (soft: string, hard = soft) =>
    [
      'Limit                     Soft Limit           Hard Limit           Units     ',
      'Max cpu time              unlimited            unlimited            seconds   ',
      `Max open files            ${soft.padEnd(20)} ${hard.padEnd(20)} files     `,
      'Max locked memory         8388608              8388608              bytes     ',
    ].join('\n');
  it.each([
    { name: 'the soft limit', text: limits('20000', '1048576'), limit: 20_000 },
    { name: 'unlimited', text: limits('unlimited'), limit: null },
    { name: 'no such line', text: 'Max cpu time unlimited', limit: null },
    { name: 'empty', text: '', limit: null },
  ])('$name', ({ text, limit }) => expect(parseOpenFilesLimit(text)).toBe(limit));
});

describe('connectionCap', () => {
  it.each([
    { name: 'plenty of descriptors: maxConnections', max: 1024, reserve: 256, fd: 20_000, cap: 1024, note: false },
    { name: 'the reserve lowers the cap', max: 1024, reserve: 256, fd: 1024, cap: 768, note: false },
    { name: 'exactly the minimum room', max: 1024, reserve: 256, fd: 272, cap: 16, note: false },
    { name: 'no room for the reserve: half the limit', max: 1024, reserve: 256, fd: 256, cap: 128, note: true },
    { name: 'a tiny limit', max: 1024, reserve: 256, fd: 1, cap: 1, note: true },
    { name: 'unknown limit: maxConnections', max: 512, reserve: 256, fd: null, cap: 512, note: true },
  ])('$name', ({ max, reserve, fd, cap, note }) => {
    const r = connectionCap({ maxConnections: max, fdReserve: reserve }, fd);
    expect(r.cap).toBe(cap);
    expect(r.note !== null).toBe(note);
  });
});

describe('pickEviction', () => {
  const c = (state: TrackedConn['state'], since: number): TrackedConn => ({ state, since });
  it.each([
    { name: 'the oldest fresh one', conns: [c('idle', 1), c('fresh', 5), c('fresh', 3)], pick: 2 },
    { name: 'no fresh one: the oldest idle', conns: [c('busy', 1), c('idle', 9), c('idle', 4)], pick: 2 },
    { name: 'busy and WebSockets never', conns: [c('busy', 1), c('upgraded', 0)], pick: null },
    { name: 'none', conns: [], pick: null },
  ])('$name', ({ conns, pick }) => {
    expect(pickEviction(conns.map((t, i) => [i, t] as [number, TrackedConn]))).toBe(pick);
  });
});

let server: Server | null = null;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  const s = server;
  server = null;
  if (!s) return;
  const closed = new Promise<void>((resolve) => s.close(() => resolve()));
  s.closeAllConnections();
  await closed;
});

/** A plain node server answering `ok` (or holding requests to /hold), with the limits applied. */
async function limitedServer(http: Parameters<typeof applyServerLimits>[1], fdLimit: number | null = 100_000) {
  const held: (() => void)[] = [];
  server = createServer((req, res) => {
    if (req.url === '/hold') held.push(() => res.end('held'));
    else res.end('ok');
  });
  // A WebSocket-like upgrade: the socket stays open, answered by hand.
  server.on('upgrade', (_req, socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\n\r\n');
    socket.on('end', () => socket.destroy());
  });
  const limits = applyServerLimits(server, http, { fdLimit });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { limits, port, held };
}

function rawSocket(port: number, send?: string): Promise<Socket & { closedAt: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1') as Socket & { closedAt: Promise<number> };
    sockets.push(s);
    s.on('error', () => {});
    s.closedAt = new Promise((r) => s.once('close', () => r(Date.now())));
    s.once('connect', () => {
      if (send) s.write(send);
      resolve(s);
    });
    s.once('error', reject);
  });
}

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);

describe('applyServerLimits on a real server', () => {
  it('puts the timeouts and the cap on the node server', async () => {
    const { limits } = await limitedServer(
      {
        headersTimeoutMs: 2_000,
        requestTimeoutMs: 3_000,
        keepAliveTimeoutMs: 1_500,
        maxConnections: 500,
        fdReserve: 100,
      },
      400,
    );
    expect(server).toMatchObject({
      headersTimeout: 2_000,
      requestTimeout: 3_000,
      keepAliveTimeout: 1_500,
      maxConnections: 300,
    });
    expect(limits.stats()).toMatchObject({ cap: 300, fdLimit: 400 });
  });

  it('closes a socket that never sends a request, and one that never finishes its headers', async () => {
    const { port, limits } = await limitedServer({ headersTimeoutMs: 300, requestTimeoutMs: 1_000 });
    const silent = await rawSocket(port);
    const partial = await rawSocket(port, 'GET / HTTP/1.1\r\nHost: x\r\n');
    expect(await within(silent.closedAt, 3_000)).not.toBe('timeout');
    expect(await within(partial.closedAt, 3_000)).not.toBe('timeout');
    expect(limits.stats()).toMatchObject({ open: 0, headersTimedOut: 2 });
  });

  it('at the cap closes the oldest idle socket so a real request still gets in', async () => {
    const cap = 20;
    const { port, limits } = await limitedServer({ maxConnections: cap, fdReserve: 0 });
    const idle = [];
    for (let i = 0; i < 3 * cap; i++) idle.push(await rawSocket(port));
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe('ok');
    expect(limits.stats().open).toBeLessThanOrEqual(cap);
    expect(limits.stats().evicted).toBeGreaterThanOrEqual(2 * cap);
    // The first ones went first.
    expect(await within(idle[0]!.closedAt, 1_000)).not.toBe('timeout');
  });

  it('never closes a busy connection or a WebSocket to make room', async () => {
    const cap = 8;
    const { port, limits, held } = await limitedServer({ maxConnections: cap, fdReserve: 0 });
    const busy = await rawSocket(port, 'GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
    const ws = await rawSocket(
      port,
      'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    );
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 2 * cap; i++) await rawSocket(port).catch(() => null);
    await new Promise((r) => setTimeout(r, 100));
    expect(busy.destroyed).toBe(false);
    expect(ws.destroyed).toBe(false);
    expect(limits.stats().open).toBeLessThanOrEqual(cap);
    expect(limits.stats().evicted).toBeGreaterThan(0);
    for (const h of held) h();
  });
});

describe('HttpConfig limits', () => {
  it('defaults, and refuses a headers timeout longer than the request timeout', () => {
    expect(HttpConfig.parse({})).toMatchObject({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 1_024,
      fdReserve: 256,
    });
    expect(() => HttpConfig.parse({ headersTimeoutMs: 40_000 })).toThrow(/headersTimeoutMs/);
  });
});
