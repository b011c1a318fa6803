import type { Tier } from '@tierwatch/shared';
import type { Lane } from '../exchange/types.ts';
import { type AccountLoad, type Load, moreUrgent } from './budget.ts';
import { type EffectiveIntervals, slackFor, tierLane } from './profiles.ts';

/**
 * Scheduling decisions, pure: given every position's tier and when it was last checked, and every
 * account's last reads, say what this tick fetches and when the next thing falls due.
 *
 * - Prices ride on ONE ticker call per tick, made when any position's tier interval has run out; it asks
 *   for the due symbols ('due') or every held symbol ('held': same one call, every price seen).
 * - An account's positions are read (all pages, one bulk call) when its most urgent tier's interval has
 *   run out, but never more often than stateRefreshMinMs and never less often than discoveryMs; or at
 *   once when a confirm was requested (a TP/SL crossing seen on a ticker, a mirror to verify).
 * - Scheduled account reads are spread out: at most one starts per tick, and no sooner than the shortest
 *   account interval divided by the number of accounts after the previous one. Each read is a burst of page
 *   parsing on the event loop; ten accounts falling due together would land it all at once and delay the
 *   CRITICAL price checks behind it. First reads (discovery at start) and confirms are never held back.
 * - Open orders are read for accounts holding BUILDING positions at the BUILDING interval, and for every
 *   account at discoveryMs (a position only becomes BUILDING once its entry orders have been seen).
 * - In critical-only mode, only CRITICAL positions fall due and only confirms and accounts holding a
 *   CRITICAL position are read; the ticker call still carries every held symbol under 'held', at no
 *   extra cost, so a price crossing an SL anywhere is still seen.
 */

export interface SchedEntry {
  account: string;
  symbol: string;
  tier: Tier;
  /** Start of the last request whose answer carried this position's price (ticker or position page). */
  priceReqAt: number;
}

export interface SchedAccount {
  name: string;
  /** Start of the last position read; -Infinity before the first. */
  stateReqAt: number;
  ordersReqAt: number;
  stateInFlight: boolean;
  ordersInFlight: boolean;
  confirm: boolean;
}

export type Mode = 'normal' | 'critical-only';

export interface PlanInput {
  now: number;
  mode: Mode;
  slackMs: number;
  /** A confirm read of one account waits this long after its previous read (crossings in a row share one). */
  confirmMinGapMs: number;
  tickerScope: 'held' | 'due';
  intervals: EffectiveIntervals;
  entries: Iterable<SchedEntry>;
  accounts: readonly SchedAccount[];
}

export interface Plan {
  /**
   * `pacedAt`: the request time to record for its prices. A check that starts late (a busy event loop)
   * keeps the next one on its slot, as rate-budget.ts paces its sends: the earliest due time among the due
   * positions, at most a quarter of their interval before now; now for a position never checked.
   * Counting from the late start instead would push every later check back by each lateness in turn.
   */
  ticker: { symbols: string[]; lane: Lane; dueTier: Tier; pacedAt: number } | null;
  stateReads: { account: string; lane: Lane }[];
  orderReads: { account: string; lane: Lane }[];
  /** Earliest time something not planned now falls due; Infinity when nothing will. */
  nextDueAt: number;
}

/** Per-account and overall most urgent tier, and BUILDING presence: the budget check's input too. */
export function summarize(
  entries: Iterable<SchedEntry>,
  accounts: readonly string[],
): Load & { byAccount: Map<string, AccountLoad> } {
  const byAccount = new Map<string, AccountLoad>(
    accounts.map((a) => [a, { positions: 0, mostUrgent: null, hasBuilding: false }]),
  );
  let mostUrgent: Tier | null = null;
  for (const e of entries) {
    const a = byAccount.get(e.account) ?? { positions: 0, mostUrgent: null, hasBuilding: false };
    byAccount.set(e.account, a);
    a.positions++;
    a.mostUrgent = moreUrgent(a.mostUrgent, e.tier);
    if (e.tier === 'BUILDING') a.hasBuilding = true;
    mostUrgent = moreUrgent(mostUrgent, e.tier);
  }
  return { accounts: [...byAccount.values()], mostUrgent, byAccount };
}

export function planTick(input: PlanInput, byAccount: Map<string, AccountLoad>): Plan {
  const { now, intervals, mode } = input;
  const slack = (ms: number) => slackFor(ms, input.slackMs);
  let nextDueAt = Infinity;
  const held = new Set<string>();
  const dueSymbols = new Set<string>();
  let dueTier: Tier | null = null;
  let firstDue = Infinity;

  for (const e of input.entries) {
    held.add(e.symbol);
    if (mode === 'critical-only' && e.tier !== 'CRITICAL') continue;
    const ms = intervals.tiers[e.tier];
    const due = e.priceReqAt + ms - slack(ms);
    if (due <= now) {
      dueSymbols.add(e.symbol);
      dueTier = moreUrgent(dueTier, e.tier);
      firstDue = Math.min(firstDue, due);
    } else if (due < nextDueAt) nextDueAt = due;
  }

  const stateReads: Plan['stateReads'] = [];
  const orderReads: Plan['orderReads'] = [];
  const stateMs = (top: Tier | null) =>
    Math.min(intervals.discoveryMs, top ? Math.max(intervals.stateRefreshMinMs, intervals.tiers[top]) : Infinity);
  let lastStateStart = -Infinity;
  let shortest = Infinity;
  for (const a of input.accounts) {
    lastStateStart = Math.max(lastStateStart, a.stateReqAt);
    shortest = Math.min(shortest, stateMs(byAccount.get(a.name)?.mostUrgent ?? null));
  }
  const spreadMs = input.accounts.length > 1 ? shortest / input.accounts.length : 0;
  let waiting: { account: string; lane: Lane; due: number } | null = null;
  for (const a of input.accounts) {
    const load = byAccount.get(a.name);
    const top = load?.mostUrgent ?? null;
    if (!a.stateInFlight) {
      const ms = stateMs(top);
      const due = a.stateReqAt + ms - slack(ms);
      const allowed = mode === 'normal' || top === 'CRITICAL';
      const lane: Lane = top ? tierLane(top) : 'dormant';
      if (a.confirm) {
        // The TP/SL event already went out from the ticker; the read only confirms the close, so a burst
        // of crossings in one account shares a read instead of re-reading every page at every tick.
        const confirmAt = a.stateReqAt + input.confirmMinGapMs;
        if (confirmAt <= now) stateReads.push({ account: a.name, lane: 'critical' });
        else if (confirmAt < nextDueAt) nextDueAt = confirmAt;
      } else if (allowed && due <= now && a.stateReqAt === -Infinity) stateReads.push({ account: a.name, lane });
      else if (allowed && due <= now) {
        if (!waiting || due < waiting.due) waiting = { account: a.name, lane, due };
      } else if (allowed && due < nextDueAt) nextDueAt = due;
    }
    if (!a.ordersInFlight && mode === 'normal') {
      const ms = load?.hasBuilding ? Math.min(intervals.discoveryMs, intervals.tiers.BUILDING) : intervals.discoveryMs;
      const due = a.ordersReqAt + ms - slack(ms);
      if (due <= now) orderReads.push({ account: a.name, lane: load?.hasBuilding ? 'building' : 'dormant' });
      else if (due < nextDueAt) nextDueAt = due;
    }
  }
  if (waiting) {
    // The most overdue account goes first; the others wait their turn (one spread later, or the next tick).
    const free = lastStateStart + spreadMs;
    if (free <= now) stateReads.push({ account: waiting.account, lane: waiting.lane });
    nextDueAt = Math.min(nextDueAt, Math.max(free, now + 1));
  }

  const ticker =
    dueTier === null
      ? null
      : {
          symbols: [...(input.tickerScope === 'held' ? held : dueSymbols)].sort(),
          lane: tierLane(dueTier),
          dueTier,
          pacedAt: Number.isFinite(firstDue) ? Math.max(firstDue, now - intervals.tiers[dueTier] / 4) : now,
        };
  return { ticker, stateReads, orderReads, nextDueAt };
}
