import { afterEach, describe, expect, it } from 'vitest';
import { bulkyEvent as bulky, hubPerTest, seqOf } from '../../companion/test-support/hub.ts';
import { percentile } from '../bench/stats.ts';

// The hub's isolation under load, with the benchmarks' percentile: ~25 MB per client on loopback, so it runs
// with the integration suites (one file at a time), not beside the hub's unit tests.

const start = hubPerTest(afterEach);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ws hub: a stalled client under load', () => {
  it('a stalled client does not delay the others, and catches up from the ring once it reads again', async () => {
    const s = await start({ config: { queueBytes: 64 * 1024 } });
    const stalled = await s.connect();
    const fast = await Promise.all([s.connect(), s.connect(), s.connect()]);
    await Promise.all([stalled, ...fast].map((c) => c.waitFor((f) => f.type === 'snapshot')));
    // Stop reading: the kernel buffers fill, then the server's send buffer grows.
    (stalled.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();

    const total = 3_000; // ~25 MB per client: far beyond loopback socket buffers
    const publishedAt: number[] = [];
    let publishMs = 0;
    for (let i = 1; i <= total; i++) {
      const t0 = performance.now();
      publishedAt[i] = t0;
      s.bus.publish(bulky(i));
      publishMs = Math.max(publishMs, performance.now() - t0);
      if (i % 25 === 0) await sleep(1);
    }
    await Promise.all(fast.map((c) => c.waitForSeq(total, 20_000)));
    const stats = s.hub.stats();
    expect(stats.lagging).toBe(1);
    expect(stats.lagged).toBe(1);
    expect(Math.max(...stalled.events.map(seqOf), 0)).toBeLessThan(total / 2);

    // The others were never held back: every event, in order, promptly.
    for (const c of fast) {
      expect(c.events.map(seqOf)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      const lat = c.events.map((e) => c.receivedAt[c.frames.indexOf(e)]! - publishedAt[e.seq]!);
      expect(percentile(lat, 99)).toBeLessThan(250); // generous: 2 shared cores, 25 MB per client
    }
    expect(publishMs).toBeLessThan(50); // the bus never waits for a socket

    // Reading again: it catches up from the ring, each event once, no snapshot needed.
    (stalled.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await stalled.waitForSeq(total, 20_000);
    expect(stalled.events.map(seqOf)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(s.hub.stats()).toMatchObject({ lagging: 0, resnapshots: 0 });
  }, 60_000);
});
