import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { createNodeWebSocket } from '@hono/node-ws';
import type { BusEvent, StreamEvent } from '@tierwatch/shared';
import type { Hono } from 'hono';
import type { EventBus } from '../core/bus.ts';
import type { Clock } from '../core/clock.ts';
import { type Logger, silentLogger } from '../core/logger.ts';
import { AlertLog } from './alerts.ts';
import type { WsConfig } from './config.ts';
import { createLiveView, type SnapshotParts } from './live-view.ts';
import { EventRing } from './ring.ts';
import { Sockets } from './sockets.ts';
import type { WsHubStats } from './stats.ts';
import type { SubscriberHost } from './subscriber.ts';
import { startSweeping } from './sweep.ts';
import { socketHandlers } from './upgrade.ts';

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

/**
 * The event hub: stamps every bus event with the next seq, keeps the newest in a ring for resume, derives
 * the alerts a snapshot carries, and fans each event out to every socket as one pre-encoded frame.
 * The sockets themselves are Sockets' (sockets.ts), their life from open to close upgrade.ts's.
 *
 * Authentication: the pairing token comes as `?token=` on the upgrade URL (browsers cannot set headers on
 * a WebSocket) and is checked, with Host and Origin, by the app's front door BEFORE the upgrade is
 * accepted: a refused caller gets a plain 401/403 and never a socket. The URL (hence the token) is never
 * logged here.
 */
export function createWsHub(deps: WsHubDeps): WsHub {
  const { config, clock } = deps;
  const logger = (deps.logger ?? silentLogger).child({ module: 'ws' });
  const ring = new EventRing(config.ringSize);
  const alerts = new AlertLog(config.alertLimit);
  const sockets = new Sockets(config, logger);
  let seq = 0;
  // This run of the hub: seq restarts with it, so resuming needs both (see Hello.instance).
  const instance = randomUUID();
  let closed = false;

  const live = createLiveView({
    config,
    clock,
    instance,
    snapshot: deps.snapshot,
    view: deps.view,
    alerts: () => alerts.list(),
    targets: () => sockets.all(),
    onError: (err) => logger.error({ err }, 'positions-updated failed'),
  });

  const host = subscriberHost({ config, clock, logger, ring, sockets, lastSeq: () => seq, live });

  const unsubscribe = deps.bus.subscribe((event: BusEvent) => {
    seq++;
    const stamped = { ...event, seq } as StreamEvent;
    const frame = Buffer.from(JSON.stringify(stamped));
    ring.push({ seq, frame });
    alerts.note(stamped);
    for (const sub of sockets.all()) sub.offer(seq, frame);
    // An event is a change of the book (a tier, a close, a resize): its view goes out on the leading edge.
    pump.kick();
  });
  const { snapshots: shared, pump } = live;
  if (deps.view) pump.start();

  const { upgradeWebSocket, injectWebSocket, wss } = createNodeWebSocket({ app: deps.app });
  // ws accepts 100 MiB frames by default; clients only ever send tiny ones.
  (wss.options as { maxPayload?: number }).maxPayload = config.maxClientFrameBytes;
  const door = { sockets, host, maxClients: config.maxClients, version: deps.version, instance, logger };
  const handlers = socketHandlers({ ...door, shuttingDown: () => closed });
  const onError = (err: unknown) => logger.debug({ err }, 'socket handler error');
  deps.app.get(deps.path ?? '/ws', upgradeWebSocket(handlers, { onError }));

  const sweeping = startSweeping(clock, config.pingIntervalMs, () => sockets.sweep(clock.now(), seq));

  return {
    injectWebSocket: (server) => injectWebSocket(server),
    disconnectAll: (code, reason) => sockets.disconnectAll(code, reason),
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      await sweeping.stop();
      await pump.close();
      await sockets.shutdown();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
    stats: () => ({
      ...sockets.stats(),
      lastSeq: seq,
      ringSize: ring.size,
      ringOldestSeq: ring.oldestSeq,
      snapshotBuilds: shared.builds,
      viewRounds: pump.rounds,
      viewFrameBuilds: pump.frameBuilds,
    }),
    get lastSeq() {
      return seq;
    },
  };
}

type LiveView = ReturnType<typeof createLiveView>;

/** What every subscriber shares: the ring, the seq, the snapshot frames, the counters and the logger. */
function subscriberHost(parts: {
  config: WsConfig;
  clock: Clock;
  logger: Logger;
  ring: EventRing;
  sockets: Sockets;
  lastSeq: () => number;
  live: LiveView;
}): SubscriberHost {
  const { config, clock, logger, sockets, live, lastSeq } = parts;
  return {
    ring: parts.ring,
    lastSeq,
    now: () => clock.now(),
    queueBytes: config.queueBytes,
    resumeRate: { burst: config.resumeBurst, perMinute: config.resumesPerMinute },
    count: (what) => sockets.counters[what]++,
    onSocketError: (client, err) => logger.debug({ client, err: err.message }, 'socket error'),
    onSnapshotError: (client, err) => logger.error({ client, err }, 'snapshot failed'),
    snapshot: () => live.snapshots.get(lastSeq(), clock.now()),
    caughtUp: () => live.pump.kick(),
  };
}
