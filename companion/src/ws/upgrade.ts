import { type Pong, PROTOCOL_VERSION } from '@tierwatch/shared';
import type { Context } from 'hono';
import type { WSEvents } from 'hono/ws';
import type { WebSocket } from 'ws';
import type { Logger } from '../core/logger.ts';
import { parseClientFrame } from './messages.ts';
import type { Sockets } from './sockets.ts';
import { Subscriber, type SubscriberHost } from './subscriber.ts';

/**
 * What a socket does from open to close: refused when the hub is closing or full, else hello, then the
 * snapshot or the replay from `?lastSeq=`, then ping and resume frames until it closes. The front door
 * (the app's) has checked the token, Host and Origin before any of this runs.
 */

export interface SocketDoor {
  sockets: Sockets;
  /** What every subscriber shares: the ring, the snapshot, the counters. */
  host: SubscriberHost;
  maxClients: number;
  version: string;
  /** This run of the hub (see Hello.instance). */
  instance: string;
  shuttingDown(): boolean;
  logger: Logger;
}

const SEQ_PARAM = /^(0|[1-9]\d{0,15})$/;

/**
 * Where a socket's stream starts from its upgrade URL: the seq to replay after, or null for a snapshot.
 * `malformed` says the client sent a lastSeq that is no seq (it is told so, then gets a snapshot).
 */
export function resumePoint(
  lastSeqParam: string | undefined,
  instanceParam: string | undefined,
  instance: string,
): { lastSeq: number | null; malformed: boolean } {
  const malformed = lastSeqParam !== undefined && !SEQ_PARAM.test(lastSeqParam);
  // A seq from another run of the companion means nothing here: a fresh snapshot, never its events.
  const otherRun = instanceParam !== undefined && instanceParam !== instance;
  const lastSeq = lastSeqParam === undefined || malformed || otherRun ? null : Number(lastSeqParam);
  return { lastSeq, malformed };
}

/** The upgrade callback for `upgradeWebSocket`: one set of handlers per socket. */
export function socketHandlers(door: SocketDoor): (c: Context) => WSEvents<WebSocket> {
  const { sockets, host, logger } = door;
  let nextId = 1;

  function open(ws: WebSocket, from: ReturnType<typeof resumePoint>): Subscriber | null {
    if (door.shuttingDown() || sockets.size >= door.maxClients) {
      sockets.counters.refused++;
      ws.close(1013, door.shuttingDown() ? 'server shutting down' : 'too many clients');
      return null;
    }
    const sub = new Subscriber(nextId++, ws, host);
    const lastSeq = host.lastSeq();
    sub.send({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      serverVersion: door.version,
      lastSeq,
      instance: door.instance,
    });
    if (from.malformed) sub.error('BAD_MESSAGE', 'lastSeq must be a non-negative integer; sending a snapshot');
    // hello, the snapshot (or the replay) and the subscription happen in this one turn.
    sub.start(from.lastSeq);
    sockets.add(sub);
    logger.debug({ client: sub.id, resumeFrom: from.lastSeq, clients: sockets.size }, 'socket open');
    return sub;
  }

  function message(sub: Subscriber, data: unknown): void {
    sub.seen();
    const parsed = parseClientFrame(data);
    if ('error' in parsed) {
      sockets.counters.badMessages++;
      sub.error(parsed.error.code, parsed.error.message);
      return;
    }
    const msg = parsed.message;
    if (msg.type === 'ping') sub.send({ type: 'pong', at: host.now(), lastSeq: host.lastSeq() } satisfies Pong);
    else if (msg.type === 'resume' && !sub.resume(msg.lastSeq)) sockets.closeForResumeRate(sub);
    // 'auth': the token was checked before the upgrade; a later `auth` changes nothing.
  }

  return (c) => {
    const from = resumePoint(c.req.query('lastSeq'), c.req.query('instance'), door.instance);
    let sub: Subscriber | null = null;
    return {
      onOpen(_evt, ctx) {
        sub = open(ctx.raw as WebSocket, from);
      },
      onMessage(evt) {
        // A socket the hub already gave up on (closing, cut in a moment) has nothing more to say.
        if (sub && sockets.has(sub)) message(sub, evt.data);
      },
      onClose(evt) {
        if (!sub) return;
        sockets.closed(sub);
        logger.debug({ client: sub.id, code: evt.code, clients: sockets.size }, 'socket closed');
      },
      onError() {
        // Logged by the subscriber from ws itself (node-ws builds an ErrorEvent Node 20 lacks).
      },
    };
  };
}
