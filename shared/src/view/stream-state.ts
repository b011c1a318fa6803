import type { Account } from '../account.ts';
import type { AccountFreshness, CloseReason } from '../events.ts';
import type { ExecuteResult, ProtocolError } from '../execute.ts';
import type { GuardMode, MonitorStats } from '../monitor.ts';
import { emptyTierCounts, type TierCounts } from '../tier.ts';
import type { TieredPosition } from '../trading.ts';
import type { AlertEntry } from './alert-list.ts';
import type { PositionRef } from './keys.ts';

/**
 * What the stream reducer (stream.ts) builds and returns, apart from it so that the snapshot side
 * (stream.ts) and the event side (stream-event.ts) share one definition without importing each other.
 */

export interface StreamState {
  /** Every event up to this seq is reflected. */
  seq: number;
  /** Server time of the newest snapshot or event applied. */
  at: number;
  /** Server time of the snapshot this state was built from (distances are as fresh as this or newer). */
  snapshotAt: number;
  serverVersion: string | null;
  /** The companion run this state's seq belongs to (seq restarts with every run). */
  instance: string | null;
  accounts: Account[];
  positions: Record<string, TieredPosition>;
  tierCounts: TierCounts;
  stats: MonitorStats | null;
  guardMode: GuardMode;
  /** Newest first: one entry per family and group, hits capped apart from the rest (see addAlert). */
  alerts: AlertEntry[];
  lastExecution: ExecuteResult | null;
  /** Per account: how fresh its data is (from the snapshot, then every positions-updated that changed it). */
  freshness: Record<string, AccountFreshness>;
  /** Set when the client asked for a fresh snapshot: events are ignored until it arrives. */
  awaitingSnapshot: boolean;
}

/**
 * What happened that a person may need to hear about (the notification policy decides). `key` is the
 * leg, `family` its family (main leg's key): notifications are per family.
 */
export type Notice =
  | { kind: 'critical'; key: string; family: string; ref: PositionRef; at: number; reason: 'near-tp' | 'near-sl' }
  | { kind: 'critical-cleared'; key: string; family: string; ref: PositionRef; at: number }
  | {
      kind: 'sl-hit' | 'tp-hit';
      key: string;
      family: string;
      ref: PositionRef;
      at: number;
      price: number;
      level: number;
    }
  /** The leg is gone (closed, or missing from a fresh snapshot: reason null). */
  | { kind: 'closed'; key: string; family: string; ref: PositionRef; at: number; reason: CloseReason | null }
  /** An account's key is expiring or now refused by the exchange (key `key:<account>`). */
  | { kind: 'key-health'; key: string; at: number; account: string; status: 'expiring' | 'refused'; message: string };

/** resume: reconnect with lastSeq = state.seq; fresh: reconnect without it (a new snapshot). */
export type Resync = 'resume' | 'fresh' | null;

export interface Step {
  state: StreamState | null;
  notices: Notice[];
  resync: Resync;
  error: ProtocolError | null;
}

export const step = (state: StreamState | null, extra: Partial<Omit<Step, 'state'>> = {}): Step => ({
  state,
  notices: extra.notices ?? [],
  resync: extra.resync ?? null,
  error: extra.error ?? null,
});

export function countTiers(positions: Record<string, TieredPosition>): TierCounts {
  const counts = emptyTierCounts();
  for (const p of Object.values(positions)) counts[p.tier] += 1;
  return counts;
}
