import { resumeSeq } from '@tierwatch/shared';
import { DEFAULT_NOTIFICATION_PREFS, type Settings } from './alert-prefs.ts';
import { type Api, createApi, probe } from './api.ts';
import { createNotifier, type Notifier, type NotifierDeps } from './background-notify.ts';
import { type LiveStream, receiveFrame } from './background-receive.ts';
import { type Badge, badgeFor } from './badge.ts';
import { Connection, type ConnectionDeps } from './connection.ts';
import type { BackgroundToPopup, PopupToBackground } from './messages.ts';
import { createPopupPush } from './popup-push.ts';
import type { ConnectionOptions } from './reconnect-policy.ts';

/**
 * Everything the service worker does, with the browser injected: socket → parse at the edge → reducer →
 * notifications (background-notify.ts; background-receive.ts takes a frame that far), badge and popup pushes (popup-push.ts). The entry point only wires
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
  const live: LiveStream = { stream: null, dropNext: false };
  const notifier = createNotifier({ ...deps, now: socket.now, silenceChanged: () => popups.changed() });
  const popups = createPopupPush({
    everyMs: deps.pushEveryMs ?? 100,
    now: socket.now,
    setTimeout: socket.setTimeout,
    message: (): BackgroundToPopup => ({
      type: 'state',
      status: conn.current,
      stream: live.stream,
      silence: notifier.silence(),
      sentAt: socket.now(),
    }),
  });
  const badge = badgeUpdater(deps);
  const updateBadge = () => badge(conn.current.state, live.stream?.tierCounts.CRITICAL ?? 0);

  const receive = (raw: unknown) =>
    receiveFrame(raw, live, {
      notifier,
      conn,
      log: deps.log,
      received(changed) {
        updateBadge();
        if (changed) popups.changed();
      },
    });
  const conn = new Connection(
    {
      ...socket,
      resumeSeq: () => resumeSeq(live.stream),
      resumeInstance: () => live.stream?.instance ?? null,
      onMessage: receive,
      onStatus: () => {
        updateBadge();
        popups.changed();
      },
      probe: async () => (api ? probe(api) : { state: 'down', message: 'not configured' }),
    },
    deps.connection,
  );

  return {
    configure(next: Settings): void {
      const target = next.baseUrl !== settings.baseUrl || next.token !== settings.token;
      if (next.baseUrl !== settings.baseUrl) live.stream = null; // another companion: nothing carries over
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
    handlePopup: (msg: PopupToBackground) => handlePopup(msg, conn, notifier),
    ...notificationHandlers(notifier),
    /** The same path a socket message takes; the e2e tests and the benchmark feed snapshots through it. */
    inject: receive,
    /** Test hook: drop the next sequenced event as if the network lost it (the e2e gap test). */
    dropNextEvent: () => {
      live.dropNext = true;
    },
    state: () => ({
      status: conn.current,
      stream: live.stream,
      silence: notifier.silence(),
      settings: { baseUrl: settings.baseUrl, paired: !!settings.token },
      ...conn.counts,
      popupPushes: popups.pushes(),
    }),
    stop: () => conn.stop(),
  };
}

/** Sets the badge when what it shows changed: the browser call costs more than comparing three strings. */
function badgeUpdater(deps: Pick<BackgroundDeps, 'setBadge' | 'log'>) {
  let last = '';
  return (state: Parameters<typeof badgeFor>[0], critical: number): void => {
    const badge = badgeFor(state, critical);
    const sig = `${badge.text}|${badge.color}|${badge.title}`;
    if (sig === last) return;
    last = sig;
    void Promise.resolve(deps.setBadge(badge)).catch((e) => deps.log?.('badge failed', e));
  };
}

/** The browser's notification callbacks, which the entry point wires to chrome.notifications. */
const notificationHandlers = (notifier: Notifier) => ({
  adoptNotifications: notifier.adopt,
  notificationButton: notifier.button,
  notificationClicked: notifier.clicked,
  notificationClosed: notifier.closed,
  openNotifications: notifier.open,
  shown: notifier.shown,
});

function handlePopup(msg: PopupToBackground, conn: Connection, notifier: Notifier): void {
  if (msg.type === 'reconnect') conn.resync();
  else if (msg.type === 'snooze') notifier.snooze(msg.family, msg.ms);
  else if (msg.type === 'mute') notifier.mute(msg.family, msg.on);
  // A popup opened: the stream keeps an open socket's state current, so only a socket that is gone
  // (the worker slept, the companion restarted) is reopened here.
  else if (msg.type === 'refresh' && conn.current.state !== 'open') conn.ensure();
}
