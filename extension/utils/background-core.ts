import { Pong, ServerMessage } from '@tierwatch/shared';
import { type Api, createApi, probe } from './api.ts';
import { type Badge, badgeFor } from './badge.ts';
import { Connection, type ConnectionDeps, type ConnectionOptions } from './connection.ts';
import type { BackgroundToPopup, PopupToBackground } from './messages.ts';
import { decide, emptyNotifyState, type NotifyState, type Toast } from './notify.ts';
import { DEFAULT_NOTIFICATION_PREFS, type Settings } from './settings.ts';
import { markAwaitingSnapshot, reduce, resumeSeq, type StreamState } from './stream.ts';

/**
 * Everything the service worker does, with the browser injected: socket → parse at the edge → reducer →
 * notifications, badge and popup pushes. The entry point only wires chrome.* into these deps.
 */

export interface BackgroundDeps {
  socket: Pick<ConnectionDeps, 'createSocket' | 'setTimeout' | 'clearTimeout' | 'now' | 'random'>;
  fetch?: typeof fetch;
  showToast(toast: Toast): void | Promise<void>;
  setBadge(badge: Badge): void | Promise<void>;
  log?(message: string, detail?: unknown): void;
  connection?: Partial<ConnectionOptions>;
  /** Popup pushes are coalesced: a burst of events costs one structured clone per window. */
  pushEveryMs?: number;
  /** A popup opening on a snapshot older than this asks for a fresh one (distances move between events). */
  refreshAfterMs?: number;
}

export type Background = ReturnType<typeof createBackground>;

export function createBackground(deps: BackgroundDeps) {
  const { socket } = deps;
  const pushEveryMs = deps.pushEveryMs ?? 100;
  const refreshAfterMs = deps.refreshAfterMs ?? 30_000;
  let settings: Settings = { baseUrl: '', token: '', prefs: DEFAULT_NOTIFICATION_PREFS };
  let api: Api | null = null;
  let stream: StreamState | null = null;
  let notify: NotifyState = emptyNotifyState();
  let lastBadge = '';
  let pushTimer: unknown = null;
  const listeners = new Set<(msg: BackgroundToPopup) => void>();

  const conn = new Connection(
    {
      ...socket,
      resumeSeq: () => resumeSeq(stream),
      resumeInstance: () => stream?.instance ?? null,
      onMessage: (raw) => receive(raw),
      onStatus: () => {
        updateBadge();
        schedulePush();
      },
      probe: async () => (api ? probe(api) : { state: 'down', message: 'not configured' }),
    },
    deps.connection,
  );

  function receive(raw: unknown): void {
    // The answer to our keepalive ping: the socket already counted it as a sign of life; nothing to reduce.
    if (Pong.safeParse(raw).success) return;
    const parsed = ServerMessage.safeParse(raw);
    if (!parsed.success) {
      deps.log?.('dropped a message that does not match the protocol', parsed.error.issues.slice(0, 3));
      return;
    }
    const result = reduce(stream, parsed.data);
    stream = result.state;
    for (const notice of result.notices) {
      const position = stream?.positions[notice.key];
      const d = decide(notify, notice, { prefs: settings.prefs, now: socket.now(), position });
      notify = d.state;
      for (const toast of d.toasts)
        void Promise.resolve(deps.showToast(toast)).catch((e) => deps.log?.('toast failed', e));
    }
    if (result.error) {
      if (result.error.code === 'UNAUTHORIZED' || result.error.code === 'FORBIDDEN') {
        conn.refuse(`${result.error.code}: ${result.error.message}`);
      } else {
        deps.log?.(`companion error ${result.error.code}`, result.error.message);
      }
    }
    if (result.resync === 'fresh') {
      stream = markAwaitingSnapshot(stream);
      conn.resync();
    } else if (result.resync === 'resume') {
      conn.resync();
    }
    updateBadge();
    schedulePush();
  }

  function updateBadge(): void {
    const critical = stream?.tierCounts.CRITICAL ?? 0;
    const badge = badgeFor(conn.current.state, critical);
    const sig = `${badge.text}|${badge.color}|${badge.title}`;
    if (sig === lastBadge) return;
    lastBadge = sig;
    void Promise.resolve(deps.setBadge(badge)).catch((e) => deps.log?.('badge failed', e));
  }

  function snapshotMessage(): BackgroundToPopup {
    return { type: 'state', status: conn.current, stream, sentAt: socket.now() };
  }

  function schedulePush(): void {
    if (listeners.size === 0 || pushTimer !== null) return;
    pushTimer = socket.setTimeout(() => {
      pushTimer = null;
      const msg = snapshotMessage();
      for (const l of listeners) l(msg);
    }, pushEveryMs);
  }

  return {
    configure(next: Settings): void {
      const target = next.baseUrl !== settings.baseUrl || next.token !== settings.token;
      if (next.baseUrl !== settings.baseUrl) stream = null; // another companion: nothing carries over
      settings = next;
      if (!target) return;
      api = next.token ? createApi({ baseUrl: next.baseUrl, token: next.token, fetch: deps.fetch }) : null;
      conn.configure(next.baseUrl, next.token);
      updateBadge();
    },
    /** Alarm tick: reconnect if the worker was asleep or the socket is gone. */
    ensure: () => conn.ensure(),
    /** A popup attached: it gets the state now and on every change until it detaches. */
    subscribe(listener: (msg: BackgroundToPopup) => void): () => void {
      listeners.add(listener);
      listener(snapshotMessage());
      return () => listeners.delete(listener);
    },
    handlePopup(msg: PopupToBackground): void {
      if (msg.type === 'reconnect') {
        conn.resync();
      } else if (msg.type === 'refresh') {
        if (conn.current.state !== 'open') conn.ensure();
        else if (stream && socket.now() - stream.snapshotAt > refreshAfterMs) {
          stream = markAwaitingSnapshot(stream);
          conn.resync();
        }
      }
    },
    /** The same path a socket message takes; the e2e tests and the benchmark feed snapshots through it. */
    inject: (raw: unknown) => receive(raw),
    state: () => ({ status: conn.current, stream, settings: { baseUrl: settings.baseUrl, paired: !!settings.token } }),
    stop: () => conn.stop(),
  };
}
