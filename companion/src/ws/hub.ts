import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { createNodeWebSocket } from '@hono/node-ws';
import { type BusEvent, type Pong, PROTOCOL_VERSION, type StreamEvent } from '@tierwatch/shared';
import type { Hono } from 'hono';
import type { WebSocket } from 'ws';
import type { EventBus } from '../core/bus.ts';
import type { Clock } from '../core/clock.ts';
import { type Logger, silentLogger } from '../core/logger.ts';
import { AlertLog } from './alerts.ts';
import type { WsConfig } from './config.ts';
import { createLiveView, type SnapshotParts } from './live-view.ts';
import { parseClientFrame } from './messages.ts';
import { EventRing } from './ring.ts';
import type { WsHubStats } from './stats.ts';
import { Subscriber, type SubscriberHost } from './subscriber.ts';

export type { SnapshotParts } from './live-view.ts';
export type { WsHubStats } from './stats.ts';

export interface WsHubDeps {
  /** The companion's app (createApp): /ws is added to it, so the front door runs before any upgrade. */
  app: Hono;
  bus: EventBus;
  /** Synchronous on purpose: the snapshot and its seq are taken in one turn, so no event slips between. */
  snapshot: () => SnapshotParts;
  /**
   * The served view (the read model's positions and freshness), read a few times a second while sockets
   * are open, for positions-updated. Without it the hub sends snapshots and events only.
   */
  view?: () => Pick<SnapshotParts, 'positions' | 'freshness'>;
  clock: Clock;
  logger?: Logger;
  /** The parsed `ws:` section. */
  config: WsConfig;
  version: string;
  path?: string;
}

export interface WsHub {
  /** Attaches the upgrade handler to the HTTP server `serve()` returned. */
  injectWebSocket(server: Server): void;
  /** Drops every socket (e.g. after the pairing token was rotated); clients reconnect and resume. */
  disconnectAll(code: number, reason: string): void;
  close(): Promise<void>;
  stats(): WsHubStats;
  readonly lastSeq: number;
}

const SEQ_PARAM = /^(0|[1-9]\d{0,15})$/;

/**
 * The event hub: stamps every bus event with the next seq, keeps the newest in a ring for resume, derives
 * the alerts a snapshot carries, and fans each event out to every socket as one pre-encoded frame.
 *
 * Authentication: the pairing token comes as `?token=` on the upgrade URL (browsers cannot set headers on
 * a WebSocket) and is checked, with Host and Origin, by the app's front door BEFORE the upgrade is
 * accepted: a refused caller gets a plain 401/403 and never a socket. The URL (hence the token) is never
 * logged here.
 */
export function createWsHub(deps: WsHubDeps): WsHub {
  const { config } = deps;
  const logger = (deps.logger ?? silentLogger).child({ module: 'ws' });
  const { clock } = deps;
  const ring = new EventRing(config.ringSize);
  const alerts = new AlertLog(config.alertLimit);
  const subscribers = new Set<Subscriber>();
  const counters = {
    replays: 0,
    resumes: 0,
    snapshots: 0,
    resnapshots: 0,
    lagged: 0,
    stalledClosed: 0,
    idleClosed: 0,
    resumeRateClosed: 0,
    refused: 0,
    badMessages: 0,
  };
  let seq = 0;
  // This run of the hub: seq restarts with it, so resuming needs both (see Hello.instance).
  const instance = randomUUID();
  let nextId = 1;
  let closed = false;

  const { snapshots: shared, pump } = createLiveView({
    config,
    clock,
    instance,
    snapshot: deps.snapshot,
    view: deps.view,
    alerts: () => alerts.list(),
    targets: () => subscribers,
    onError: (err) => logger.error({ err }, 'positions-updated failed'),
  });

  const host: SubscriberHost = {
    ring,
    lastSeq: () => seq,
    now: () => clock.now(),
    queueBytes: config.queueBytes,
    resumeRate: { burst: config.resumeBurst, perMinute: config.resumesPerMinute },
    count: (what) => counters[what]++,
    onSocketError: (client, err) => logger.debug({ client, err: err.message }, 'socket error'),
    onSnapshotError: (client, err) => logger.error({ client, err }, 'snapshot failed'),
    snapshot: () => shared.get(seq, clock.now()),
    caughtUp: () => pump.kick(),
  };

  const unsubscribe = deps.bus.subscribe((event: BusEvent) => {
    seq++;
    const stamped = { ...event, seq } as StreamEvent;
    const frame = Buffer.from(JSON.stringify(stamped));
    ring.push({ seq, frame });
    alerts.note(stamped);
    for (const sub of subscribers) sub.offer(seq, frame);
    // An event is a change of the book (a tier, a close, a resize): its view goes out on the leading edge.
    pump.kick();
  });
  if (deps.view) pump.start();

  const { upgradeWebSocket, injectWebSocket, wss } = createNodeWebSocket({ app: deps.app });
  // ws accepts 100 MiB frames by default; clients only ever send tiny ones.
  (wss.options as { maxPayload?: number }).maxPayload = config.maxClientFrameBytes;

  function handleMessage(sub: Subscriber, data: unknown): void {
    sub.seen();
    const parsed = parseClientFrame(data);
    if ('error' in parsed) {
      counters.badMessages++;
      sub.error(parsed.error.code, parsed.error.message);
      return;
    }
    const msg = parsed.message;
    if (msg.type === 'ping') sub.send({ type: 'pong', at: clock.now(), lastSeq: seq } satisfies Pong);
    else if (msg.type === 'resume' && !sub.resume(msg.lastSeq)) closeForResumeRate(sub);
    // 'auth': the token was checked before the upgrade; a later `auth` changes nothing.
  }

  deps.app.get(
    deps.path ?? '/ws',
    upgradeWebSocket(
      (c) => {
        const lastSeqParam = c.req.query('lastSeq');
        const instanceParam = c.req.query('instance');
        let sub: Subscriber | null = null;
        return {
          onOpen(_evt, ctx) {
            const ws = ctx.raw as WebSocket;
            if (closed || subscribers.size >= config.maxClients) {
              counters.refused++;
              ws.close(1013, closed ? 'server shutting down' : 'too many clients');
              return;
            }
            sub = new Subscriber(nextId++, ws, host);
            sub.send({
              type: 'hello',
              protocol: PROTOCOL_VERSION,
              serverVersion: deps.version,
              lastSeq: seq,
              instance,
            });
            let lastSeq: number | null = null;
            if (lastSeqParam !== undefined) {
              if (SEQ_PARAM.test(lastSeqParam)) lastSeq = Number(lastSeqParam);
              else sub.error('BAD_MESSAGE', 'lastSeq must be a non-negative integer; sending a snapshot');
            }
            // A seq from another run of the companion means nothing here: a fresh snapshot, never its events.
            if (instanceParam !== undefined && instanceParam !== instance) lastSeq = null;
            // hello, the snapshot (or the replay) and the subscription happen in this one turn.
            sub.start(lastSeq);
            subscribers.add(sub);
            logger.debug({ client: sub.id, resumeFrom: lastSeq, clients: subscribers.size }, 'socket open');
          },
          onMessage(evt) {
            // A socket the hub already gave up on (closing, cut in a moment) has nothing more to say.
            if (sub && subscribers.has(sub)) handleMessage(sub, evt.data);
          },
          onClose(evt) {
            if (!sub) return;
            sub.close();
            subscribers.delete(sub);
            logger.debug({ client: sub.id, code: evt.code, clients: subscribers.size }, 'socket closed');
          },
          onError() {
            // Logged by the subscriber from ws itself (node-ws builds an ErrorEvent Node 20 lacks).
          },
        };
      },
      { onError: (err) => logger.debug({ err }, 'socket handler error') },
    ),
  );

  // Keepalive and stall sweep: await, then sleep; sweeps never overlap.
  const stop = new AbortController();
  const sweeping = (async () => {
    while (!closed) {
      try {
        await clock.sleep(config.pingIntervalMs, stop.signal);
      } catch {
        return;
      }
      sweep();
    }
  })();

  function sweep(): void {
    const now = clock.now();
    for (const sub of subscribers) {
      if (now - sub.lastSeenAt > config.idleTimeoutMs) {
        counters.idleClosed++;
        logger.info({ client: sub.id, idleMs: now - sub.lastSeenAt }, 'closing idle socket');
        drop(sub);
      } else if (sub.lagging && now - sub.lagSince > config.stallTimeoutMs) {
        counters.stalledClosed++;
        logger.warn({ client: sub.id, behindBy: seq - sub.lastSent }, 'closing stalled socket');
        drop(sub);
      } else {
        sub.poke();
        sub.ws.ping();
      }
    }
  }

  /**
   * Says why (error frame, then close 1008 with a reason), then cuts the socket after a moment: a client
   * that spams resumes without reading would never take the close frame off its backlog.
   */
  function closeForResumeRate(sub: Subscriber): void {
    counters.resumeRateClosed++;
    logger.warn({ client: sub.id, perMinute: config.resumesPerMinute }, 'closing socket: resume rate exceeded');
    const reason = `resume rate exceeded (${config.resumeBurst} at once, ${config.resumesPerMinute} a minute)`;
    sub.error('RATE_LIMITED', `${reason}; reconnect with ?lastSeq= instead`);
    sub.close();
    subscribers.delete(sub);
    sub.ws.close(1008, reason);
    setTimeout(() => sub.ws.terminate(), 1_000).unref();
  }

  /** terminate, not close: a close frame would queue behind the backlog of the very socket we give up on. */
  function drop(sub: Subscriber): void {
    sub.close();
    subscribers.delete(sub);
    sub.ws.terminate();
  }

  return {
    injectWebSocket: (server) => injectWebSocket(server),
    disconnectAll(code, reason) {
      for (const sub of subscribers) {
        sub.close();
        sub.ws.close(code, reason);
      }
      subscribers.clear();
    },
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      stop.abort();
      await sweeping;
      await pump.close();
      const open = [...subscribers];
      subscribers.clear();
      for (const sub of open) {
        sub.close();
        sub.ws.close(1001, 'server shutting down');
      }
      // A close handshake waits behind a slow socket's backlog: give it a moment, then cut it.
      await Promise.race([
        Promise.all(open.map((sub) => new Promise((resolve) => sub.ws.once('close', resolve)))),
        new Promise((resolve) => setTimeout(resolve, 1_000).unref()),
      ]);
      for (const sub of open) sub.ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
    stats: () => ({
      clients: subscribers.size,
      lagging: [...subscribers].filter((s) => s.lagging).length,
      bufferedBytes: [...subscribers].reduce((sum, s) => sum + s.ws.bufferedAmount, 0),
      lastSeq: seq,
      ringSize: ring.size,
      ringOldestSeq: ring.oldestSeq,
      ...counters,
      snapshotBuilds: shared.builds,
      viewRounds: pump.rounds,
      viewFrameBuilds: pump.frameBuilds,
    }),
    get lastSeq() {
      return seq;
    },
  };
}
