import type { AccountFreshness } from '@tierwatch/shared';
import type { ConnectionStatus } from './connection.ts';

/**
 * How fresh the glance is, in words a trader reads. Live needs both: the socket to the companion is up,
 * and every account's exchange data is (the companion's AccountFreshness). During an exchange outage the
 * socket stays open while an account's reads fail: that is "Delayed", with the age of what is shown, not
 * a green "Live".
 */

export type Freshness = Record<string, AccountFreshness>;

/** 800 → "0 s", 42_000 → "42 s", 190_000 → "3 min", 2 h → "2 h". */
export function formatSeconds(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h`;
}

/** An account's data age, or null when it is live (or unknown: an older companion says nothing). */
export function accountDelay(f: AccountFreshness | undefined, now: number): string | null {
  if (!f || f.status === 'live') return null;
  return f.dataAt === null ? 'no data yet' : formatSeconds(now - f.dataAt);
}

/** A row's mark when its account's data is not live: "stale 42 s" (null while live). */
export function staleMark(account: string, freshness: Freshness, now: number): string | null {
  const f = freshness[account];
  const delay = accountDelay(f, now);
  if (delay === null) return null;
  return f?.dataAt === null ? 'stale: no data yet' : `stale ${delay}`;
}

export interface LiveLine {
  live: boolean;
  /** The header's words: "Live", "Delayed: main 12 s", "Reconnecting…". */
  label: string;
  tone: 'live' | 'delayed' | 'down';
}

const SOCKET_WORDS: Record<Exclude<ConnectionStatus['state'], 'open'>, string> = {
  connecting: 'Reconnecting…',
  disconnected: 'Disconnected',
  unpaired: 'Not paired',
  unconfigured: 'Not paired',
};

/** The header's line. Accounts past the first two are counted, not named (the line must stay one line). */
export function liveLine(socket: ConnectionStatus['state'], freshness: Freshness, now: number): LiveLine {
  if (socket !== 'open') return { live: false, label: SOCKET_WORDS[socket], tone: 'down' };
  const delayed = Object.values(freshness)
    .filter((f) => f.status !== 'live')
    .sort((a, b) => (a.dataAt ?? 0) - (b.dataAt ?? 0));
  if (delayed.length === 0) return { live: true, label: 'Live', tone: 'live' };
  const named = delayed.slice(0, 2).map((f) => `${f.account} ${accountDelay(f, now)}`);
  const more = delayed.length > 2 ? ` +${delayed.length - 2} more` : '';
  return { live: false, label: `Delayed: ${named.join(', ')}${more}`, tone: 'delayed' };
}

export interface AccountProblem {
  account: string;
  severity: 'critical' | 'warning';
  message: string;
}

/**
 * Accounts whose data is not live, said plainly: the companion's words for what is wrong, and how old the
 * rows are. Never the raw error (a URL and HTTP text): that is in Diagnostics.
 */
export function accountProblems(freshness: Freshness, now: number): AccountProblem[] {
  return Object.values(freshness)
    .filter((f) => f.status !== 'live')
    .map((f) => {
      const why = f.problem ?? (f.status === 'down' ? 'no data from the exchange' : 'data not updating');
      const age = f.dataAt === null ? 'nothing shown yet' : `rows ${formatSeconds(now - f.dataAt)} old`;
      return {
        account: f.account,
        severity: f.status === 'down' ? ('critical' as const) : ('warning' as const),
        message: `${f.account}: ${why} — ${age}`,
      };
    });
}
