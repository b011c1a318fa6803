import type { Alert, CloseReason, StreamEvent } from './events.ts';
import { criticalSuffix, liquidationBeforeSlMessage, type PositionSide } from './trading.ts';

/**
 * Alert wording, once for both sides (handbook decision 9): the companion's alert log (what a snapshot
 * carries) and the extension's live alert list and desktop notifications all say the same thing.
 */

interface Ref {
  account: string;
  symbol: string;
  side: PositionSide;
}

export const describePosition = (p: Ref): string => `${p.symbol} ${p.side} on ${p.account}`;

/** A CRITICAL position's reason, in words: approaching the SL is a warning, near the TP is good news. */
export const CRITICAL_TEXT = {
  'near-sl': 'approaching its stop-loss',
  'near-tp': 'near its take-profit',
} as const;

export const CLOSE_REASON_TEXT: Record<CloseReason, string> = {
  tp: 'by its take-profit',
  sl: 'by its stop-loss',
  'trailing-stop': 'by its trailing stop',
  liquidation: 'by liquidation',
  action: 'by a Tierwatch action',
  manual: 'by hand',
  unknown: 'for a reason the exchange did not give',
};

/**
 * Alert kinds by how they are kept: hits (SL, TP, a liquidation) stay apart from CRITICAL entries and
 * are never pushed out by them; CRITICAL entries are one per position (family, in the extension).
 */
export type AlertGroup = 'hit' | 'critical' | 'other';
export function alertGroup(kind: string): AlertGroup {
  if (kind === 'sl-hit' || kind === 'tp-hit' || kind === 'liquidation') return 'hit';
  return kind === 'critical' ? 'critical' : 'other';
}

/** Which events a trader must still see after the fact, as an alert. Pure: one event in, at most one out. */
export function alertOf(ev: StreamEvent): Alert | null {
  const make = (severity: Alert['severity'], kind: string, ref: Partial<Ref>, message: string): Alert => ({
    seq: ev.seq,
    at: ev.at,
    severity,
    kind,
    account: ref.account ?? null,
    symbol: ref.symbol ?? null,
    ...(ref.side ? { side: ref.side } : {}),
    message,
  });
  switch (ev.type) {
    case 'critical': {
      const p = ev.position;
      const severity = ev.reason === 'near-sl' ? 'critical' : 'info';
      const text = `${describePosition(p)} is CRITICAL, ${CRITICAL_TEXT[ev.reason]}${criticalSuffix(p)}`;
      return make(severity, 'critical', p, text);
    }
    case 'key-health':
      return make(ev.status === 'refused' ? 'critical' : 'warning', 'key-health', { account: ev.account }, ev.message);
    case 'liquidation-before-sl':
      return make('warning', 'liquidation-before-sl', ev.position, liquidationBeforeSlMessage(ev.position));
    case 'sl-hit':
      return make('critical', 'sl-hit', ev, `${describePosition(ev)} hit its stop-loss at ${ev.price}`);
    case 'tp-hit':
      return make('info', 'tp-hit', ev, `${describePosition(ev)} hit its take-profit at ${ev.price}`);
    case 'position-closed': {
      // TP and SL closes were announced by their hit just before; the close itself is news, not an alert.
      if (ev.reason === 'tp' || ev.reason === 'sl') return null;
      const at = ev.price ? ` at ${ev.price}` : '';
      const text = `${describePosition(ev)} closed ${CLOSE_REASON_TEXT[ev.reason]}${at}`;
      return ev.reason === 'liquidation'
        ? make('critical', 'liquidation', ev, text)
        : make('info', 'position-closed', ev, text);
    }
    case 'missing-sl': {
      const text = {
        alerted: 'has no stop-loss',
        replaced: 'had no stop-loss; the companion placed one',
        'replace-failed': 'has no stop-loss and placing one FAILED',
      }[ev.action];
      const severity = ev.action === 'replace-failed' ? 'critical' : 'warning';
      return make(severity, 'missing-sl', ev, `${describePosition(ev)} ${text}`);
    }
    case 'mirror-drift': {
      const text = {
        alerted: 'drifted from',
        closed: 'was closed to match',
        'close-failed': 'could not be closed to match',
      }[ev.action];
      const severity = ev.action === 'close-failed' ? 'critical' : 'warning';
      const message = `Mirror ${ev.mirror} ${ev.symbol} ${ev.side} ${text} ${ev.main}`;
      return make(severity, 'mirror-drift', { account: ev.mirror, symbol: ev.symbol, side: ev.side }, message);
    }
    case 'execution-finished': {
      const r = ev.result;
      // A complete or still-pending execution is news, not an alert; a partial or failed one needs a look.
      if (r.status !== 'partial' && r.status !== 'failed') return null;
      const failed = r.legs.filter((l) => l.status === 'rejected' || l.status === 'unknown').map((l) => l.account);
      const which = failed.length > 0 ? ` (${failed.join(', ')})` : '';
      const severity = r.status === 'failed' ? 'critical' : 'warning';
      return make(severity, 'execution', { symbol: r.symbol }, `Execution ${r.symbol} ${r.side}: ${r.status}${which}`);
    }
    default:
      return null;
  }
}

/** What a desktop notification is about: one per position family and kind. */
export type NoticeKind = 'near-sl' | 'near-tp' | 'sl-hit' | 'tp-hit' | 'liquidation';

export interface NoticeText {
  title: string;
  message: string;
}

/**
 * A notification's words. `accounts` are the family's legs it concerns (main first); `detail` is the
 * distance or price line the caller formatted.
 */
export function noticeText(
  kind: NoticeKind,
  p: { symbol: string; side: PositionSide },
  accounts: string[],
  detail: string,
): NoticeText {
  const name = `${p.symbol} ${p.side.toUpperCase()}`;
  const title = {
    'near-sl': `Approaching stop-loss: ${name}`,
    'near-tp': `Near take-profit: ${name}`,
    'sl-hit': `Stop-loss hit: ${name}`,
    'tp-hit': `Take-profit hit: ${name}`,
    liquidation: `Liquidated: ${name}`,
  }[kind];
  const legs = accounts.length > 2 ? `${accounts[0]} + ${accounts.length - 1} mirrors` : accounts.join(' + ');
  return { title, message: detail ? `${legs}: ${detail}` : legs };
}

/**
 * The detail line under a notification's title, beside `noticeText`'s: an SL or TP hit says the price and
 * the level it crossed (both formatted by the caller, to the instrument's tick).
 */
export const hitDetail = (kind: 'sl-hit' | 'tp-hit', price: string, level: string): string =>
  `price ${price} crossed ${kind === 'sl-hit' ? 'SL' : 'TP'} ${level}`;

/** A liquidation's detail line: the close reason's own words (as the alert log's "closed by liquidation"). */
export const LIQUIDATION_DETAIL = `closed ${CLOSE_REASON_TEXT.liquidation}`;

/**
 * A CRITICAL notification's detail: how far the level is (the caller formats the percentages), or, when
 * the position is not at hand, the reason's words (the companion's CRITICAL threshold is its config's,
 * so no figure is claimed here).
 */
export function criticalDetail(
  kind: 'near-sl' | 'near-tp',
  p: { distanceToSlPct: number | null; distanceToTpPct: number | null } | undefined,
  pct: (value: number | null) => string,
): string {
  if (!p) return CRITICAL_TEXT[kind];
  return kind === 'near-sl'
    ? `SL ${pct(p.distanceToSlPct)} away (TP ${pct(p.distanceToTpPct)})`
    : `TP ${pct(p.distanceToTpPct)} away`;
}

/** The one notification that stands for CRITICAL positions held back (the alert budget). */
export const foldedSummaryText = (n: number): NoticeText => ({
  title: `Tierwatch: ${n} more CRITICAL position${n === 1 ? '' : 's'}`,
  message: 'Held back to keep notifications few; open Tierwatch to see them. SL and TP hits always show on their own.',
});

/** A key-health notification's title (its message is the companion's key-health event's own). */
export const keyHealthTitle = (status: 'expiring' | 'refused', account: string): string =>
  status === 'refused' ? `KEY REFUSED: ${account}` : `API key expiring: ${account}`;
