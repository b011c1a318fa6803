// Test and benchmark helpers: a real companion app + hub on port 0, and a recording WebSocket client.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type BusEvent, emptyTierCounts, type ServerMessage, type StreamEvent } from '@tierwatch/shared';
import WebSocket from 'ws';
import { EventBus } from '../src/core/bus.ts';
import { type Clock, systemClock } from '../src/core/clock.ts';
import type { Logger } from '../src/core/logger.ts';
import { createApp } from '../src/http/app.ts';
import { generateToken } from '../src/pairing/token-store.ts';
import { WsConfig, type WsConfigInput } from '../src/ws/config.ts';
import { createWsHub, type SnapshotParts, type WsHub } from '../src/ws/hub.ts';

export const TEST_EXTENSION_ORIGIN = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';

export const emptySnapshot = (): SnapshotParts => ({
  accounts: [],
  positions: [],
  tierCounts: emptyTierCounts(),
  stats: null,
  guardMode: 'normal',
});

export interface HubServer {
  bus: EventBus;
  hub: WsHub;
  token: string;
  port: number;
  /** ws://127.0.0.1:PORT/ws?token=…[&lastSeq=…] */
  wsUrl(opts?: { token?: string | null; lastSeq?: number | string; instance?: string }): string;
  connect(opts?: { lastSeq?: number; origin?: string }): Promise<TestClient>;
  close(): Promise<void>;
}

/** The companion's real app (front door and all) with the hub on it, served on 127.0.0.1:0. */
export async function startHubServer(
  opts: {
    config?: WsConfigInput;
    snapshot?: () => SnapshotParts;
    view?: () => Pick<SnapshotParts, 'positions' | 'freshness'>;
    clock?: Clock;
    logger?: Logger;
  } = {},
): Promise<HubServer> {
  const clock = opts.clock ?? systemClock;
  const token = generateToken();
  const app = createApp({ version: 'test', clock, startedAt: clock.now(), pairing: { verify: (t) => t === token } });
  const bus = new EventBus();
  const hub = createWsHub({
    app,
    bus,
    snapshot: opts.snapshot ?? emptySnapshot,
    clock,
    version: 'test',
    config: WsConfig.parse(opts.config ?? {}),
    ...(opts.view ? { view: opts.view } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  hub.injectWebSocket(server as never);
  const port = (server.address() as AddressInfo).port;
  const clients = new Set<TestClient>();
  const wsUrl: HubServer['wsUrl'] = (o = {}) => {
    const u = new URL(`ws://127.0.0.1:${port}/ws`);
    const t = o.token === undefined ? token : o.token;
    if (t !== null) u.searchParams.set('token', t);
    if (o.lastSeq !== undefined) u.searchParams.set('lastSeq', String(o.lastSeq));
    if (o.instance !== undefined) u.searchParams.set('instance', o.instance);
    return u.toString();
  };
  return {
    bus,
    hub,
    token,
    port,
    wsUrl,
    async connect(o = {}) {
      const c = await TestClient.open(wsUrl({ ...(o.lastSeq !== undefined ? { lastSeq: o.lastSeq } : {}) }), o.origin);
      clients.add(c);
      return c;
    },
    async close() {
      for (const c of clients) c.terminate();
      await hub.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}

/** Opens a socket expecting refusal; resolves with the HTTP status of the refused upgrade. */
export function refusedStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('upgrade was accepted'));
    });
    ws.once('error', () => {});
  });
}

// biome-ignore lint/suspicious/noExplicitAny: tests read frames loosely (pong and error frames included)
export type Frame = ServerMessage | { type: 'pong'; at: number; lastSeq: number } | any;

/** A sequenced event: not the snapshot, not a positions-updated (which carries the seq it reflects). */
export const isEvent = <F extends { type: string; seq?: unknown }>(f: F): f is F & { seq: number } =>
  typeof f.seq === 'number' && f.type !== 'snapshot' && f.type !== 'positions-updated';

/** A real ws client that records every frame, with a receive timestamp (performance.now()). */
export class TestClient {
  readonly frames: Frame[] = [];
  readonly receivedAt: number[] = [];
  onFrame: ((frame: Frame, at: number) => void) | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const at = performance.now();
      const frame = JSON.parse(String(data)) as Frame;
      this.frames.push(frame);
      this.receivedAt.push(at);
      this.onFrame?.(frame, at);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
  }

  static open(url: string, origin?: string): Promise<TestClient> {
    const ws = new WebSocket(url, origin ? { headers: { Origin: origin } } : {});
    const client = new TestClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  /** Stream events received so far, in arrival order. */
  get events(): StreamEvent[] {
    return this.frames.filter(isEvent) as StreamEvent[];
  }

  /** Resolves with the first frame (already received or coming) that matches. */
  waitFor(pred: (f: Frame) => boolean, timeoutMs = 5_000): Promise<Frame> {
    const have = this.frames.find(pred);
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  waitForSeq(seq: number, timeoutMs?: number): Promise<Frame> {
    return this.waitFor((f) => isEvent(f) && f.seq >= seq, timeoutMs);
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  terminate(): void {
    this.ws.terminate();
  }
}

/** A small, valid bus event; `n` makes each one distinguishable. */
export function tierChanged(n: number, at = Date.now()) {
  return {
    type: 'tier-changed' as const,
    at,
    account: 'main',
    symbol: `SYM${n}USDT`,
    side: 'long' as const,
    from: 'STABLE' as const,
    to: 'ACTIVE' as const,
  };
}

/** A bulky event (an extra field clients ignore) to fill socket buffers quickly. */
export const bulkyEvent = (n: number, bytes = 8_192) => ({ ...tierChanged(n), note: 'x'.repeat(bytes) }) as BusEvent;

export const seqOf = (f: Frame): number => f.seq;

/**
 * For a suite: `start` serves one hub per test, closed after it. Takes the runner's afterEach (the kit is
 * also the benchmarks', which run outside vitest).
 */
export function hubPerTest(
  afterEach: (fn: () => Promise<void>) => void,
): (opts?: Parameters<typeof startHubServer>[0]) => Promise<HubServer> {
  let server: HubServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });
  return async (opts = {}) => {
    server = await startHubServer(opts);
    return server;
  };
}
