import { type BusEvent, ServerMessage } from '@tierwatch/shared';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  emptySnapshot,
  type HubServer,
  refusedStatus,
  startHubServer,
  TEST_EXTENSION_ORIGIN,
  TestClient,
  tierChanged,
} from '../../test-support/hub.ts';
import { ManualClock } from '../core/clock.ts';

let server: HubServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});
const start = async (opts: Parameters<typeof startHubServer>[0] = {}) => {
  server = await startHubServer(opts);
  return server;
};
const slHit: BusEvent = {
  type: 'sl-hit',
  at: 1,
  account: 'main',
  symbol: 'BTCUSDT',
  side: 'long',
  price: 95,
  level: 95,
};

describe('ws hub: the front door runs before the upgrade', () => {
  it('refuses without a token, with a wrong one, from a foreign Origin or a rebound Host', async () => {
    const s = await start();
    expect(await refusedStatus(s.wsUrl({ token: null }))).toBe(401);
    expect(await refusedStatus(s.wsUrl({ token: `${s.token}x` }))).toBe(401);
    expect(await refusedStatus(s.wsUrl(), { Origin: 'https://evil.example' })).toBe(403);
    expect(await refusedStatus(s.wsUrl(), { Host: `evil.example:${s.port}` })).toBe(403);
    expect(s.hub.stats().clients).toBe(0);
  });

  it('accepts the extension’s Origin with the token in the query', async () => {
    const s = await start();
    const c = await s.connect({ origin: TEST_EXTENSION_ORIGIN });
    await c.waitFor((f) => f.type === 'snapshot');
    expect(s.hub.stats().clients).toBe(1);
  });
});

describe('ws hub: hello, snapshot, then events in order', () => {
  it('sends hello and a snapshot whose seq the following events continue exactly', async () => {
    const positions = emptySnapshot();
    const s = await start({ snapshot: () => ({ ...positions, guardMode: 'critical-only' }) });
    s.bus.publish(tierChanged(1));
    s.bus.publish(slHit);
    s.bus.publish(tierChanged(3));
    const c = await s.connect();
    const snapshot = await c.waitFor((f) => f.type === 'snapshot');
    for (let n = 4; n <= 8; n++) s.bus.publish(tierChanged(n));
    await c.waitForSeq(8);

    expect(c.frames[0]).toEqual({
      type: 'hello',
      protocol: 1,
      serverVersion: 'test',
      lastSeq: 3,
      instance: expect.any(String),
    });
    expect(c.frames[1]).toBe(snapshot);
    expect(snapshot).toMatchObject({ seq: 3, guardMode: 'critical-only' });
    expect(snapshot.alerts).toEqual([expect.objectContaining({ seq: 2, kind: 'sl-hit', severity: 'critical' })]);
    expect(c.events.map((e) => e.seq)).toEqual([4, 5, 6, 7, 8]);
    expect(c.events.map((e) => (e as { symbol: string }).symbol)).toEqual([4, 5, 6, 7, 8].map((n) => `SYM${n}USDT`));
    for (const f of c.frames) expect(ServerMessage.safeParse(f).success).toBe(true);
  });

  it('never loses or repeats an event across the snapshot boundary, under a steady publisher', async () => {
    const s = await start();
    let n = 0;
    const timer = setInterval(() => {
      for (let i = 0; i < 5; i++) s.bus.publish(tierChanged(++n));
    }, 1);
    const clients: TestClient[] = [];
    for (let i = 0; i < 10; i++) {
      clients.push(await s.connect());
      await new Promise((r) => setTimeout(r, 3));
    }
    clearInterval(timer);
    const last = s.hub.lastSeq;
    for (const c of clients) {
      await c.waitFor((f) => f.type === 'snapshot');
      if (last > 0) await c.waitFor((f) => f.seq === last || (f.type === 'snapshot' && f.seq === last));
      const snap = c.frames.find((f) => f.type === 'snapshot');
      const expected = Array.from({ length: last - snap.seq }, (_, i) => snap.seq + 1 + i);
      expect(c.events.map((e) => e.seq)).toEqual(expected);
    }
  });
});

describe('ws hub: bad frames get error frames, the socket stays up', () => {
  it('answers each kind of bad frame with its protocol code', async () => {
    const s = await start();
    const c = await s.connect();
    await c.waitFor((f) => f.type === 'snapshot');
    const errors = () => c.frames.filter((f) => f.type === 'error');
    const sendAndWait = async (msg: string | Buffer, count: number) => {
      c.ws.send(msg, { binary: Buffer.isBuffer(msg) });
      await c.waitFor(() => errors().length >= count);
    };
    await sendAndWait('not json', 1);
    await sendAndWait(JSON.stringify({ type: 'subscribe', topic: 'all' }), 2);
    await sendAndWait(JSON.stringify({ type: 'resume', lastSeq: -1 }), 3);
    await sendAndWait(JSON.stringify({ type: 'ping', extra: 1 }), 4);
    await sendAndWait(JSON.stringify([1, 2]), 5);
    await sendAndWait(Buffer.from([1, 2, 3]), 6);
    expect(errors().map((e) => e.code)).toEqual([
      'BAD_MESSAGE',
      'UNKNOWN_MESSAGE',
      'BAD_MESSAGE',
      'BAD_MESSAGE',
      'BAD_MESSAGE',
      'BAD_MESSAGE',
    ]);
    for (const e of errors()) expect(ServerMessage.safeParse(e).success).toBe(true);

    // Still up: it answers a ping and keeps receiving events.
    c.send({ type: 'ping' });
    s.bus.publish(tierChanged(1));
    expect(await c.waitFor((f) => f.type === 'pong')).toMatchObject({ type: 'pong' });
    await c.waitForSeq(1);
    expect(s.hub.stats()).toMatchObject({ clients: 1, badMessages: 6 });
  });

  it('reports a malformed lastSeq in the URL and sends a snapshot', async () => {
    const s = await start();
    s.bus.publish(tierChanged(1));
    const c = await TestClient.open(s.wsUrl({ lastSeq: 'abc' }));
    await c.waitFor((f) => f.type === 'snapshot');
    expect(c.frames.map((f) => f.type)).toEqual(['hello', 'error', 'snapshot']);
    expect(c.frames[1].code).toBe('BAD_MESSAGE');
    c.terminate();
  });

  it('closes a socket that sends an oversized frame (1009), without disturbing others', async () => {
    const s = await start({ config: { maxClientFrameBytes: 1024 } });
    const big = await s.connect();
    const other = await s.connect();
    big.send('x'.repeat(4096));
    expect((await big.closed).code).toBe(1009);
    s.bus.publish(tierChanged(1));
    await other.waitForSeq(1);
  });
});

describe('ws hub: a failing snapshot provider', () => {
  it('answers INTERNAL and closes 1011; other sockets and the bus carry on', async () => {
    let fail = false;
    const s = await start({
      snapshot: () => {
        if (fail) throw new Error('monitor not ready');
        return emptySnapshot();
      },
    });
    const ok = await s.connect();
    fail = true;
    s.bus.publish(tierChanged(0)); // a new seq: the shared snapshot must be rebuilt
    const broken = await s.connect();
    expect((await broken.closed).code).toBe(1011);
    expect(broken.frames.map((f) => f.type)).toEqual(['hello', 'error']);
    expect(broken.frames[1].code).toBe('INTERNAL');
    s.bus.publish(tierChanged(1));
    await ok.waitForSeq(2);
    expect(s.hub.stats().clients).toBe(1);
  });
});

describe('ws hub: keepalive', () => {
  it('pings every socket and closes the ones that stop answering', async () => {
    const clock = new ManualClock();
    const s = await start({ clock, config: { pingIntervalMs: 1_000, idleTimeoutMs: 2_500 } });
    const alive = await s.connect();
    const deaf = new WebSocket(s.wsUrl(), { autoPong: false });
    await new Promise((r) => deaf.once('open', r));
    const deafClosed = new Promise((r) => deaf.once('close', r));
    await alive.waitFor((f) => f.type === 'snapshot');
    let pings = 0;
    alive.ws.on('ping', () => pings++);
    for (let i = 0; i < 4; i++) {
      await clock.advance(1_000);
      await new Promise((r) => setTimeout(r, 50)); // real time for pings and pongs to cross
    }
    await deafClosed;
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
    expect(s.hub.stats()).toMatchObject({ clients: 1, idleClosed: 1 });
  });
});
