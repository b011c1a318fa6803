import { markAwaitingSnapshot, Pong, reduce, resumeSeq, ServerMessage, type StreamState } from '@tierwatch/shared';
import { DEFAULT_NOTIFICATION_PREFS, type Settings } from './alert-prefs.ts';
import { type Api, createApi, probe } from './api.ts';
import { createNotifier, type NotifierDeps } from './background-notify.ts';
import { type Badge, badgeFor } from './badge.ts';
import { Connection, type ConnectionDeps, type ConnectionOptions } from './connection.ts';
import type { BackgroundToPopup, PopupToBackground } from './messages.ts';
import { createPopupPush } from './popup-push.ts';

/**
 * Everything the service worker does, with the browser injected: socket → parse at the edge → reducer →
 * notifications (background-notify.ts), badge and popup pushes (popup-push.ts). The entry point only wires
 * chrome.* into these deps.
 */

export interface BackgroundDeps extends Omit<NotifierDeps, 'now' | 'silenceChanged'> {
  socket: Pick<ConnectionDeps, 'createSocket' | 'setTimeout' | 'clearTimeout' | 'now' | 'random'>;
  fetch?: typeof fetch;
  setBadge(badge: Badge): void | Promise<void>;
  connection?: Partial<ConnectionOptions>;
  /**
   * Popup pushes are throttled to one per this many ms: a burst of events costs one message per window,
   * and the first change after a quiet spell (a positions-updated) goes out at once.
   */
  pushEveryMs?: number;
}

export type Background = ReturnType<typeof createBackground>;

export function createBackground(deps: BackgroundDeps) {
  const { socket } = deps;
  let settings: Settings = { baseUrl: '', token: '', prefs: DEFAULT_NOTIFICATION_PREFS };
  let api: Api | null = null;
  let stream: StreamState | null = null;
  let lastBadge = '';
  /** Test hook (dropNextEvent): the next sequenced event is dropped, as if lost, to force a gap. */
  let dropNext = false;
  const notifier = createNotifier({ ...deps, now: socket.now, silenceChanged: () => popups.changed() });
  const popups = createPopupPush({
    everyMs: deps.pushEveryMs ?? 100,
    now: socket.now,
    setTimeout: socket.setTimeout,
    message: (): BackgroundToPopup => ({
      type: 'state',
      status: conn.current,
      stream,
      silence: notifier.silence(),
      sentAt: socket.now(),
    }),
  });

  const conn = new Connection(
    {
      ...socket,
      resumeSeq: () => resumeSeq(stream),
      resumeInstance: () => stream?.instance ?? null,
      onMessage: (raw) => receive(raw),
      onStatus: () => {
        updateBadge();
        popups.changed();
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
    const msg = parsed.data;
    if (dropNext && 'seq' in msg && msg.type !== 'snapshot' && msg.type !== 'positions-updated') {
      dropNext = false;
      return;
    }
    const before = stream;
    const result = reduce(stream, msg);
    stream = result.state;
    if (msg.type === 'snapshot' && stream) notifier.snapshot(stream);
    for (const notice of result.notices) notifier.notice(notice, stream);
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
      // A gap: the hub replays it on this socket; only a socket that is gone (or a resume it does not
      // answer) costs a reconnect.
      conn.resume();
    }
    updateBadge();
    // Every applied change (a positions-updated above all) reaches an open popup; a frame that changed
    // nothing (a duplicate, a superseded view) costs it nothing.
    if (stream !== before) popups.changed();
  }

  function updateBadge(): void {
    const critical = stream?.tierCounts.CRITICAL ?? 0;
    const badge = badgeFor(conn.current.state, critical);
    const sig = `${badge.text}|${badge.color}|${badge.title}`;
    if (sig === lastBadge) return;
    lastBadge = sig;
    void Promise.resolve(deps.setBadge(badge)).catch((e) => deps.log?.('badge failed', e));
  }

  return {
    configure(next: Settings): void {
      const target = next.baseUrl !== settings.baseUrl || next.token !== settings.token;
      if (next.baseUrl !== settings.baseUrl) stream = null; // another companion: nothing carries over
      settings = next;
      notifier.configure(next);
      if (!target) return;
      api = next.token ? createApi({ baseUrl: next.baseUrl, token: next.token, fetch: deps.fetch }) : null;
      conn.configure(next.baseUrl, next.token);
      updateBadge();
    },
    /** Alarm tick: reconnect if the worker was asleep or the socket is gone. */
    ensure: () => conn.ensure(),
    subscribe: popups.subscribe,
    handlePopup(msg: PopupToBackground): void {
      if (msg.type === 'reconnect') conn.resync();
      else if (msg.type === 'snooze') notifier.snooze(msg.family, msg.ms);
      else if (msg.type === 'mute') notifier.mute(msg.family, msg.on);
      // A popup opened: the stream keeps an open socket's state current, so only a socket that is gone
      // (the worker slept, the companion restarted) is reopened here.
      else if (msg.type === 'refresh' && conn.current.state !== 'open') conn.ensure();
    },
    adoptNotifications: notifier.adopt,
    notificationButton: notifier.button,
    notificationClicked: notifier.clicked,
    notificationClosed: notifier.closed,
    openNotifications: notifier.open,
    shown: notifier.shown,
    /** The same path a socket message takes; the e2e tests and the benchmark feed snapshots through it. */
    inject: (raw: unknown) => receive(raw),
    /** Test hook: drop the next sequenced event as if the network lost it (the e2e gap test). */
    dropNextEvent: () => {
      dropNext = true;
    },
    state: () => ({
      status: conn.current,
      stream,
      silence: notifier.silence(),
      settings: { baseUrl: settings.baseUrl, paired: !!settings.token },
      ...conn.counts,
      popupPushes: popups.pushes(),
    }),
    stop: () => conn.stop(),
  };
}
