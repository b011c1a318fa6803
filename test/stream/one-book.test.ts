import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EXTENSION_ID,
  PositionsResponse,
  positionKey,
  reduce,
  ServerMessage,
  type StreamState,
} from '@tierwatch/shared';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CompanionConfig, type CompanionConfigInput } from '../../companion/src/config/index.ts';
import { silentLogger } from '../../companion/src/core/logger.ts';
import { type RunningCompanion, startCompanion } from '../../companion/src/runtime.ts';

/**
 * The companion's one book, seen from outside: a client reducing the WebSocket with the shared reducer
 * and GET /positions agree (issue 17), and an outage shows as stale accounts in trader words, then live.
 */
let running: { c: RunningCompanion; dir: string } | null = null;
afterEach(async () => {
  await running?.c.close();
  if (running) rmSync(running.dir, { recursive: true, force: true });
  running = null;
});

async function start(over: Partial<CompanionConfigInput> = {}): Promise<RunningCompanion> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-one-book-'));
  const config = CompanionConfig.parse({
    server: { port: 0 },
    dataDir: dir,
    log: { level: 'silent' },
    paper: { positionsPerAccount: 40, volatility: 30 },
    ...over,
  });
  const c = await startCompanion(config, { logger: silentLogger });
  running = { c, dir };
  return c;
}

/** A socket whose every frame goes through the shared reducer, as the extension's background does. */
function follow(c: RunningCompanion) {
  const ws = new WebSocket(`${c.url.replace(/^http/, 'ws')}/ws?token=${c.token}`, {
    headers: { Origin: `chrome-extension://${EXTENSION_ID}` },
  });
  const seen: { state: StreamState | null; frames: number; updates: number; invalid: number } = {
    state: null,
    frames: 0,
    updates: 0,
    invalid: 0,
  };
  ws.on('message', (data) => {
    const parsed = ServerMessage.safeParse(JSON.parse(String(data)));
    if (!parsed.success) {
      seen.invalid++;
      return;
    }
    seen.frames++;
    if (parsed.data.type === 'positions-updated') seen.updates++;
    const step = reduce(seen.state, parsed.data);
    expect(step.resync).toBeNull();
    seen.state = step.state;
  });
  return { ws, seen };
}

const until = async (pred: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('one book behind the WebSocket and GET /positions', () => {
  it('a client following the stream shows what the API serves, within a tenth of a point', async () => {
    const c = await start();
    const { ws, seen } = follow(c);
    await until(() => seen.state !== null, 10_000);
    await new Promise((r) => setTimeout(r, 2_000)); // a fast-moving market (30× a real one's pace)
    // The stream is coalesced (≤ 4 updates a second) and thresholded, so what a client shows is the book as
    // it was a slot ago: compare each row with the API's readings over the last three seconds (a loaded
    // machine delays a frame), the one it is closest to, never with one instant (which a step between two
    // reads would contradict).
    const readings: PositionsResponse[] = [];
    for (let i = 0; i < 15; i++) {
      const res = await fetch(`${c.url}/api/v1/trading/positions`, { headers: { authorization: `Bearer ${c.token}` } });
      readings.push(PositionsResponse.parse(await res.json()));
      await new Promise((r) => setTimeout(r, 200));
    }
    const shown = seen.state?.positions ?? {};
    ws.terminate();
    const api = readings.at(-1) as PositionsResponse;
    expect(seen.invalid).toBe(0);
    expect(seen.updates).toBeGreaterThan(3);
    expect(Object.keys(shown).sort()).toEqual(api.data.map(positionKey).sort());
    for (const p of api.data) {
      const key = positionKey(p);
      const s = shown[key];
      const off = (d: 'distanceToTpPct' | 'distanceToSlPct') =>
        Math.min(
          ...readings.map((r) => {
            const then = r.data.find((q) => positionKey(q) === key)?.[d];
            return then === null || then === undefined ? 0 : Math.abs((s?.[d] ?? Number.NaN) - then);
          }),
        );
      expect(off('distanceToTpPct')).toBeLessThan(0.1);
      expect(off('distanceToSlPct')).toBeLessThan(0.1);
    }
    expect(api.accounts.every((a) => a.cached && a.error === null)).toBe(true);
  }, 40_000);

  it('an exchange outage marks its accounts stale in trader words, in the stream and the API; both recover', async () => {
    const c = await start({ monitor: { source: 'poll' }, paper: { positionsPerAccount: 10 } });
    const { ws, seen } = follow(c);
    await until(() => seen.state !== null, 10_000);
    expect(Object.values(seen.state?.freshness ?? {}).map((f) => f.status)).toEqual(['live', 'live']);
    c.paper!.control.startOutage(4_000);
    await until(() => Object.values(seen.state?.freshness ?? {}).some((f) => f.status === 'stale'), 5_000);
    const stale = Object.values(seen.state?.freshness ?? {}).find((f) => f.status === 'stale');
    expect(stale?.problem).toMatch(/^(cannot reach the exchange|the exchange is unavailable)/);
    expect(stale?.problem).not.toMatch(/http|\/v5\//i);
    const res = await fetch(`${c.url}/api/v1/trading/positions`, { headers: { authorization: `Bearer ${c.token}` } });
    const body = PositionsResponse.parse(await res.json());
    expect(body.accounts.some((a) => a.error?.message === stale?.problem)).toBe(true);
    await until(() => Object.values(seen.state?.freshness ?? {}).every((f) => f.status === 'live'), 15_000);
    ws.terminate();
  }, 40_000);
});
