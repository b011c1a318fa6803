// The soak's hostile clients (issue 13): resume-spamming WebSockets that never read, an idle-connection
// flood from another process, a burst of WebSocket connects at one seq, and a /health prober.
import { type ChildProcess, spawn } from 'node:child_process';
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { percentile, round } from './stats.ts';

/**
 * A WebSocket client that stops reading at once and sends `resume` frames from a seq never issued (each
 * would be answered with a full snapshot), `perTick` every `intervalMs`. When the companion closes it, it
 * reconnects after `reconnectMs` and starts over, for as long as it runs.
 */
export class ResumeSpammer {
  connections = 0;
  resumesSent = 0;
  /** Close codes as this client saw them (1006 when the server cut a socket it never read from). */
  readonly closes: Record<string, number> = {};
  private ws: WebSocket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly opts: { intervalMs: number; perTick: number; reconnectMs: number },
  ) {}

  start(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.on('error', () => {});
    ws.once('open', () => {
      this.connections++;
      (ws as unknown as { _socket: { pause(): void } })._socket.pause();
      this.timer = setInterval(() => {
        for (let i = 0; i < this.opts.perTick && ws.readyState === WebSocket.OPEN; i++) {
          ws.send(JSON.stringify({ type: 'resume', lastSeq: 1e12 }));
          this.resumesSent++;
        }
      }, this.opts.intervalMs);
    });
    ws.once('close', (code) => {
      if (this.timer) clearInterval(this.timer);
      if (this.stopped) return;
      this.closes[code] = (this.closes[code] ?? 0) + 1;
      setTimeout(() => this.start(), this.opts.reconnectMs);
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.ws?.terminate();
  }
}

export interface FloodResult {
  target: number;
  opened: number;
  peakOpen: number;
  closedByServer: number;
  connectErrors: number;
  openAtEnd: number;
  errors: Record<string, number>;
}

/** `sockets` idle TCP connections from a child process (test/bench/idle-flood.mjs); stop() tells what happened. */
export async function startIdleFlood(port: number, sockets: number, reopenPerSec: number) {
  const script = fileURLToPath(new URL('./idle-flood.mjs', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [script, String(port), String(sockets), String(reopenPerSec)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let buf = '';
  let onLine: (() => void) | null = null;
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      onLine?.();
    }
  });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const done = () => {
        const l = lines.shift();
        if (l !== undefined) {
          onLine = null;
          resolve(l);
        }
      };
      onLine = done;
      done();
      child.once('exit', (code) => reject(new Error(`idle flood exited with ${code}`)));
    });
  await nextLine(); // ready
  return {
    async stop(): Promise<FloodResult> {
      const result = nextLine();
      child.kill('SIGTERM');
      return JSON.parse(await result) as FloodResult;
    },
  };
}

/**
 * GET /health every `everyMs` on a NEW connection each time (agent: false): what a client arriving during
 * a flood gets. A failure is an error, a non-200 or no answer within `timeoutMs`. Tracks the RSS peak too.
 */
export function startHealthProbe(base: string, everyMs = 250, timeoutMs = 2_000) {
  const latencies: number[] = [];
  const failures: string[] = [];
  let rssMbMax = 0;
  let stopped = false;
  const once = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = get(`${base}/health`, { agent: false, timeout: timeoutMs }, (res) => {
        res.resume();
        res.once('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - t0);
          else failures.push(`status ${res.statusCode}`);
          resolve();
        });
      });
      req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.once('error', (err) => {
        failures.push(err.message.slice(0, 80));
        resolve();
      });
    });
  const loop = (async () => {
    while (!stopped) {
      rssMbMax = Math.max(rssMbMax, process.memoryUsage().rss / 2 ** 20);
      await once();
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    rssMbMax: () => rssMbMax,
    async stop() {
      stopped = true;
      await loop;
      return {
        checks: latencies.length + failures.length,
        healthFailures: failures.length,
        failureSamples: [...new Set(failures)].slice(0, 3),
        healthP99Ms: latencies.length ? round(percentile(latencies, 99)) : null,
        healthMaxMs: latencies.length ? round(Math.max(...latencies)) : null,
      };
    },
  };
}

/**
 * `n` WebSockets opened at once at the same seq; how many snapshots the hub built for them. The clients
 * share the companion's process here, so they only count frames (hello, then the snapshot) and never
 * parse them: the figure is the hub's cost, not 150 JSON.parse calls of the bench's own.
 */
export async function connectBurst(
  wsUrl: string,
  n: number,
  snapshotBuilds: () => number,
): Promise<{ sockets: number; snapshotsBuilt: number; allSnapshotMs: number; refused: number }> {
  const before = snapshotBuilds();
  const t0 = performance.now();
  const sockets: WebSocket[] = [];
  const got = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<boolean>((resolve) => {
          const ws = new WebSocket(wsUrl);
          sockets.push(ws);
          let frames = 0;
          const timer = setTimeout(() => resolve(false), 10_000);
          ws.on('message', () => {
            if (++frames === 2) {
              clearTimeout(timer);
              resolve(true);
            }
          });
          ws.on('error', () => {});
          ws.once('close', () => {
            clearTimeout(timer);
            resolve(frames >= 2);
          });
        }),
    ),
  );
  const allSnapshotMs = performance.now() - t0;
  for (const ws of sockets) ws.terminate();
  const ok = got.filter(Boolean).length;
  return {
    sockets: ok,
    snapshotsBuilt: snapshotBuilds() - before,
    allSnapshotMs: round(allSnapshotMs),
    refused: n - ok,
  };
}
