import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTENSION_ID } from '@tierwatch/shared';
import WebSocket from 'ws';
import { CompanionConfig } from '../../../companion/src/config/index.ts';
import { silentLogger } from '../../../companion/src/core/logger.ts';
import { startCompanion } from '../../../companion/src/runtime.ts';
import { percentile, round } from '../stats.ts';

/**
 * What an open popup's socket carries at scale: the real companion on its embedded paper exchange with
 * 4,000 positions (10 accounts × 400) whose prices move at a real market's pace, a few WebSocket clients
 * connected with the pairing token as the extension connects, and every byte they receive counted for
 * `seconds` after their snapshot. The target (issue 17) is ≤ 50 KB/s per socket.
 */
export interface ViewBytesOptions {
  accounts?: number;
  positionsPerAccount?: number;
  clients?: number;
  seconds?: number;
  /** The paper market's pace (1: a real market's volatility). */
  volatility?: number;
}

interface Counted {
  bytes: number;
  frames: number;
  updates: number;
  positionsPerUpdate: number[];
  /** Positions sent in full (new, or changed beyond the figures) and figures only, over the window. */
  full: number;
  figures: number;
  byType: Record<string, number>;
}

function count(
  url: string,
  origin: string,
  since: { at: number | null },
): Promise<{ ws: WebSocket; c: Counted; snapshot: Promise<void> }> {
  const ws = new WebSocket(url, { headers: { Origin: origin } });
  const c: Counted = { bytes: 0, frames: 0, updates: 0, positionsPerUpdate: [], full: 0, figures: 0, byType: {} };
  let snapped: () => void = () => {};
  const snapshot = new Promise<void>((resolve) => {
    snapped = resolve;
  });
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(String(data)) as { type: string; positions?: unknown[]; figures?: unknown[] };
    if (frame.type === 'snapshot') snapped();
    if (since.at === null) return; // the snapshot and what precedes the window are not counted
    c.bytes += data.length;
    c.frames++;
    c.byType[frame.type] = (c.byType[frame.type] ?? 0) + data.length;
    if (frame.type === 'positions-updated') {
      c.updates++;
      c.positionsPerUpdate.push((frame.positions?.length ?? 0) + (frame.figures?.length ?? 0));
      c.full += frame.positions?.length ?? 0;
      c.figures += frame.figures?.length ?? 0;
    }
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, c, snapshot }));
    ws.once('error', reject);
  });
}

export async function bytesPerSecPerSocket(o: ViewBytesOptions = {}): Promise<Record<string, unknown>> {
  const accounts = o.accounts ?? 10;
  const perAccount = o.positionsPerAccount ?? 400;
  const seconds = o.seconds ?? 30;
  const clients = o.clients ?? 3;
  const dataDir = mkdtempSync(join(tmpdir(), 'tw-view-bytes-'));
  const config = CompanionConfig.parse({
    server: { port: 0 },
    dataDir,
    log: { level: 'silent' },
    accounts: Array.from({ length: accounts }, (_, i) => ({ name: `acct${i + 1}`, role: 'main' })),
    paper: { positionsPerAccount: perAccount, volatility: o.volatility ?? 1 },
  });
  const companion = await startCompanion(config, { logger: silentLogger });
  try {
    const url = `${companion.url.replace(/^http/, 'ws')}/ws?token=${companion.token}`;
    const window = { at: null as number | null };
    const sockets = await Promise.all(
      Array.from({ length: clients }, () => count(url, `chrome-extension://${EXTENSION_ID}`, window)),
    );
    await Promise.all(sockets.map((s) => s.snapshot));
    window.at = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const elapsed = (performance.now() - window.at) / 1000;
    for (const s of sockets) s.ws.terminate();
    const perSocket = sockets.map((s) => s.c.bytes / elapsed);
    const all = sockets.flatMap((s) => s.c.positionsPerUpdate);
    const hub = companion.hub.stats();
    return {
      bytesPerSecPerSocket: round(percentile(perSocket, 50)),
      bytesPerSecPerSocketMax: round(Math.max(...perSocket)),
      viewUpdatesPerSec: round(
        percentile(
          sockets.map((s) => s.c.updates / elapsed),
          50,
        ),
        2,
      ),
      positionsPerUpdateP50: percentile(all, 50),
      positionsPerUpdateP99: percentile(all, 99),
      viewBytesShare: round(
        sockets.reduce((n, s) => n + (s.c.byType['positions-updated'] ?? 0), 0) /
          Math.max(
            1,
            sockets.reduce((n, s) => n + s.c.bytes, 0),
          ),
        3,
      ),
      bytesByType: sockets[0]?.c.byType ?? {},
      fullPositionsSent: sockets[0]?.c.full ?? 0,
      figuresSent: sockets[0]?.c.figures ?? 0,
      viewRounds: hub.viewRounds,
      viewFrameBuilds: hub.viewFrameBuilds,
      positions: companion.monitor.positions().length,
      sockets: clients,
      seconds: round(elapsed, 1),
      volatility: o.volatility ?? 1,
    };
  } finally {
    await companion.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export default () => bytesPerSecPerSocket();
