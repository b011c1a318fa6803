/**
 * How the socket to the companion (connection.ts) keeps alive and retries: its timings, the backoff
 * between attempts, and what the HTTP probe after a failed attempt says about it.
 */

export interface ConnectionOptions {
  pingEveryMs: number;
  /** No message for this long means the socket is dead even if it looks open. */
  silenceMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** A `resume` sent on the open socket that has not moved the seq by then is given up: reconnect instead. */
  resumeTimeoutMs: number;
}

export const DEFAULT_CONNECTION_OPTIONS: ConnectionOptions = {
  // Chrome suspends an idle MV3 worker after 30 s; socket traffic inside that window keeps it alive.
  pingEveryMs: 20_000,
  silenceMs: 50_000,
  backoffBaseMs: 500,
  backoffCapMs: 30_000,
  // The hub replays from its ring in the same turn it reads the frame: seconds mean it never will.
  resumeTimeoutMs: 5_000,
};

/** Equal-jitter exponential backoff: half fixed, half random, so many clients never retry in step. */
export function backoffMs(attempt: number, random: number, base = 500, cap = 30_000): number {
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}

/** What the connection reads of the probe after a failed socket (api.ts's ProbeResult is one). */
export type ProbeAnswer = { state: 'ok' | 'down' | 'unpaired' | 'error'; message?: string };

/** What the status should now say; null when the probe found nothing worth saying (it keeps its close reason). */
export function probeFinding(r: ProbeAnswer): { unpaired: boolean; detail: string } | null {
  if (r.state === 'unpaired') return { unpaired: true, detail: r.message ?? 'Token refused' };
  if (r.state === 'down') return { unpaired: false, detail: r.message ?? 'The companion is not running' };
  return r.message ? { unpaired: false, detail: r.message } : null;
}
