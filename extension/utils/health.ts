import type { MonitorStats } from '@tierwatch/shared';
import { formatAge } from './display.ts';

export interface HealthWarning {
  account: string;
  /** critical: no good read yet, or reads failing for a while; warning: the last read or two failed. */
  severity: 'critical' | 'warning';
  message: string;
}

/**
 * Accounts whose reads are failing, said plainly: their positions (and tiers) are as old as the last good
 * read, which is exactly what a trader must know before trusting the glance. Accounts in `covered` (the
 * companion sends their freshness, in words: freshness.ts) are left to that; the raw error (a URL and HTTP
 * text) is never said here, only in Diagnostics.
 */
export function healthWarnings(
  stats: MonitorStats | null,
  now: number,
  covered: ReadonlySet<string> = new Set(),
): HealthWarning[] {
  if (!stats) return [];
  const out: HealthWarning[] = [];
  for (const a of stats.accounts) {
    if (a.key && a.key.status !== 'ok' && a.key.warnings.length > 0) {
      out.push({
        account: a.account,
        severity: a.key.status === 'refused' ? 'critical' : 'warning',
        message: `${a.account}: ${a.key.warnings.join('; ')}`,
      });
    }
    if (a.consecutiveFailures === 0 || covered.has(a.account)) continue;
    const since = a.lastReadAt === null ? 'never read' : `last good read ${formatAge(Math.max(0, now - a.lastReadAt))}`;
    out.push({
      account: a.account,
      severity: a.lastReadAt === null || a.consecutiveFailures >= 3 ? 'critical' : 'warning',
      message: `${a.account}: ${a.consecutiveFailures} failed read${a.consecutiveFailures === 1 ? '' : 's'}, ${since}`,
    });
  }
  if (stats.subscriberErrors > 0) {
    out.push({
      account: '',
      severity: 'warning',
      message: `${stats.subscriberErrors} event subscriber error${stats.subscriberErrors === 1 ? '' : 's'} in the companion (see its log)`,
    });
  }
  return out;
}
