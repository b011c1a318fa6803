import type { TieredPosition } from '@tierwatch/shared';
import { formatPct, formatPrice } from './format.ts';
import type { NotificationPrefs } from './settings.ts';
import type { Notice } from './stream.ts';

/**
 * Which notices become desktop notifications: one per position and kind until it is re-armed (it left
 * CRITICAL) or the quiet period ran out, and no more than `maxPerMinute`; past that, one summary
 * notification counts what was held back. Pure: the caller keeps the state and shows the toasts.
 */

export interface NotifyState {
  /** dedupe key (kind + position) → when it was last announced (shown or summed up). */
  lastShown: Record<string, number>;
  /** Times of the toasts shown in the last minute (the rate window). */
  recent: number[];
  /** Held back by the rate limit in the current window. */
  suppressed: number;
  summaryAt: number | null;
}

export interface Toast {
  /** Chrome replaces a notification with the same id; the id also carries the position to focus. */
  id: string;
  title: string;
  message: string;
  priority: 0 | 1 | 2;
  requireInteraction: boolean;
  focusKey: string | null;
}

export const emptyNotifyState = (): NotifyState => ({ lastShown: {}, recent: [], suppressed: 0, summaryAt: null });

export const RATE_WINDOW_MS = 60_000;
export const SUMMARY_EVERY_MS = 10_000;
export const SUMMARY_ID = 'tw|summary';

export const toastId = (kind: string, key: string) => `tw|${kind}|${key}`;
/** The position key a notification id points at, if any. */
export function focusKeyOf(id: string): string | null {
  const [tag, , key] = id.split('|');
  return tag === 'tw' && key ? key : null;
}

export interface DecideContext {
  prefs: NotificationPrefs;
  now: number;
  /** The position as the state knows it, for a richer message. */
  position?: TieredPosition | undefined;
}

export function decide(
  state: NotifyState,
  notice: Notice,
  ctx: DecideContext,
): { state: NotifyState; toasts: Toast[] } {
  const { prefs, now } = ctx;
  const dedupeMs = prefs.dedupeMinutes * 60_000;
  const lastShown = pruned(state.lastShown, now, dedupeMs);
  const recent = state.recent.filter((t) => now - t < RATE_WINDOW_MS);
  const windowReset = recent.length === 0;
  let next: NotifyState = {
    lastShown,
    recent,
    suppressed: windowReset ? 0 : state.suppressed,
    summaryAt: state.summaryAt,
  };

  if (notice.kind === 'critical-cleared') {
    // Leaving CRITICAL re-arms the position: coming back is news again.
    const { [`critical:${notice.key}`]: _, ...rest } = lastShown;
    return { state: { ...next, lastShown: rest }, toasts: [] };
  }
  if (notice.kind === 'key-health') {
    // A key that stopped working stops everything on its account: shown whatever the per-kind choices (the
    // companion sends it once, and an expiry countdown once a day).
    const refused = notice.status === 'refused';
    const toast: Toast = {
      id: toastId('key', notice.account),
      title: refused ? `KEY REFUSED: ${notice.account}` : `API key expiring: ${notice.account}`,
      message: notice.message,
      priority: 2,
      requireInteraction: refused,
      focusKey: null,
    };
    return { state: next, toasts: prefs.enabled ? [toast] : [] };
  }
  if (!prefs.enabled || !wanted(prefs, notice.kind)) return { state: next, toasts: [] };

  const dedupeKey = `${notice.kind}:${notice.key}`;
  const seen = lastShown[dedupeKey];
  if (seen !== undefined && now - seen < dedupeMs) return { state: next, toasts: [] };
  next = { ...next, lastShown: { ...lastShown, [dedupeKey]: now } };

  if (recent.length >= prefs.maxPerMinute) {
    const suppressed = next.suppressed + 1;
    next = { ...next, suppressed };
    if (next.summaryAt !== null && now - next.summaryAt < SUMMARY_EVERY_MS) return { state: next, toasts: [] };
    const summary: Toast = {
      id: SUMMARY_ID,
      title: `Tierwatch: ${suppressed} more alert${suppressed === 1 ? '' : 's'}`,
      message: 'Too many to show one by one. Open Tierwatch to see every CRITICAL position.',
      priority: 2,
      requireInteraction: false,
      focusKey: null,
    };
    return { state: { ...next, summaryAt: now }, toasts: [summary] };
  }

  next = { ...next, recent: [...recent, now] };
  return { state: next, toasts: [toastFor(notice, ctx.position)] };
}

const wanted = (prefs: NotificationPrefs, kind: Notice['kind']) =>
  kind === 'critical' ? prefs.critical : kind === 'sl-hit' ? prefs.slHit : kind === 'tp-hit' ? prefs.tpHit : false;

function pruned(lastShown: Record<string, number>, now: number, dedupeMs: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, t] of Object.entries(lastShown)) if (now - t < dedupeMs) out[k] = t;
  return out;
}

function toastFor(
  notice: Exclude<Notice, { kind: 'critical-cleared' | 'key-health' }>,
  position?: TieredPosition,
): Toast {
  const { ref, key } = notice;
  const name = `${ref.symbol} ${ref.side.toUpperCase()}`;
  if (notice.kind === 'critical') {
    const near =
      notice.reason === 'near-sl'
        ? 'near its stop-loss'
        : notice.reason === 'near-tp'
          ? 'near its take-profit'
          : 'entered CRITICAL';
    const dist = position
      ? ` · SL ${formatPct(position.distanceToSlPct)} · TP ${formatPct(position.distanceToTpPct)} away`
      : '';
    return {
      id: toastId('critical', key),
      title: `CRITICAL: ${name}`,
      message: `${ref.account}: ${near}${dist}`,
      priority: 2,
      requireInteraction: true,
      focusKey: key,
    };
  }
  const sl = notice.kind === 'sl-hit';
  return {
    id: toastId(notice.kind, key),
    title: `${sl ? 'Stop-loss' : 'Take-profit'} hit: ${name}`,
    message: `${ref.account}: price ${formatPrice(notice.price)} crossed ${sl ? 'SL' : 'TP'} ${formatPrice(notice.level)}`,
    priority: sl ? 2 : 1,
    requireInteraction: sl,
    focusKey: key,
  };
}
