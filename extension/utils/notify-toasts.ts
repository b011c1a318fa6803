import {
  criticalDetail,
  keyHealthTitle,
  type Notice,
  type NoticeKind,
  noticeText,
  parsePositionKey,
  type TieredPosition,
} from '@tierwatch/shared';
import type { KindSetting, NotificationPrefs } from './alert-prefs.ts';
import { formatPct } from './display.ts';

/** What a notification looks like (notify.ts decides when): wording from shared, icon, priority, buttons. */

/** A family's legs in CRITICAL now, and why each is. */
export type Leg = Record<string, 'near-tp' | 'near-sl'>;

export interface Toast {
  /** Chrome replaces a notification with the same id; the id also carries the family to focus. */
  id: string;
  kind: NoticeKind | 'summary' | 'key-health';
  title: string;
  message: string;
  priority: 0 | 1 | 2;
  requireInteraction: boolean;
  silent: boolean;
  /** Extension path of the icon: its colour and shape tell near-SL from near-TP. */
  iconPath: string;
  /** At most two (Chrome's limit): snooze and mute the family. */
  buttons: { title: string }[];
  focusKey: string | null;
}

export const ICON: Record<NoticeKind | 'summary' | 'key-health', string> = {
  'near-sl': '/icon/near-sl.png',
  'near-tp': '/icon/near-tp.png',
  'sl-hit': '/icon/sl-hit.png',
  'tp-hit': '/icon/tp-hit.png',
  liquidation: '/icon/sl-hit.png',
  summary: '/icon/128.png',
  'key-health': '/icon/sl-hit.png',
};

/** The buttons every position notification carries, in this order (onButtonClicked gives the index). */
export const BUTTONS = [{ title: 'Snooze 1 h' }, { title: 'Mute this position' }] as const;
/**
 * A position near its TP can be protected from the notification itself: its SL to break-even on every leg
 * (the companion's action path, exactly once). Near the SL there is no such one-click move: acting on a
 * losing position goes through the popup's preview and confirmation.
 */
export const NEAR_TP_BUTTONS = [{ title: 'SL → break-even' }, { title: 'Snooze 1 h' }] as const;

export const settingOf = (prefs: NotificationPrefs, kind: NoticeKind): KindSetting =>
  ({
    'near-sl': prefs.nearSl,
    'near-tp': prefs.nearTp,
    'sl-hit': prefs.slHit,
    'tp-hit': prefs.tpHit,
    liquidation: prefs.liquidation,
  })[kind];

/** Near-SL: loud, on screen until seen, highest priority; near-TP: never sticky, default priority at most. */
export function criticalToast(
  id: string,
  kind: NoticeKind,
  family: string,
  legs: Leg,
  ctx: { prefs: NotificationPrefs; positions?: Record<string, TieredPosition> | undefined },
): Toast {
  const keys = Object.keys(legs);
  const ref = parsePositionKey(family) ?? parsePositionKey(keys[0] ?? '');
  const accounts = keys.map((k) => parsePositionKey(k)?.account ?? k);
  const p = ctx.positions?.[keys.find((k) => legs[k] === (kind === 'near-sl' ? 'near-sl' : 'near-tp')) ?? ''];
  const detail = criticalDetail(kind === 'near-sl' ? 'near-sl' : 'near-tp', p, formatPct);
  const { title, message } = noticeText(kind, ref ?? { symbol: '?', side: 'long' }, accounts, detail);
  const silent = settingOf(ctx.prefs, kind) === 'silent';
  const loud = kind === 'near-sl' && !silent;
  return {
    id,
    kind,
    title,
    message,
    priority: silent ? 0 : kind === 'near-sl' ? 2 : 0,
    requireInteraction: loud,
    silent,
    iconPath: ICON[kind],
    buttons: kind === 'near-tp' ? [...NEAR_TP_BUTTONS] : [...BUTTONS],
    focusKey: family,
  };
}

/** An account's API key expiring soon, or refused by the exchange: the second stays until seen. */
export function keyHealthToast(notice: Extract<Notice, { kind: 'key-health' }>): Toast {
  const refused = notice.status === 'refused';
  return {
    id: `tw|key-health|${notice.account}`,
    kind: 'key-health',
    title: keyHealthTitle(notice.status, notice.account),
    message: notice.message,
    priority: 2,
    requireInteraction: refused,
    silent: false,
    iconPath: ICON['key-health'],
    buttons: [],
    focusKey: null,
  };
}
