import { familyKey, type Notice, type NoticeKind, parsePositionKey, type StreamState } from '@tierwatch/shared';
import {
  DEFAULT_NOTIFICATION_PREFS,
  emptySilence,
  muted,
  type Settings,
  type Silence,
  snoozed,
} from './alert-prefs.ts';
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
} from './notify.ts';
import type { Toast } from './notify-toasts.ts';
import { actionMessage, type PositionActionMessage, type PositionActionReply } from './position-actions.ts';

/**
 * The worker's notifications: what the reducer's notices become (notify.ts decides), the trader's snoozes
 * and mutes, the buttons on a notification, and those a previous worker left on screen. The browser is
 * injected (show, clear, sound, save).
 */

export interface NotifierDeps {
  now(): number;
  showToast(toast: Toast): void | Promise<void>;
  clearToast?(id: string): void | Promise<void>;
  /** An SL hit, liquidation or approaching SL with sound on (the entry point plays it offscreen). */
  playSound?(kind: NoticeKind): void | Promise<void>;
  /** Persist snoozes and mutes (the storage item); the notifier keeps its own copy meanwhile. */
  saveSilence?(silence: Silence): void | Promise<void>;
  /** Runs an action on a position family (the background's one path to the companion's action route). */
  act?(msg: PositionActionMessage): Promise<PositionActionReply>;
  log?(message: string, detail?: unknown): void;
  /** Snoozes and mutes changed: the popup's controls show them. */
  silenceChanged(): void;
}

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

export type Notifier = ReturnType<typeof createNotifier>;

export function createNotifier(deps: NotifierDeps) {
  let prefs: Settings['prefs'] = DEFAULT_NOTIFICATION_PREFS;
  let silence: Silence = emptySilence();
  /** Notification ids Chrome still shows from before this worker started (reconciled on the next snapshot). */
  let adopted: string[] = [];
  let notify: NotifyState = emptyNotifyState();
  /** The newest notifications shown (id, time), for the end-to-end tests: chrome only lists the open ones. */
  const shownLog: { id: string; at: number }[] = [];

  const run = (commands: Command[]) => runCommands(commands, deps, shownLog);

  function done(family: string): void {
    const d = acted(notify, family);
    notify = d.state;
    run(d.commands);
  }

  function silenced(next: Silence, family: string): void {
    silence = next;
    done(family);
    void Promise.resolve(deps.saveSilence?.(silence)).catch((e) => deps.log?.('saving snoozes failed', e));
    deps.silenceChanged();
  }

  const snooze = (family: string, ms = SNOOZE_MS) =>
    silenced(snoozed(silence, family, deps.now() + ms, deps.now()), family);

  return {
    configure(next: Settings): void {
      prefs = next.prefs;
      if (next.silence) silence = next.silence;
    },
    silence: () => silence,
    /** A snapshot: notifications on screen that it no longer backs are cleared. */
    snapshot(stream: StreamState): void {
      const d = reconcile(notify, criticalLegs(stream), adopted);
      adopted = [];
      notify = d.state;
      run(d.commands);
    },
    notice(notice: Notice, stream: StreamState | null): void {
      const d = decide(notify, notice, { prefs, silence, now: deps.now(), positions: stream?.positions });
      notify = d.state;
      run(d.commands);
    },
    snooze,
    mute: (family: string, on: boolean) => silenced(muted(silence, family, on), family),
    /** Chrome's open notifications at worker start: ours from a previous run, cleared once resolved. */
    adopt(ids: readonly string[]): void {
      adopted = [...adopted, ...ids.filter((id) => id.startsWith('tw|'))];
    },
    /**
     * A notification's button (by its id): near the TP, 0 moves the family's SL to break-even and 1 snoozes;
     * on every other notification 0 snoozes the family for an hour and 1 mutes it.
     */
    button(id: string, index: number): Promise<PositionActionReply | null> {
      const family = focusKeyOf(id);
      if (!family) return Promise.resolve(null);
      const action = buttonAction(notify.open[id]?.kind, index);
      if (action === 'break-even') return breakEven(deps, id, family, notify.lastShown, done);
      if (action === 'snooze') snooze(family);
      else if (action === 'mute') silenced(muted(silence, family, true), family);
      return Promise.resolve(null);
    },
    /** The trader clicked a notification (it opens the position): that family's notifications are done. */
    clicked(family: string | null): void {
      if (family) done(family);
    },
    /** The trader closed a notification. */
    closed(id: string): void {
      notify = dismissed(notify, id);
    },
    /** The notifications this worker believes are on screen (tests, the benchmark). */
    open: () => ({ ...notify.open }),
    shown: () => [...shownLog],
  };
}

/** Shows, clears and sounds what notify.ts decided; a failing browser call is logged, never thrown. */
function runCommands(
  commands: Command[],
  deps: Pick<NotifierDeps, 'now' | 'showToast' | 'clearToast' | 'playSound' | 'log'>,
  shownLog: { id: string; at: number }[],
): void {
  const safe = (what: string, fn: () => void | Promise<void>) =>
    void Promise.resolve()
      .then(fn)
      .catch((e) => deps.log?.(`${what} failed`, e));
  for (const c of commands) {
    if (c.type === 'show') {
      shownLog.push({ id: c.toast.id, at: deps.now() });
      if (shownLog.length > 200) shownLog.shift();
      safe('toast', () => deps.showToast(c.toast));
    } else if (c.type === 'clear') safe('clearing a toast', () => deps.clearToast?.(c.id));
    else safe('sound', () => deps.playSound?.(c.kind));
  }
}

/**
 * What a notification's button does: near the TP, 0 moves the family's SL to break-even and 1 snoozes;
 * on every other notification 0 snoozes the family for an hour and 1 mutes it, and any other index does
 * nothing.
 */
export function buttonAction(kind: string | undefined, index: number): 'break-even' | 'snooze' | 'mute' | null {
  if (kind === 'near-tp') return index === 1 ? 'snooze' : 'break-even';
  return index === 0 ? 'snooze' : index === 1 ? 'mute' : null;
}

/** One idempotency key per showing of a notification (its id and when it was shown): a double click acts once. */
export const breakEvenKey = (id: string, shownAt: number): string =>
  `nb-${shownAt.toString(36)}-${fnv1a(id).toString(36)}`;

/**
 * SL → break-even from a notification: one key per showing of the notification (its id and when it was
 * shown), so a double click, or a click Chrome delivers twice, acts once. The notification goes either way
 * (`done`); a refusal or failure is said in one of its own.
 */
async function breakEven(
  deps: Pick<NotifierDeps, 'act' | 'showToast'>,
  id: string,
  family: string,
  lastShown: NotifyState['lastShown'],
  done: (family: string) => void,
): Promise<PositionActionReply | null> {
  const ref = parsePositionKey(family);
  if (!ref || !deps.act) return null;
  const key = breakEvenKey(id, lastShown[`near-tp|${family}`] ?? 0);
  done(family);
  const reply = await deps.act(actionMessage(ref, { kind: 'sl-break-even' }, key));
  if (!reply.ok) void deps.showToast(breakEvenFailedToast(family, ref, reply.error));
  return reply;
}

/** The refusal or failure of a break-even, said in a notification of its own. */
function breakEvenFailedToast(family: string, ref: { symbol: string; side: string }, error: string): Toast {
  return {
    id: `tw|action-failed|${family}`,
    kind: 'near-tp',
    title: `SL → break-even not done: ${ref.symbol} ${ref.side.toUpperCase()}`,
    message: error,
    priority: 2,
    requireInteraction: true,
    silent: false,
    iconPath: '/icon/sl-hit.png',
    buttons: [],
    focusKey: family,
  };
}

/** FNV-1a, 32 bits: a short, stable tag for a notification id inside an idempotency key. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
