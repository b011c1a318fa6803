import {
  markAwaitingSnapshot,
  Pong,
  type ProtocolError,
  reduce,
  ServerMessage,
  type StreamState,
} from '@tierwatch/shared';
import type { Notifier } from './background-notify.ts';
import type { Connection } from './connection.ts';

/**
 * One frame from the companion, in the service worker: parsed at the edge, reduced into the stream state,
 * its notices handed to the notifier, its resync or refusal to the socket.
 */

/** What the worker holds of the stream: the reducer's state, and the test hook's pending drop. */
export interface LiveStream {
  stream: StreamState | null;
  /** Test hook (dropNextEvent): the next sequenced event is dropped, as if lost, to force a gap. */
  dropNext: boolean;
}

export interface ReceiveDeps {
  notifier: Notifier;
  conn: Connection;
  log?(message: string, detail?: unknown): void;
  /** After every frame: `changed` says the stream state is another one (an open popup is owed it). */
  received(changed: boolean): void;
}

export type Frame =
  | { kind: 'pong' }
  | { kind: 'message'; message: ServerMessage }
  | { kind: 'invalid'; issues: unknown[] };

/** The keepalive's answer, a protocol message, or something that is neither (dropped, logged). */
export function readFrame(raw: unknown): Frame {
  if (Pong.safeParse(raw).success) return { kind: 'pong' };
  const parsed = ServerMessage.safeParse(raw);
  return parsed.success
    ? { kind: 'message', message: parsed.data }
    : { kind: 'invalid', issues: parsed.error.issues.slice(0, 3) };
}

/** What the test hook may drop: a sequenced event (a snapshot or a served view would hide the gap). */
export const droppable = (msg: ServerMessage): boolean =>
  'seq' in msg && msg.type !== 'snapshot' && msg.type !== 'positions-updated';

/** A refused token ends the pairing (the socket stops retrying); any other error is only logged. */
export const refusesPairing = (error: ProtocolError): boolean =>
  error.code === 'UNAUTHORIZED' || error.code === 'FORBIDDEN';

export function receiveFrame(raw: unknown, live: LiveStream, d: ReceiveDeps): void {
  const frame = readFrame(raw);
  // The answer to our keepalive ping: the socket already counted it as a sign of life; nothing to reduce.
  if (frame.kind === 'pong') return;
  if (frame.kind === 'invalid') {
    d.log?.('dropped a message that does not match the protocol', frame.issues);
    return;
  }
  const msg = frame.message;
  if (live.dropNext && droppable(msg)) {
    live.dropNext = false;
    return;
  }
  const before = live.stream;
  const result = reduce(live.stream, msg);
  live.stream = result.state;
  if (msg.type === 'snapshot' && live.stream) d.notifier.snapshot(live.stream);
  for (const notice of result.notices) d.notifier.notice(notice, live.stream);
  if (result.error && refusesPairing(result.error)) {
    d.conn.refuse(`${result.error.code}: ${result.error.message}`);
  } else if (result.error) {
    d.log?.(`companion error ${result.error.code}`, result.error.message);
  }
  if (result.resync === 'fresh') {
    live.stream = markAwaitingSnapshot(live.stream);
    d.conn.resync();
  } else if (result.resync === 'resume') {
    // A gap: the hub replays it on this socket; only a socket that is gone (or a resume it does not
    // answer) costs a reconnect.
    d.conn.resume();
  }
  // Every applied change (a positions-updated above all) reaches an open popup; a frame that changed
  // nothing (a duplicate, a superseded view) costs it nothing.
  d.received(live.stream !== before);
}
