import { afterEach, describe, expect, it } from 'vitest';
import { emptySnapshot, type HubServer, startHubServer, type TestClient, tierChanged } from '../../test-support/hub.ts';
import { ManualClock } from '../core/clock.ts';
import type { SnapshotParts } from './hub.ts';

let server: HubServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});
const start = async (opts: Parameters<typeof startHubServer>[0] = {}) => {
  server = await startHubServer(opts);
  return server;
};

/** A snapshot of about `bytes` once serialised (positions are not validated by the hub). */
const bigSnapshot = (bytes: number): SnapshotParts => ({
  ...emptySnapshot(),
  positions: Array.from({ length: Math.ceil(bytes / 1_000) }, (_, i) => ({ pad: `${i}`.padEnd(990, 'x') })) as never,
});

/** A client that stops reading: the server's writes pile up in its kernel buffers, then in ws.bufferedAmount. */
function stopReading(c: TestClient): void {
  (c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
}

async function until(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const FUTURE = { type: 'resume', lastSeq: 1e12 }; // a seq never issued: the hub answers with a snapshot

describe('ws hub: resume frames obey the per-socket buffer bound', () => {
  it('a client that never reads and sends resumes gets no more than the bound buffered for it', async () => {
    const queueBytes = 64 * 1024;
    const snap = bigSnapshot(1024 * 1024);
    const s = await start({ config: { queueBytes, resumeBurst: 1_000 }, snapshot: () => snap });
    const c = await s.connect();
    await c.waitFor((f) => f.type === 'snapshot');
    stopReading(c);
    // 60 MiB of snapshots if each resume were answered: far past what loopback kernel buffers hold.
    for (let i = 0; i < 60; i++) c.send(FUTURE);
    await until(() => s.hub.stats().resumes >= 60, 'the resumes to be handled');
    await new Promise((r) => setTimeout(r, 100));
    // At most one snapshot frame past the bound sits in the socket's buffer.
    expect(s.hub.stats().bufferedBytes).toBeLessThanOrEqual(queueBytes + 1.1 * 1024 * 1024);
    expect(s.hub.stats().snapshots).toBeLessThan(60);
  }, 30_000);

  it('resumes do not clear the lagging mark: a stuck client that keeps resuming is still closed as stalled', async () => {
    const clock = new ManualClock();
    const snap = bigSnapshot(1024 * 1024);
    const s = await start({
      clock,
      config: {
        queueBytes: 64 * 1024,
        resumeBurst: 1_000,
        pingIntervalMs: 1_000,
        stallTimeoutMs: 1_500,
        idleTimeoutMs: 60_000,
      },
      snapshot: () => snap,
    });
    const c = await s.connect();
    await c.waitFor((f) => f.type === 'snapshot');
    stopReading(c);
    let sent = 0;
    const resumeBurst = async (n: number) => {
      for (let i = 0; i < n; i++) c.send(FUTURE);
      sent += n;
      await until(() => s.hub.stats().resumes >= sent, 'the resumes to be handled');
    };
    await resumeBurst(40);
    // The kernel's loopback buffers may still grow and take a few more snapshots (progress, which renews
    // the mark); once they are full, resumes alone never keep the socket alive.
    for (let i = 0; i < 20 && s.hub.stats().clients > 0; i++) {
      await clock.advance(1_000);
      if (s.hub.stats().clients > 0) await resumeBurst(2);
    }
    expect(s.hub.stats()).toMatchObject({ clients: 0, stalledClosed: 1 });
  }, 30_000);
});

describe('ws hub: resume rate', () => {
  it('closes a socket that sends resumes faster than the configured rate, with 1008 and a reason', async () => {
    const s = await start({ config: { resumeBurst: 3, resumesPerMinute: 6 } });
    const spammer = await s.connect();
    const other = await s.connect();
    await spammer.waitFor((f) => f.type === 'snapshot');
    for (let i = 0; i < 10; i++) spammer.send({ type: 'resume', lastSeq: 0 });
    const closed = await Promise.race([spammer.closed, new Promise<null>((r) => setTimeout(() => r(null), 3_000))]);
    expect(closed).toEqual({ code: 1008, reason: expect.stringContaining('resume') });
    expect(spammer.frames.find((f) => f.type === 'error')).toMatchObject({ code: 'RATE_LIMITED' });
    s.bus.publish(tierChanged(1));
    await other.waitForSeq(1);
    // Closed once: the frames it sent after the close are not counted again.
    expect(s.hub.stats()).toMatchObject({ clients: 1, resumes: 3, resumeRateClosed: 1 });
  });

  it('allows resumes within the rate, refilled over time', async () => {
    const clock = new ManualClock();
    const s = await start({ clock, config: { resumeBurst: 2, resumesPerMinute: 6 } });
    const c = await s.connect();
    await c.waitFor((f) => f.type === 'snapshot');
    for (let round = 0; round < 3; round++) {
      c.send({ type: 'resume', lastSeq: 0 });
      c.send({ type: 'resume', lastSeq: 0 });
      c.send({ type: 'ping' });
      await c.waitFor((f) => f.type === 'pong' && c.frames.filter((g) => g.type === 'pong').length > round);
      await clock.advance(20_000); // 6 a minute: two tokens back
    }
    expect(s.hub.stats().clients).toBe(1);
    expect(c.frames.some((f) => f.type === 'error')).toBe(false);
  });
});

describe('ws hub: one snapshot per seq, shared', () => {
  it('200 sockets connecting at one seq are sent one snapshot, built and serialised once', async () => {
    let builds = 0;
    const clock = new ManualClock();
    const s = await start({
      clock,
      config: { maxClients: 250 },
      snapshot: () => {
        builds++;
        return emptySnapshot();
      },
    });
    s.bus.publish(tierChanged(1));
    const clients = await Promise.all(Array.from({ length: 200 }, () => s.connect()));
    const snaps = await Promise.all(clients.map((c) => c.waitFor((f) => f.type === 'snapshot')));
    expect(builds).toBe(1);
    expect(new Set(snaps.map((f) => f.seq))).toEqual(new Set([1]));

    // A new seq means a new snapshot; so does age at the same seq.
    s.bus.publish(tierChanged(2));
    const late = await s.connect();
    expect(await late.waitFor((f) => f.type === 'snapshot')).toMatchObject({ seq: 2 });
    expect(builds).toBe(2);
    await clock.advance(60_000);
    const later = await s.connect();
    await later.waitFor((f) => f.type === 'snapshot');
    expect(builds).toBe(3);
  }, 30_000);

  it('resumes at one seq reuse the shared snapshot too', async () => {
    let builds = 0;
    const s = await start({
      clock: new ManualClock(),
      config: { resumeBurst: 100 },
      snapshot: () => {
        builds++;
        return emptySnapshot();
      },
    });
    const c = await s.connect();
    for (let i = 0; i < 20; i++) c.send(FUTURE);
    c.send({ type: 'ping' });
    await c.waitFor((f) => f.type === 'pong');
    expect(c.frames.filter((f) => f.type === 'snapshot')).toHaveLength(21);
    expect(builds).toBe(1);
  });
});
