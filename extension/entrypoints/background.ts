import { defineBackground } from 'wxt/utils/define-background';
import { z } from 'zod';
import { browser } from '#imports';
import { createApi } from '../utils/api.ts';
import { type Background, type BackgroundDeps, createBackground } from '../utils/background-core.ts';
import type { SocketLike } from '../utils/connection.ts';
import { POPUP_PORT, type PopupToBackground } from '../utils/messages.ts';
import { focusKeyOf } from '../utils/notify.ts';
import { runPositionAction, warmPositions } from '../utils/position-actions.ts';
import {
  alertSilence,
  companionUrl,
  loadSettings,
  notificationPrefs,
  pairingToken,
  pendingFocus,
} from '../utils/settings.ts';
import { soundPlayer } from '../utils/sound.ts';

const KEEPALIVE_ALARM = 'tierwatch-keepalive';

export default defineBackground(() => {
  // MV3 pages forbid eval: keep zod from probing for it (and logging a CSP violation) on every start.
  z.config({ jitless: true });

  // Notification buttons act through the same path as the popup's rows (`act`, below).
  const core = createBackground(browserDeps((msg) => act(msg)));
  const act = async (msg: unknown) => runPositionAction(await actionApi(), msg);

  followSettings(core);
  keepAlive(core);
  servePopups(core);
  listenToNotifications(core);
  listenForActions(act);
  exposeForTests(core, act);
});

/** What the background core does to the browser: sockets, notifications, sound, badge, saved silence. */
function browserDeps(act: BackgroundDeps['act']): BackgroundDeps {
  return {
    act,
    socket: {
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      now: () => Date.now(),
      random: () => Math.random(),
    },
    showToast: async (t) => {
      await browser.notifications.create(t.id, {
        type: 'basic',
        iconUrl: browser.runtime.getURL(t.iconPath as '/icon/128.png'),
        title: t.title,
        message: t.message,
        priority: t.priority,
        requireInteraction: t.requireInteraction,
        silent: t.silent,
        ...(t.buttons.length > 0 ? { buttons: t.buttons } : {}),
      });
    },
    clearToast: async (id) => {
      await browser.notifications.clear(id);
    },
    playSound: offscreenSound(),
    saveSilence: (s) => alertSilence.setValue(s),
    setBadge: async (b) => {
      await browser.action.setBadgeBackgroundColor({ color: b.color });
      await browser.action.setBadgeText({ text: b.text });
      await browser.action.setTitle({ title: b.title });
    },
    log: (message, detail) => console.warn(`[tierwatch] ${message}`, detail ?? ''),
  };
}

/** A worker cannot play audio: the sound plays in an offscreen document, created on first use. */
function offscreenSound() {
  return soundPlayer({
    hasDocument: async () =>
      (await browser.runtime.getContexts?.({ contextTypes: ['OFFSCREEN_DOCUMENT'] }))?.length > 0,
    createDocument: () =>
      browser.offscreen.createDocument({
        url: browser.runtime.getURL('/offscreen.html'),
        reasons: ['AUDIO_PLAYBACK'],
        justification: 'the sound of an SL hit or an approaching SL, when turned on in the options',
      }),
    send: async (m) => {
      await browser.runtime.sendMessage(m);
    },
  });
}

/** The saved settings now and on every change (and the notifications Chrome kept open across restarts). */
function followSettings(core: Background) {
  // Chrome keeps notifications across worker restarts: ours still open are reconciled on the first snapshot.
  void browser.notifications.getAll().then((all) => core.adoptNotifications(Object.keys(all)));
  const reconfigure = async () => core.configure(await loadSettings());
  void reconfigure();
  companionUrl.watch(reconfigure);
  pairingToken.watch(reconfigure);
  notificationPrefs.watch(reconfigure);
  alertSilence.watch(reconfigure);
}

/** A killed worker is restarted by the alarm, and the alarm tick reconnects a dropped socket. */
function keepAlive(core: Background) {
  void browser.alarms.create(KEEPALIVE_ALARM, { periodInMinutes: 0.5 });
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === KEEPALIVE_ALARM) core.ensure();
  });
}

/** Each open popup or side panel: the state pushed down its port, its requests handled. */
function servePopups(core: Background) {
  browser.runtime.onConnect.addListener((port) => {
    if (port.name !== POPUP_PORT) return;
    const unsubscribe = core.subscribe((msg) => port.postMessage(msg));
    port.onMessage.addListener((msg: PopupToBackground) => core.handlePopup(msg));
    port.onDisconnect.addListener(unsubscribe);
  });
}

function listenToNotifications(core: Background) {
  browser.notifications.onButtonClicked.addListener((id, index) => void core.notificationButton(id, index));
  browser.notifications.onClosed.addListener((id) => core.notificationClosed(id));
  browser.notifications.onClicked.addListener(async (id) => {
    const key = focusKeyOf(id);
    core.notificationClicked(key);
    await pendingFocus.setValue(key);
    void browser.notifications.clear(id);
    try {
      await browser.action.openPopup();
    } catch {
      // No focused window (or an older Chrome): open the popup page in a tab, on that position.
      const query = key ? `?focus=${encodeURIComponent(key)}` : '';
      await browser.tabs.create({ url: browser.runtime.getURL(`/popup.html${query}`) });
    }
  });
}

/** The companion's API as the settings say now (null while not paired). */
async function actionApi() {
  const s = await loadSettings();
  return s.token ? createApi({ baseUrl: s.baseUrl, token: s.token }) : null;
}

/** Actions on a position family (the popup's rows, notification buttons): run here, one path to the companion. */
function listenForActions(act: (msg: unknown) => Promise<unknown>) {
  browser.runtime.onMessage.addListener((msg: { type?: string }, _sender, reply: (r: unknown) => void) => {
    if (msg?.type === 'position-action-warm') {
      void actionApi().then(warmPositions);
      return undefined;
    }
    if (msg?.type !== 'position-action') return undefined;
    void act(msg).then(reply);
    return true;
  });
}

/**
 * For the end-to-end tests and the benchmark (serviceWorker.evaluate): feed a server message through
 * the same parse → reduce → notify path a socket message takes, and read the state back; `act` is what a
 * notification button's handler calls; `dropNextEvent` loses one event frame to force a sequence gap.
 */
function exposeForTests(core: Background, act: (msg: unknown) => Promise<unknown>) {
  (globalThis as { tierwatch?: unknown }).tierwatch = {
    inject: core.inject,
    dropNextEvent: core.dropNextEvent,
    state: core.state,
    openNotifications: core.openNotifications,
    shown: core.shown,
    notificationButton: core.notificationButton,
    act,
  };
}
