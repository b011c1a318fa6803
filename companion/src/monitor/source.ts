import type { StreamHealth } from '../exchange/types.ts';
import type { AccountLoad } from './budget.ts';
import { type Plan, type PlanInput, planTick } from './scheduler.ts';

/**
 * Where one stream's data comes from, pure: the public ticker stream and each account's private stream
 * are each 'stream' (pushes feed the book; REST only reconciles) or 'poll' (today's polling cadences for
 * what that stream served). A stream that is not live goes to poll at the first check that sees it; it
 * comes back only after being live for `recoverMs` without a break, so a flapping socket does not make the
 * monitor flap with it. Everything starts on poll: nothing is trusted before the stream has proven live.
 */

export type Source = 'stream' | 'poll';

export interface SourceState {
  source: Source;
  /** When the current source began. */
  since: number;
  /** Start of the current unbroken live run while polling; null when not live. */
  liveSince: number | null;
}

export interface Switch {
  from: Source;
  to: Source;
  /** 'stale' or 'down' when leaving the stream; 'live' when coming back. */
  reason: StreamHealth;
}

export const initialSource = (now: number): SourceState => ({ source: 'poll', since: now, liveSince: null });

export function stepSource(
  s: SourceState,
  health: StreamHealth,
  now: number,
  recoverMs: number,
): { state: SourceState; switched: Switch | null } {
  if (s.source === 'stream') {
    if (health === 'live') return { state: s, switched: null };
    return {
      state: { source: 'poll', since: now, liveSince: null },
      switched: { from: 'stream', to: 'poll', reason: health },
    };
  }
  if (health !== 'live') return { state: s.liveSince === null ? s : { ...s, liveSince: null }, switched: null };
  const liveSince = s.liveSince ?? now;
  if (now - liveSince >= recoverMs) {
    return {
      state: { source: 'stream', since: now, liveSince: null },
      switched: { from: 'poll', to: 'stream', reason: 'live' },
    };
  }
  return { state: s.liveSince === liveSince ? s : { ...s, liveSince }, switched: null };
}

/** Several connections serve one source (the public set): it is as healthy as its worst connection. */
export function worstHealth(hs: readonly StreamHealth[]): StreamHealth {
  if (hs.length === 0 || hs.includes('down')) return 'down';
  return hs.includes('stale') ? 'stale' : 'live';
}

/**
 * The tick's plan while streams serve, pure: polled accounts (and the ticker, when the public stream is
 * polled) exactly as today; streamed accounts only reconciled, at `reconcileMs` (their tiers no longer set
 * their read cadence: pushes bring their changes). Confirms still go at once: TP/SL handling never waits.
 * In critical-only mode a streamed account is not reconciled at all (its tier counts as none).
 *
 * Polling the public stream's symbols starts with a read at once: a price heard from the stream before
 * `publicPolledSince` (the switch to poll) does not put off the first poll by an interval. The stream was
 * silent for up to its stale time before the switch, so its last prices are that old already; counting
 * from them, the first poll would land more than one CRITICAL interval after the last price heard.
 */
export function planWithStreams(
  input: PlanInput,
  byAccount: Map<string, AccountLoad>,
  o: { publicStreaming: boolean; publicPolledSince?: number; streaming: ReadonlySet<string>; reconcileMs: number },
): Plan {
  const polled = input.accounts.filter((a) => !o.streaming.has(a.name));
  const streamed = input.accounts.filter((a) => o.streaming.has(a.name));
  const since = o.publicPolledSince ?? Number.NEGATIVE_INFINITY;
  const entries = o.publicStreaming
    ? []
    : [...input.entries].map((e) => (e.priceReqAt < since ? { ...e, priceReqAt: Number.NEGATIVE_INFINITY } : e));
  const base = planTick({ ...input, entries, accounts: polled }, byAccount);
  if (streamed.length === 0) return base;
  const quiet = new Map<string, AccountLoad>(
    streamed.map((a) => [
      a.name,
      { positions: byAccount.get(a.name)?.positions ?? 0, mostUrgent: null, hasBuilding: false },
    ]),
  );
  const rec = planTick(
    {
      ...input,
      entries: [],
      accounts: streamed,
      intervals: { ...input.intervals, discoveryMs: o.reconcileMs },
    },
    quiet,
  );
  return {
    ticker: base.ticker,
    stateReads: [...base.stateReads, ...rec.stateReads],
    orderReads: [...base.orderReads, ...rec.orderReads],
    nextDueAt: Math.min(base.nextDueAt, rec.nextDueAt),
  };
}
