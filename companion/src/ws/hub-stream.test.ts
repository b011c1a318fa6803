import type { BusEvent } from '@tierwatch/shared';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Frame,
  type HubServer,
  isEvent,
  startHubServer,
  TestClient,
  tierChanged,
} from '../../test-support/hub.ts';

let server: HubServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});
const start = async (opts: Parameters<typeof startHubServer>[0] = {}) => {
  server = await startHubServer(opts);
  return server;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seqOf = (f: Frame): number => f.seq;
/** A bulky event (extra field ignored by clients) to fill socket buffers quickly. */
const bulky = (n: number, bytes = 8_192) => ({ ...tierChanged(n), note: 'x'.repeat(bytes) }) as BusEvent;

/** Every seq a client's connections covered: events received, plus everything a snapshot summarised. */
function coverage(connections: TestClient[]): { seen: Map<number, number>; snapshots: number } {
  const seen = new Map<number, number>();
  let snapshots = 0;
  for (const c of connections) {
    for (const f of c.frames) {
      if (f.type === 'snapshot') {
        snapshots++;
        for (let s = 1; s <= f.seq; s++) if (!seen.has(s)) seen.set(s, 0);
      } else if (isEvent(f)) seen.set(f.seq, (seen.get(f.seq) ?? 0) + 1);
    }
  }
  return { seen, snapshots };
}

describe('ws hub: resume', () => {
  it('a client dropped mid-stream and resumed with lastSeq sees every event exactly once', async () => {
    const s = await start();
    const connections: TestClient[] = [await s.connect()];
    await connections[0]!.waitFor((f) => f.type === 'snapshot');
    let n = 0;
    const timer = setInterval(() => {
      for (let i = 0; i < 3; i++) s.bus.publish(tierChanged(++n));
    }, 2);
    let lastSeen = 0;
    for (let drop = 0; drop < 6; drop++) {
      const c = connections.at(-1)!;
      await c.waitForSeq(lastSeen + 10);
      c.terminate(); // mid-stream, no goodbye
      await c.closed;
      lastSeen = Math.max(...c.events.map(seqOf));
      await sleep(5); // events keep flowing while it is away
      connections.push(await s.connect({ lastSeq: lastSeen }));
    }
    clearInterval(timer);
    const last = s.hub.lastSeq;
    await connections.at(-1)!.waitForSeq(last);

    // Every reconnect replayed from the ring: hello, then the missed events, never a snapshot.
    for (const c of connections.slice(1)) {
      expect(c.frames[0].type).toBe('hello');
      expect(c.frames.some((f) => f.type === 'snapshot')).toBe(false);
    }
    const received = connections.flatMap((c) => c.events.map(seqOf));
    expect(received).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(s.hub.stats().replays).toBe(6);
  });

  it('a resume message replays from the ring; one the ring no longer covers gets a fresh snapshot', async () => {
    const s = await start({ config: { ringSize: 16 } });
    const c = await s.connect();
    for (let i = 1; i <= 10; i++) s.bus.publish(tierChanged(i));
    await c.waitForSeq(10);
    c.send({ type: 'resume', lastSeq: 7 });
    await c.waitFor(() => c.events.length === 13);
    expect(c.events.map(seqOf)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 8, 9, 10]);

    for (let i = 11; i <= 40; i++) s.bus.publish(tierChanged(i));
    await c.waitForSeq(40);
    const old = await TestClient.open(s.wsUrl({ lastSeq: 5 })); // 6 was overwritten long ago
    const snap = await old.waitFor((f) => f.type === 'snapshot');
    expect(snap.seq).toBe(40);
    s.bus.publish(tierChanged(41));
    await old.waitForSeq(41);
    expect(old.events.map(seqOf)).toEqual([41]);
    old.terminate();
  });

  it("a lastSeq from another run of the companion gets a snapshot, never this run's events", async () => {
    const s = await start();
    for (let n = 1; n <= 5; n++) s.bus.publish(tierChanged(n));
    const first = await TestClient.open(s.wsUrl());
    const hello = await first.waitFor((f) => f.type === 'hello');
    first.terminate();
    // The same run: replayed from the ring.
    const same = await TestClient.open(s.wsUrl({ lastSeq: 2, instance: hello.instance }));
    await same.waitForSeq(5);
    expect(same.frames.some((f) => f.type === 'snapshot')).toBe(false);
    same.terminate();
    // Another run's seq 2 is not this run's seq 2: a snapshot, and no event before it.
    const other = await TestClient.open(s.wsUrl({ lastSeq: 2, instance: 'a-previous-run' }));
    const snap = await other.waitFor((f) => f.type === 'snapshot');
    expect(snap.seq).toBe(5);
    expect(other.frames.map((f) => f.type)).toEqual(['hello', 'snapshot']);
    other.terminate();
  });

  it('a lastSeq from the future (the server restarted) gets a snapshot', async () => {
    const s = await start();
    s.bus.publish(tierChanged(1));
    const c = await TestClient.open(s.wsUrl({ lastSeq: 900 }));
    const hello = await c.waitFor((f) => f.type === 'hello');
    expect(hello.lastSeq).toBe(1);
    expect((await c.waitFor((f) => f.type === 'snapshot')).seq).toBe(1);
    c.terminate();
  });
});

describe('ws hub: fan-out and isolation', () => {
  it('50 clients receive the same stream, in order', async () => {
    const s = await start();
    const clients = await Promise.all(Array.from({ length: 50 }, () => s.connect()));
    await Promise.all(clients.map((c) => c.waitFor((f) => f.type === 'snapshot')));
    for (let i = 1; i <= 200; i++) {
      s.bus.publish(tierChanged(i));
      if (i % 20 === 0) await sleep(1);
    }
    await Promise.all(clients.map((c) => c.waitForSeq(200)));
    const reference = JSON.stringify(clients[0]!.events);
    expect(clients[0]!.events.map(seqOf)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    for (const c of clients) expect(JSON.stringify(c.events)).toBe(reference);
  });

  it('a stalled client the ring moved past gets a resnapshot, then the stream continues', async () => {
    const s = await start({
      config: {
        queueBytes: 64 * 1024,
        ringSize: 100,
        stallTimeoutMs: 60_000,
        pingIntervalMs: 100,
        idleTimeoutMs: 60_000,
      },
    });
    const stalled = await s.connect();
    await stalled.waitFor((f) => f.type === 'snapshot');
    const socket = (stalled.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    for (let i = 1; i <= 2_000; i++) {
      s.bus.publish(bulky(i));
      if (i % 25 === 0) await sleep(1);
    }
    expect(s.hub.stats().lagging).toBe(1);
    socket.resume();
    await stalled.waitFor((f) => f.type === 'snapshot' && f.seq === 2_000, 20_000);
    s.bus.publish(tierChanged(2_001));
    await stalled.waitForSeq(2_001);
    const { seen, snapshots } = coverage([stalled]);
    expect(snapshots).toBe(2);
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 2_001 }, (_, i) => i + 1));
    expect([...seen.values()].every((count) => count <= 1)).toBe(true);
    expect(s.hub.stats().resnapshots).toBe(1);
  }, 60_000);

  it('terminates a client stuck past stallTimeoutMs', async () => {
    const s = await start({
      config: { queueBytes: 64 * 1024, stallTimeoutMs: 200, pingIntervalMs: 100, idleTimeoutMs: 60_000 },
    });
    const stalled = await s.connect();
    await stalled.waitFor((f) => f.type === 'snapshot');
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    for (let i = 1; i <= 2_000; i++) {
      s.bus.publish(bulky(i));
      if (i % 25 === 0) await sleep(1);
    }
    const deadline = Date.now() + 5_000;
    while (s.hub.stats().stalledClosed === 0 && Date.now() < deadline) await sleep(50);
    expect(s.hub.stats()).toMatchObject({ stalledClosed: 1, clients: 0 });
  }, 30_000);
});
