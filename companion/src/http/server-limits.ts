import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type Logger, silentLogger } from '../core/logger.ts';
import { HttpConfig, type HttpConfigInput } from './config.ts';

/** A connection's state, as far as the limits care. */
export type ConnState = 'fresh' | 'busy' | 'idle' | 'upgraded';

export interface TrackedConn {
  state: ConnState;
  /** When it entered its state (opened, or last request finished). */
  since: number;
}

/** Below this many connections the cap would starve the extension itself; the reserve gives way instead. */
const MIN_CAP = 16;

/** The soft "Max open files" of a /proc/<pid>/limits text; null when absent or unlimited. */
export function parseOpenFilesLimit(procLimits: string): number | null {
  const m = /^Max open files\s+(\S+)/m.exec(procLimits);
  if (!m || !/^\d+$/.test(m[1]!)) return null;
  return Number(m[1]);
}

/**
 * The process's file-descriptor limit: /proc/self/limits on Linux (Node has already raised its soft limit
 * to the hard one by then), else what `ulimit -n` says in a child shell (which inherits the limit), else
 * null. Read once at start-up.
 */
export function readFdLimit(): { limit: number | null; source: string } {
  try {
    const limit = parseOpenFilesLimit(readFileSync('/proc/self/limits', 'utf8'));
    if (limit !== null) return { limit, source: '/proc/self/limits' };
  } catch {
    // not Linux
  }
  try {
    const out = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8', timeout: 2_000 }).trim();
    if (/^\d+$/.test(out)) return { limit: Number(out), source: 'ulimit -n' };
  } catch {
    // no shell
  }
  return { limit: null, source: 'unknown' };
}

/**
 * The connection cap: `maxConnections`, lowered so that `fdReserve` descriptors stay free below the
 * limit (each connection is one descriptor). A limit too small for the reserve halves instead, with a
 * note saying so; an unknown limit keeps `maxConnections`.
 */
export function connectionCap(
  cfg: { maxConnections: number; fdReserve: number },
  fdLimit: number | null,
): { cap: number; note: string | null } {
  if (fdLimit === null) return { cap: cfg.maxConnections, note: 'file-descriptor limit unknown; set http.fdLimit' };
  const room = fdLimit - cfg.fdReserve;
  if (room >= MIN_CAP) return { cap: Math.min(cfg.maxConnections, room), note: null };
  const cap = Math.max(1, Math.min(cfg.maxConnections, Math.floor(fdLimit / 2)));
  return {
    cap,
    note: `file-descriptor limit ${fdLimit} leaves no room for fdReserve ${cfg.fdReserve}; raise ulimit -n`,
  };
}

/**
 * Which connection to close to make room: the oldest that never sent a request, else the oldest idle
 * keep-alive one. Busy ones and WebSockets are never picked (the hub bounds and sweeps its own).
 */
export function pickEviction<K>(conns: Iterable<[K, TrackedConn]>): K | null {
  let best: [K, TrackedConn] | null = null;
  const rank = (s: ConnState) => (s === 'fresh' ? 0 : s === 'idle' ? 1 : 2);
  for (const entry of conns) {
    const r = rank(entry[1].state);
    if (r === 2) continue;
    if (!best || r < rank(best[1].state) || (r === rank(best[1].state) && entry[1].since < best[1].since)) best = entry;
  }
  return best ? best[0] : null;
}

export interface ServerLimitsStats {
  cap: number;
  fdLimit: number | null;
  open: number;
  /** Closed to make room at the cap. */
  evicted: number;
  /** Closed for sending no complete request head within headersTimeoutMs. */
  headersTimedOut: number;
  /** Refused by Node at the cap (every connection was busy or a WebSocket). */
  refused: number;
}

export interface ServerLimits {
  stats(): ServerLimitsStats;
  /** Stops the sweep (the server's close ends the connections). */
  close(): void;
}

/**
 * Puts the `http:` limits on a node HTTP server: Node's header, request and keep-alive timeouts, a
 * connection cap sized from the file-descriptor limit, and what Node does not do itself: closing sockets
 * that never send a request (Node checks headersTimeout only every 30 s, and not before a first byte in
 * every version), and making room at the cap by closing the oldest idle socket rather than refusing
 * the newcomer. Every connection is tracked from 'connection' to 'close', WebSocket upgrades included.
 */
export function applyServerLimits(
  server: Server,
  input: HttpConfigInput | HttpConfig = {},
  opts: { logger?: Logger; fdLimit?: number | null; now?: () => number } = {},
): ServerLimits {
  const config = HttpConfig.parse(input);
  const logger = (opts.logger ?? silentLogger).child({ module: 'http' });
  const now = opts.now ?? Date.now;
  const fd =
    config.fdLimit !== undefined
      ? { limit: config.fdLimit, source: 'http.fdLimit' }
      : opts.fdLimit !== undefined
        ? { limit: opts.fdLimit, source: 'caller' }
        : readFdLimit();
  const { cap, note } = connectionCap(config, fd.limit);
  if (note) logger.warn({ cap, fdLimit: fd.limit, fdReserve: config.fdReserve }, note);
  else logger.info({ cap, fdLimit: fd.limit, source: fd.source, fdReserve: config.fdReserve }, 'connection cap');

  server.headersTimeout = config.headersTimeoutMs;
  server.requestTimeout = config.requestTimeoutMs;
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  server.maxConnections = cap;

  const conns = new Map<Socket, TrackedConn & { inFlight: number }>();
  const counters = { evicted: 0, headersTimedOut: 0, refused: 0 };

  server.on('connection', (socket: Socket) => {
    conns.set(socket, { state: 'fresh', since: now(), inFlight: 0 });
    socket.once('close', () => conns.delete(socket));
    // Node refuses at `cap`: keep one slot free while any socket is only idling.
    while (conns.size >= cap) {
      const victim = pickEviction([...conns.entries()].filter(([s]) => s !== socket));
      if (victim === null) break;
      counters.evicted++;
      conns.delete(victim);
      victim.destroy();
    }
  });
  server.on('drop', () => {
    counters.refused++;
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const conn = conns.get(req.socket);
    if (!conn) return;
    conn.inFlight++;
    conn.state = 'busy';
    res.once('close', () => {
      conn.inFlight--;
      if (conn.inFlight === 0 && conn.state === 'busy') {
        conn.state = 'idle';
        conn.since = now();
      }
    });
  });
  server.on('upgrade', (req: IncomingMessage) => {
    const conn = conns.get(req.socket);
    if (conn) conn.state = 'upgraded';
  });

  const sweep = setInterval(
    () => {
      const deadline = now() - config.headersTimeoutMs;
      for (const [socket, conn] of conns) {
        if (conn.state !== 'fresh' || conn.since > deadline) continue;
        counters.headersTimedOut++;
        conns.delete(socket);
        socket.destroy();
      }
    },
    Math.max(50, Math.min(1_000, Math.floor(config.headersTimeoutMs / 4))),
  );
  sweep.unref();
  server.once('close', () => clearInterval(sweep));

  return {
    stats: () => ({ cap, fdLimit: fd.limit, open: conns.size, ...counters }),
    close: () => clearInterval(sweep),
  };
}
