import {
  foldedSummaryText,
  hitDetail,
  LIQUIDATION_DETAIL,
  type Notice,
  type NoticeKind,
  noticeText,
  type TieredPosition,
} from '@tierwatch/shared';
import { isSilenced, type NotificationPrefs, type Silence } from './alert-prefs.ts';
import { formatPrice } from './display.ts';
import { BUTTONS, criticalToast, ICON, keyHealthToast, type Leg, settingOf, type Toast } from './notify-toasts.ts';

/**
 * The notification policy (handbook decision 11: alerts are a budget). Pure: notices in, commands out
 * (show, clear, sound); the caller keeps the state and talks to chrome.notifications.
 *
 * - One notification per family (main + mirrors) and kind: its id is the family's, so a mirror's leg
 *   never adds a second one.
 * - CRITICAL is near-SL or near-TP, told apart in words, icon and priority: near-SL is loud and stays
 *   until seen; near-TP is quiet by default (its own setting). Near-TP turning near-SL escalates.
 * - A family and kind is notified at most once per quiet period (dedupeMinutes), whatever its tier does
 *   in between: leaving CRITICAL clears the notification but does not re-arm it.
 * - A notification goes when it is resolved: every leg left CRITICAL, closed, hit its level, or the
 *   trader acted on it (clicked, snoozed, muted).
 * - CRITICAL notifications past maxPerMinute are folded into one summary (cleared once every family in
 *   it is resolved). SL / TP hits and liquidations are never folded.
 * - A snoozed or muted family is silent; per kind: on, silent (shown without sound, lowest priority) or off.
 */

export interface NotifyState {
  /** family → leg key → why it is CRITICAL, for every leg in CRITICAL now (notified or not). */
  critical: Record<string, Leg>;
  /** Notifications on screen that this policy may have to clear: id → family and kind. */
  open: Record<string, { family: string; kind: NoticeKind }>;
  /** `kind|family` → when it was last announced (shown or folded): the quiet period. */
  lastShown: Record<string, number>;
  /** Times of the CRITICAL toasts shown in the last minute (the rate window). */
  recent: number[];
  /** Families folded into the summary and not resolved yet. */
  folded: string[];
  summaryAt: number | null;
}

export type Command =
  | { type: 'show'; toast: Toast }
  | { type: 'clear'; id: string }
  | { type: 'sound'; kind: NoticeKind };

export const emptyNotifyState = (): NotifyState => ({
  critical: {},
  open: {},
  lastShown: {},
  recent: [],
  folded: [],
  summaryAt: null,
});

export const RATE_WINDOW_MS = 60_000;
export const SUMMARY_EVERY_MS = 10_000;
export const SUMMARY_ID = 'tw|summary';
export const SNOOZE_MS = 60 * 60_000;

export const toastId = (kind: 'critical' | NoticeKind, family: string) => `tw|${kind}|${family}`;
/** The family key a notification id points at, if any. */
export function focusKeyOf(id: string): string | null {
  const [tag, , key] = id.split('|');
  return tag === 'tw' && key ? key : null;
}

export interface DecideContext {
  prefs: NotificationPrefs;
  silence: Silence;
  now: number;
  /** The positions as the stream knows them (for distances in the message). */
  positions?: Record<string, TieredPosition>;
}

export interface Decision {
  state: NotifyState;
  commands: Command[];
}

export function decide(state: NotifyState, notice: Notice, ctx: DecideContext): Decision {
  const { now } = ctx;
  const dedupeMs = ctx.prefs.dedupeMinutes * 60_000;
  const s: NotifyState = {
    ...state,
    lastShown: pruned(state.lastShown, now, dedupeMs),
    recent: state.recent.filter((t) => now - t < RATE_WINDOW_MS),
  };
  const out: Command[] = [];
  if (notice.kind === 'key-health') {
    // A key that stopped working stops everything on its account: shown whatever the per-kind choices and
    // silences (the companion sends it once, and an expiry countdown once a day).
    if (!ctx.prefs.enabled) return { state: s, commands: out };
    out.push({ type: 'show', toast: keyHealthToast(notice) });
    return { state: s, commands: out };
  }
  const family = notice.family;

  if (notice.kind === 'critical') {
    s.critical = { ...s.critical, [family]: { ...s.critical[family], [notice.key]: notice.reason } };
    const legs = s.critical[family] ?? {};
    const kind: NoticeKind = Object.values(legs).includes('near-sl') ? 'near-sl' : 'near-tp';
    if (!allowed(ctx, kind, family)) return { state: s, commands: out };
    const id = toastId('critical', family);
    const showing = s.open[id];
    const escalates = showing?.kind === 'near-tp' && kind === 'near-sl';
    if (showing && !escalates) return { state: s, commands: out };
    if (!escalates && recently(s, kind, family, now, dedupeMs)) return { state: s, commands: out };
    s.lastShown = { ...s.lastShown, [`${kind}|${family}`]: now };
    if (s.recent.length >= ctx.prefs.maxPerMinute && !escalates) return fold(s, family, now, out);
    s.recent = [...s.recent, now];
    const toast = criticalToast(id, kind, family, legs, ctx);
    s.open = { ...s.open, [id]: { family, kind } };
    out.push({ type: 'show', toast });
    if (kind === 'near-sl' && ctx.prefs.sound && settingOf(ctx.prefs, kind) === 'on') out.push({ type: 'sound', kind });
    return { state: s, commands: out };
  }

  if (notice.kind === 'critical-cleared' || notice.kind === 'closed') {
    const next = leaveCritical(s, family, notice.key, out);
    if (notice.kind === 'closed' && notice.reason === 'liquidation') {
      return hit(next, 'liquidation', family, notice.ref, LIQUIDATION_DETAIL, ctx, out);
    }
    return { state: next, commands: out };
  }

  // An SL or TP hit: the CRITICAL notification it resolves goes; the hit has its own, never folded.
  const cleared = resolveFamily({ ...s, critical: withoutLeg(s.critical, family, notice.key) }, family, out);
  const detail = hitDetail(notice.kind, formatPrice(notice.price), formatPrice(notice.level));
  return hit(cleared, notice.kind, family, notice.ref, detail, ctx, out);
}

/**
 * After a snapshot (a fresh start of the worker, or a resync after a gap): the CRITICAL legs are what the
 * snapshot says, and a CRITICAL notification (or the summary) still open for a family with none left goes.
 * Chrome keeps notifications when it restarts the worker, so `adopt` brings in the ids it lists.
 */
export function reconcile(
  state: NotifyState,
  critical: { key: string; family: string; reason: 'near-tp' | 'near-sl' }[],
  adopt: readonly string[] = [],
): Decision {
  const out: Command[] = [];
  const legs: Record<string, Leg> = {};
  for (const c of critical) legs[c.family] = { ...legs[c.family], [c.key]: c.reason };
  const open = { ...state.open };
  for (const id of adopt) {
    const [tag, kind, family] = id.split('|');
    if (tag === 'tw' && kind === 'critical' && family && !open[id]) open[id] = { family, kind: 'near-sl' };
  }
  let s: NotifyState = { ...state, critical: legs, open };
  for (const [id, o] of Object.entries(open))
    if (id === toastId('critical', o.family) && !legs[o.family]) s = resolveFamily(s, o.family, out);
  for (const f of s.folded) if (!legs[f]) s = dropFolded(s, f, out);
  if (
    adopt.includes(SUMMARY_ID) &&
    s.folded.length === 0 &&
    !out.some((c) => c.type === 'clear' && c.id === SUMMARY_ID)
  )
    out.push({ type: 'clear', id: SUMMARY_ID });
  return { state: s, commands: out };
}

/** The trader acted on a family (clicked, snoozed, muted): its notifications have done their job. */
export function acted(state: NotifyState, family: string): Decision {
  const out: Command[] = [];
  const s = { ...state, open: { ...state.open } };
  for (const [id, o] of Object.entries(state.open)) {
    if (o.family !== family) continue;
    delete s.open[id];
    out.push({ type: 'clear', id });
  }
  return { state: dropFolded(s, family, out), commands: out };
}

/** A notification the trader closed: no longer ours to clear. */
export function dismissed(state: NotifyState, id: string): NotifyState {
  if (!(id in state.open)) return state;
  const { [id]: _, ...open } = state.open;
  return { ...state, open };
}

function allowed(ctx: DecideContext, kind: NoticeKind, family: string): boolean {
  return ctx.prefs.enabled && settingOf(ctx.prefs, kind) !== 'off' && !isSilenced(ctx.silence, family, ctx.now);
}

const recently = (s: NotifyState, kind: NoticeKind, family: string, now: number, dedupeMs: number) => {
  const at = s.lastShown[`${kind}|${family}`];
  return at !== undefined && now - at < dedupeMs;
};

function hit(
  s: NotifyState,
  kind: 'sl-hit' | 'tp-hit' | 'liquidation',
  family: string,
  ref: { symbol: string; side: 'long' | 'short'; account: string },
  detail: string,
  ctx: DecideContext,
  out: Command[],
): Decision {
  const dedupeMs = ctx.prefs.dedupeMinutes * 60_000;
  if (!allowed(ctx, kind, family) || recently(s, kind, family, ctx.now, dedupeMs)) return { state: s, commands: out };
  const setting = settingOf(ctx.prefs, kind);
  const loud = kind !== 'tp-hit' && setting === 'on';
  const id = toastId(kind, family);
  const { title, message } = noticeText(kind, ref, [ref.account], detail);
  out.push({
    type: 'show',
    toast: {
      id,
      kind,
      title,
      message,
      priority: setting === 'silent' ? 0 : kind === 'tp-hit' ? 1 : 2,
      requireInteraction: loud,
      silent: setting === 'silent',
      iconPath: ICON[kind],
      buttons: [...BUTTONS],
      focusKey: family,
    },
  });
  if (loud && ctx.prefs.sound) out.push({ type: 'sound', kind });
  return {
    state: {
      ...s,
      lastShown: { ...s.lastShown, [`${kind}|${family}`]: ctx.now },
      recent: [...s.recent, ctx.now],
      open: { ...s.open, [id]: { family, kind } },
    },
    commands: out,
  };
}

function fold(s: NotifyState, family: string, now: number, out: Command[]): Decision {
  const folded = s.folded.includes(family) ? s.folded : [...s.folded, family];
  const next = { ...s, folded };
  if (next.summaryAt !== null && now - next.summaryAt < SUMMARY_EVERY_MS) return { state: next, commands: out };
  const n = folded.length;
  out.push({
    type: 'show',
    toast: {
      id: SUMMARY_ID,
      kind: 'summary',
      ...foldedSummaryText(n),
      priority: 1,
      requireInteraction: false,
      silent: true,
      iconPath: ICON.summary,
      buttons: [],
      focusKey: null,
    },
  });
  return { state: { ...next, summaryAt: now }, commands: out };
}

function withoutLeg(critical: Record<string, Leg>, family: string, key: string): Record<string, Leg> {
  const legs = critical[family];
  if (!legs || !(key in legs)) return critical;
  const { [key]: _, ...rest } = legs;
  const { [family]: _f, ...others } = critical;
  return Object.keys(rest).length > 0 ? { ...others, [family]: rest } : others;
}

/** One leg left CRITICAL (or closed): the family's notification goes once no leg is left in CRITICAL. */
function leaveCritical(s: NotifyState, family: string, key: string, out: Command[]): NotifyState {
  const critical = withoutLeg(s.critical, family, key);
  const next = { ...s, critical };
  return critical[family] ? next : resolveFamily(next, family, out);
}

/** The family's CRITICAL notification (and its place in the summary) goes. */
function resolveFamily(s: NotifyState, family: string, out: Command[]): NotifyState {
  const id = toastId('critical', family);
  let next = s;
  if (s.open[id]) {
    const { [id]: _, ...open } = s.open;
    next = { ...s, open };
    out.push({ type: 'clear', id });
  }
  return dropFolded(next, family, out);
}

function dropFolded(s: NotifyState, family: string, out: Command[]): NotifyState {
  if (!s.folded.includes(family)) return s;
  const folded = s.folded.filter((f) => f !== family);
  if (folded.length > 0) return { ...s, folded };
  out.push({ type: 'clear', id: SUMMARY_ID });
  return { ...s, folded, summaryAt: null };
}

function pruned(lastShown: Record<string, number>, now: number, dedupeMs: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, t] of Object.entries(lastShown)) if (now - t < dedupeMs) out[k] = t;
  return out;
}
