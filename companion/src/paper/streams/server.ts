import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { PaperEngine } from '../engine/engine.ts';
import type { StreamOptions } from '../options.ts';
import type { PaperControl } from '../server/control.ts';
import { KeyedWindows, RateLimitWindow } from '../server/limits.ts';
import type { StreamKind } from '../server/stats.ts';
import type { StreamScope } from '../server/stream-faults.ts';
import { StreamConnection } from './connection.ts';
import { pong } from './messages.ts';
import { PrivateFeed } from './private-feed.ts';
import { PublicFeed } from './public-feed.ts';
import { TradeFeed } from './trade-feed.ts';

/**
 * Bybit v5 WebSocket on the paper exchange's own port: /v5/public/linear, /v5/private and /v5/trade.
 *
 * The engine advances lazily (engine/engine.ts), which a stream cannot rely on: nobody asks, yet prices must
 * move and TP/SL must fire. So while any socket is open one loop runs: sync the engine, push the public
 * round, cut idle sockets, then sleep `pushIntervalMs` on the injected clock (await, then sleep: rounds never
 * overlap, a slow round delays the next instead of piling up). The loop only decides *when* the engine
 * catches up, never *what* the market does (that is the seeded step walk), so ManualClock tests stay
 * deterministic: time moves when the test advances it, and the sleeper wakes then. Private pushes are not on
 * the loop at all: they come from the engine's change listener, at the moment of the change, whoever caused
 * it (a REST call, a trade op, a market step in the loop). With no socket open the loop stops, and the
 * engine is as lazy and free as before.
 *
 * Handshake rules, checked before a socket exists: an unknown path is a 404, more than `connectionLimit`
 * handshakes per IP per `connectionWindowMs` (wall clock) a 429, a public stream under an injected refusal
 * a 503. Private refusal applies at auth, the first moment the account is known.
 */

const PATHS: Record<string, StreamKind> = {
  '/v5/public/linear': 'public',
  '/v5/private': 'private',
  '/v5/trade': 'trade',
};

export interface StreamDeps {
  engine: PaperEngine;
  control: PaperControl;
  clock: Clock;
  wallClock: Clock;
  logger: Logger;
  leverage: number;
  options: StreamOptions;
  closing: AbortSignal;
}

export class StreamServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  private readonly conns = new Set<StreamConnection>();
  readonly publicFeed: PublicFeed;
  readonly privateFeed: PrivateFeed;
  private readonly tradeFeed: TradeFeed;
  private readonly handshakes: KeyedWindows;
  private running = false;
  private readonly detach: (() => void)[] = [];

  constructor(private readonly deps: StreamDeps) {
    this.publicFeed = new PublicFeed(deps.engine);
    this.privateFeed = new PrivateFeed(deps.engine, deps.control, deps.wallClock, deps.leverage);
    this.tradeFeed = new TradeFeed(deps.engine, deps.control, deps.wallClock, deps.leverage);
    const o = deps.options;
    this.handshakes = new KeyedWindows(() => new RateLimitWindow(o.connectionLimit, o.connectionWindowMs));
    this.detach.push(deps.engine.onChanges(this.privateFeed.push));
    this.detach.push(deps.control.onStreamDrop((scope) => this.drop(scope)));
  }

  attach(server: Server): void {
    server.on('upgrade', this.onUpgrade);
    this.detach.push(() => server.off('upgrade', this.onUpgrade));
  }

  get openConnections(): number {
    return this.conns.size;
  }

  close(): void {
    for (const d of this.detach) d();
    for (const c of this.conns) c.drop();
    this.conns.clear();
    this.wss.close();
  }

  private onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const stats = this.deps.control.streamStats;
    const path = (req.url ?? '').split('?')[0] as string;
    const kind = PATHS[path];
    const refuse = (status: string, counter: 'path' | 'limit' | 'fault') => {
      stats.refused[counter]++;
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!kind) return refuse('404 Not Found', 'path');
    const ip = req.socket.remoteAddress ?? '127.0.0.1';
    if (!this.handshakes.hit(ip, this.deps.wallClock.now()).allowed) return refuse('429 Too Many Requests', 'limit');
    if (kind === 'public' && this.deps.control.isRefused('public')) return refuse('503 Service Unavailable', 'fault');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(kind, ws));
  };

  private onConnection(kind: StreamKind, ws: WebSocket): void {
    const stats = this.deps.control.streamStats;
    const conn = new StreamConnection(kind, ws, this.deps);
    this.conns.add(conn);
    stats.opened[kind]++;
    stats.open[kind]++;
    ws.on('message', (data) => this.onMessage(conn, data.toString()));
    ws.on('error', () => undefined);
    ws.once('close', () => {
      this.conns.delete(conn);
      stats.open[kind]--;
      this.publicFeed.disconnect(conn);
      this.privateFeed.disconnect(conn);
    });
    if (!this.running) void this.run();
  }

  private onMessage(conn: StreamConnection, text: string) {
    const { control, wallClock } = this.deps;
    control.streamStats.received++;
    conn.lastSeenAt = wallClock.now();
    // A stalled stream is silent both ways: it answers nothing, pings included.
    if (control.isStalled(conn.scope)) return;
    let msg: Record<string, unknown>;
    try {
      const parsed = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      msg = parsed;
    } catch {
      conn.send({ success: false, ret_msg: 'error:invalid json', conn_id: conn.connId, op: '' }, 'error');
      return;
    }
    const op = typeof msg.op === 'string' ? msg.op : '';
    const reqId = msg.req_id ?? msg.reqId;
    if (op === 'ping') return conn.send(pong(conn.kind, conn.connId, reqId, wallClock.now()), 'pong');
    if (conn.kind === 'trade') {
      if (op === 'auth') return this.tradeFeed.auth(conn, msg.args);
      return this.tradeFeed.handle(conn, msg);
    }
    const feed = conn.kind === 'public' ? this.publicFeed : this.privateFeed;
    if (op === 'auth' && conn.kind === 'private') {
      this.privateFeed.auth(conn, msg.args, reqId);
      return;
    }
    if (op === 'subscribe') return feed.subscribe(conn, msg.args, reqId);
    if (op === 'unsubscribe') return feed.unsubscribe(conn, msg.args, reqId);
    conn.send(
      {
        success: false,
        ret_msg: `error:invalid op ${op}`,
        conn_id: conn.connId,
        ...(reqId !== undefined ? { req_id: String(reqId) } : {}),
        op,
      },
      'error',
    );
  }

  private drop(scope: StreamScope): number {
    let n = 0;
    for (const c of this.conns) {
      if (c.scope !== scope) continue;
      c.drop();
      n++;
    }
    return n;
  }

  private async run(): Promise<void> {
    this.running = true;
    const { engine, clock, wallClock, options, closing, logger, control } = this.deps;
    try {
      while (this.conns.size > 0 && !closing.aborted) {
        try {
          engine.sync();
          this.publicFeed.tick();
        } catch (err) {
          logger.error({ err }, 'paper streams: push round failed');
        }
        const cutBefore = wallClock.now() - options.idleMs;
        for (const c of this.conns) {
          if (c.lastSeenAt >= cutBefore) continue;
          control.streamStats.idleCuts++;
          c.close(1000, 'idle');
        }
        await clock.sleep(options.pushIntervalMs, closing);
      }
    } catch {
      // closing
    } finally {
      this.running = false;
    }
  }
}
