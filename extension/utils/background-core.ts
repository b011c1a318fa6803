import type { NoticeKind } from '@tierwatch/shared';
import {
  familyKey,
  markAwaitingSnapshot,
  Pong,
  parsePositionKey,
  reduce,
  resumeSeq,
  ServerMessage,
  type StreamState,
} from '@tierwatch/shared';
import {
  DEFAULT_NOTIFICATION_PREFS,
  emptySilence,
  muted,
  type Settings,
  type Silence,
  snoozed,
} from './alert-prefs.ts';
import { type Api, createApi, probe } from './api.ts';
import { type Badge, badgeFor } from './badge.ts';
import { Connection, type ConnectionDeps, type ConnectionOptions } from './connection.ts';
import type { BackgroundToPopup, PopupToBackground } from './messages.ts';
import {
  acted,
  type Command,
  decide,
  dismissed,
  emptyNotifyState,
  focusKeyOf,
  type NotifyState,
  reconcile,
  SNOOZE_MS,
  type Toast,
} from './notify.ts';
import { actionMessage, type PositionActionMessage, type PositionActionReply } from './position-actions.ts';

/**
 * Everything the service worker does, with the browser injected: socket → parse at the edge → reducer →
 * notifications, badge and popup pushes. The entry point only wires chrome.* into these deps.
 */

export interface BackgroundDeps {
  socket: Pick<ConnectionDeps, 'createSocket' | 'setTimeout' | 'clearTimeout' | 'now' | 'random'>;
  fetch?: typeof fetch;
  showToast(toast: Toast): void | Promise<void>;
  clearToast?(id: string): void | Promise<void>;
  /** An SL hit, liquidation or approaching SL with sound on (the entry point plays it offscreen). */
  playSound?(kind: NoticeKind): void | Promise<void>;
  /** Persist snoozes and mutes (the storage item); the background keeps its own copy meanwhile. */
  saveSilence?(silence: Silence): void | Promise<void>;
  setBadge(badge: Badge): void | Promise<void>;
  /** Runs an action on a position family (the background's one path to the companion's action route). */
  act?(msg: PositionActionMessage): Promise<PositionActionReply>;
  log?(message: string, detail?: unknown): void;
  connection?: Partial<ConnectionOptions>;
  /** Popup pushes are coalesced: a burst of events costs one structured clone per window. */
  pushEveryMs?: number;
  /** A popup opening on a snapshot older than this asks for a fresh one (distances move between events). */
  refreshAfterMs?: number;
}

export type Background = ReturnType<typeof createBackground>;

/** Every leg in CRITICAL in a state, with its family and reason (reconciling notifications on a snapshot). */
function criticalLegs(stream: StreamState) {
  return Object.entries(stream.positions)
    .filter(([, p]) => p.tier === 'CRITICAL')
    .map(([key, p]) => ({
      key,
      family: familyKey(p, stream.accounts),
      reason:
        (p.distanceToTpPct ?? Number.POSITIVE_INFINITY) < (p.distanceToSlPct ?? Number.POSITIVE_INFINITY)
          ? ('near-tp' as const)
          : ('near-sl' as const),
    }));
}

export function createBackground(deps: BackgroundDeps) {
  const { socket } = deps;
  const pushEveryMs = deps.pushEveryMs ?? 100;
  const refreshAfterMs = deps.refreshAfterMs ?? 30_000;
  let settings: Settings = { baseUrl: '', token: '', prefs: DEFAULT_NOTIFICATION_PREFS };
  let silence: Silence = emptySilence();
  /** Notification ids Chrome still shows from before this worker started (reconciled on the next snapshot). */
  let adopted: string[] = [];
  let api: Api | null = null;
  let stream: StreamState | null = null;
  let notify: NotifyState = emptyNotifyState();
  let lastBadge = '';
  let pushTimer: unknown = null;
  /** The newest notifications shown (id, time), for the end-to-end tests: chrome only lists the open ones. */
  const shownLog: { id: string; at: number }[] = [];
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
    if (parsed.data.type === 'snapshot' && stream) {
      const d = reconcile(notify, criticalLegs(stream), adopted);
      adopted = [];
      notify = d.state;
      run(d.commands);
    }
    for (const notice of result.notices) {
      const d = decide(notify, notice, {
        prefs: settings.prefs,
        silence,
        now: socket.now(),
        positions: stream?.positions,
      });
      notify = d.state;
      run(d.commands);
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

  /**
   * SL → break-even from a notification: one key per showing of the notification (its id and when it was
   * shown), so a double click, or a click Chrome delivers twice, acts once. The notification goes either way;
   * a refusal or failure is said in one of its own.
   */
  async function breakEven(id: string, family: string): Promise<PositionActionReply | null> {
    const ref = parsePositionKey(family);
    if (!ref || !deps.act) return null;
    const shownAt = notify.lastShown[`near-tp|${family}`] ?? 0;
    const key = `nb-${shownAt.toString(36)}-${fnv1a(id).toString(36)}`;
    const d = acted(notify, family);
    notify = d.state;
    run(d.commands);
    const reply = await deps.act(actionMessage(ref, { kind: 'sl-break-even' }, key));
    if (!reply.ok) {
      void deps.showToast({
        id: `tw|action-failed|${family}`,
        kind: 'near-tp',
        title: `SL → break-even not done: ${ref.symbol} ${ref.side.toUpperCase()}`,
        message: reply.error,
        priority: 2,
        requireInteraction: true,
        silent: false,
        iconPath: '/icon/sl-hit.png',
        buttons: [],
        focusKey: family,
      });
    }
    return reply;
  }

  function run(commands: Command[]): void {
    const safe = (what: string, fn: () => void | Promise<void>) =>
      void Promise.resolve()
        .then(fn)
        .catch((e) => deps.log?.(`${what} failed`, e));
    for (const c of commands) {
      if (c.type === 'show') {
        shownLog.push({ id: c.toast.id, at: socket.now() });
        if (shownLog.length > 200) shownLog.shift();
        safe('toast', () => deps.showToast(c.toast));
      } else if (c.type === 'clear') safe('clearing a toast', () => deps.clearToast?.(c.id));
      else safe('sound', () => deps.playSound?.(c.kind));
    }
  }

  function silenced(next: Silence, family: string): void {
    silence = next;
    const d = acted(notify, family);
    notify = d.state;
    run(d.commands);
    void Promise.resolve(deps.saveSilence?.(silence)).catch((e) => deps.log?.('saving snoozes failed', e));
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
    return { type: 'state', status: conn.current, stream, silence, sentAt: socket.now() };
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
      if (next.silence) silence = next.silence;
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
      } else if (msg.type === 'snooze') {
        silenced(snoozed(silence, msg.family, socket.now() + (msg.ms ?? SNOOZE_MS), socket.now()), msg.family);
      } else if (msg.type === 'mute') {
        silenced(muted(silence, msg.family, msg.on), msg.family);
      } else if (msg.type === 'refresh') {
        if (conn.current.state !== 'open') conn.ensure();
        else if (stream && socket.now() - stream.snapshotAt > refreshAfterMs) {
          stream = markAwaitingSnapshot(stream);
          conn.resync();
        }
      }
    },
    /** Chrome's open notifications at worker start: ours from a previous run, cleared once resolved. */
    adoptNotifications(ids: readonly string[]): void {
      adopted = [...adopted, ...ids.filter((id) => id.startsWith('tw|'))];
    },
    /**
     * A notification's button (by its id): near the TP, 0 moves the family's SL to break-even and 1 snoozes;
     * on every other notification 0 snoozes the family for an hour and 1 mutes it.
     */
    notificationButton(id: string, index: number): Promise<PositionActionReply | null> {
      const family = focusKeyOf(id);
      if (!family) return Promise.resolve(null);
      const snooze = () => silenced(snoozed(silence, family, socket.now() + SNOOZE_MS, socket.now()), family);
      if (notify.open[id]?.kind !== 'near-tp') {
        if (index === 0) snooze();
        else if (index === 1) silenced(muted(silence, family, true), family);
        return Promise.resolve(null);
      }
      if (index === 1) {
        snooze();
        return Promise.resolve(null);
      }
      return breakEven(id, family);
    },
    /** The trader clicked a notification (it opens the position): that family's notifications are done. */
    notificationClicked(family: string | null): void {
      if (!family) return;
      const d = acted(notify, family);
      notify = d.state;
      run(d.commands);
    },
    /** The trader closed a notification. */
    notificationClosed(id: string): void {
      notify = dismissed(notify, id);
    },
    /** The notifications this worker believes are on screen (tests, the benchmark). */
    openNotifications: () => ({ ...notify.open }),
    shown: () => [...shownLog],
    /** The same path a socket message takes; the e2e tests and the benchmark feed snapshots through it. */
    inject: (raw: unknown) => receive(raw),
    state: () => ({
      status: conn.current,
      stream,
      silence,
      settings: { baseUrl: settings.baseUrl, paired: !!settings.token },
    }),
    stop: () => conn.stop(),
  };
}

/** FNV-1a, 32 bits: a short, stable tag for a notification id inside an idempotency key. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
