import type { AccountFreshness, AccountHealth } from '@tierwatch/shared';

/** What the companion knows about one account's data sources, gathered for `accountFreshness`. */
export interface FreshnessInput {
  /** The monitor's bookkeeping of its REST reads (and the key's health). */
  health: AccountHealth;
  /** The account's private stream, when the monitor streams it; null when it polls only. */
  stream: { health: 'live' | 'stale' | 'down'; ageMs: number | null } | null;
  /** The exchange stopped calling for this account because it refused the key (until restart). */
  keyRefused: boolean;
  now: number;
  /** Data older than this, with no live stream behind it, is stale (the account fell silent). */
  staleAfterMs: number;
}

export const PROBLEM = {
  unreachable: 'cannot reach the exchange',
  keyRefused: 'the exchange refuses the API key',
  rateLimited: 'the exchange is limiting requests',
  unavailable: 'the exchange is unavailable (maintenance or overload)',
  error: 'the exchange answered with an error',
  // No age in the words: they are sent when they change, and the popup shows the age from `dataAt`.
  silent: 'no recent data from the exchange',
} as const;

// Checked in order: a refused key or a rate limit can arrive with network-sounding text around it.
const PATTERNS: readonly [RegExp, string][] = [
  [/\b(10003|10004|10005|33004)\b|api.?key|signature|permission denied|unauthori[sz]ed/i, PROBLEM.keyRefused],
  [/\b(10006|10018|429)\b|too many (visits|requests)|rate.?limit/i, PROBLEM.rateLimited],
  [
    /fetch failed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|timed? ?out|socket hang up|network/i,
    PROBLEM.unreachable,
  ],
  [/\b50[234]\b|unavailable|maintenance|overload/i, PROBLEM.unavailable],
];

/**
 * A failed read's raw text (ccxt's message: a URL, HTTP status text, Bybit's retMsg) in words a trader
 * reads. The raw text stays in the log and in the stats' `lastError`; the popup shows only this.
 */
export function problemInWords(rawError: string): string {
  for (const [pattern, words] of PATTERNS) if (pattern.test(rawError)) return words;
  return PROBLEM.error;
}

/**
 * One account's freshness as the popup shows it (see AccountFreshness): `down` before any data, `stale`
 * while its reads fail, its key is refused, or it has been silent past `staleAfterMs` with no live stream
 * behind it; `live` otherwise. `dataAt` is its newest good data: the later of the last REST read and the
 * private stream's last frame (a live stream would have pushed any change).
 */
export function accountFreshness(input: FreshnessInput): AccountFreshness {
  const { health, stream, now } = input;
  // A stale or down stream still says how old the account's data is: as old as its last frame (a stream
  // that fell silent 8 s ago leaves data 8 s old, not as old as the last REST reconcile a minute ago).
  const streamAt =
    stream === null ? null : stream.ageMs !== null ? now - stream.ageMs : stream.health === 'live' ? now : null;
  const streamLive = stream?.health === 'live';
  const dataAt =
    health.lastReadAt === null && streamAt === null ? null : Math.max(health.lastReadAt ?? 0, streamAt ?? 0);
  const failing = health.consecutiveFailures > 0 && health.lastError !== null;
  const refused = input.keyRefused || health.key?.status === 'refused';
  const problem = refused ? PROBLEM.keyRefused : failing ? problemInWords(health.lastError as string) : null;
  const base = { account: health.account, dataAt };
  if (dataAt === null) return { ...base, status: 'down', problem };
  if (problem !== null) return { ...base, status: 'stale', problem };
  // Without a live stream only REST vouches for the account: silent past the cadence is stale, whatever
  // the stream's last frame said before it fell silent.
  if (!streamLive && now - (health.lastReadAt ?? Number.NEGATIVE_INFINITY) > input.staleAfterMs)
    return { ...base, status: 'stale', problem: PROBLEM.silent };
  return { ...base, status: 'live', problem: null };
}
