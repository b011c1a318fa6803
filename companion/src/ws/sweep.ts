import type { Clock } from '../core/clock.ts';

/**
 * The keepalive and stall sweep: every `pingIntervalMs` each socket is either pinged or given up on.
 * The verdict is pure (table-tested); the loop awaits, then sleeps, so sweeps never overlap.
 */

export interface SweepLimits {
  /** Nothing heard (no frame, no pong) for this long: the peer is gone. */
  idleTimeoutMs: number;
  /** Lagging (not draining its backlog) for this long: the socket is stalled. */
  stallTimeoutMs: number;
}

export interface SocketLiveness {
  lastSeenAt: number;
  lagging: boolean;
  lagSince: number;
}

export type SweepVerdict = 'idle' | 'stalled' | 'alive';

/** Idle wins over stalled: a peer we have not heard from is gone whether or not it also lags. */
export function sweepVerdict(sub: SocketLiveness, now: number, limits: SweepLimits): SweepVerdict {
  if (now - sub.lastSeenAt > limits.idleTimeoutMs) return 'idle';
  if (sub.lagging && now - sub.lagSince > limits.stallTimeoutMs) return 'stalled';
  return 'alive';
}

/** Runs `sweep` every `intervalMs` until stopped; `stop` resolves once the loop has ended. */
export function startSweeping(clock: Clock, intervalMs: number, sweep: () => void): { stop(): Promise<void> } {
  const stop = new AbortController();
  const loop = (async () => {
    while (!stop.signal.aborted) {
      try {
        await clock.sleep(intervalMs, stop.signal);
      } catch {
        return;
      }
      sweep();
    }
  })();
  return {
    async stop() {
      stop.abort();
      await loop;
    },
  };
}
