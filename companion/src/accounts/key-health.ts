import type { KeyHealth } from '@tierwatch/shared';
import type { Assessment } from './assess.ts';

/**
 * An account's key health now, pure: its start-up assessment, the clock, and whether the exchange has since
 * refused the key (the exchange layer stops an account whose credentials are refused: every read fails).
 */

const DAY = 86_400_000;

export function keyHealth(
  a: Assessment,
  opts: { now: number; refusedNow: string | null; expiryWarnDays?: number },
): KeyHealth {
  const warnings = a.findings.filter((f) => f.level !== 'info').map((f) => f.text);
  const base = { canTrade: a.canTrade, expiresAt: a.expiresAt };
  if (opts.refusedNow !== null)
    return {
      ...base,
      canTrade: false,
      status: 'refused',
      warnings: [
        `the exchange refuses the key now (${opts.refusedNow}): every read fails; create a new key`,
        ...warnings,
      ],
    };
  if (a.expiresAt !== null) {
    const days = (a.expiresAt - opts.now) / DAY;
    const when = new Date(a.expiresAt).toISOString();
    if (days <= 0)
      return {
        ...base,
        canTrade: false,
        status: 'refused',
        warnings: [`the key expired at ${when}; create a new one`],
      };
    if (days <= (opts.expiryWarnDays ?? 7)) {
      const others = warnings.filter((w) => !w.startsWith('the key expires'));
      return {
        ...base,
        status: 'expiring',
        warnings: [`the key expires in ${days.toFixed(1)} days (${when}); renew it`, ...others],
      };
    }
  }
  if (!a.canTrade) return { ...base, status: 'read-only', warnings };
  return { ...base, status: warnings.length > 0 ? 'warn' : 'ok', warnings };
}

/**
 * Whether a change of health is news for a notification: the key started being refused, or it is expiring
 * and a new day of the countdown began (one notice a day from 7 days before). `lastDay` is the countdown
 * day already announced for this account, if any.
 */
export function keyNotice(
  prev: KeyHealth | null,
  next: KeyHealth,
  now: number,
  lastDay: number | null,
): { status: 'expiring' | 'refused'; message: string; day: number | null } | null {
  if (next.status === 'refused' && prev?.status !== 'refused')
    return { status: 'refused', message: next.warnings[0]!, day: null };
  if (next.status === 'expiring' && next.expiresAt !== null) {
    const day = Math.ceil((next.expiresAt - now) / DAY);
    if (day !== lastDay) return { status: 'expiring', message: next.warnings[0]!, day };
  }
  return null;
}
