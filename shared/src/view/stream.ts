import type { Account } from '../account.ts';
import { alertOf } from '../alert-text.ts';
import type { AccountFreshness, CloseReason, ServerMessage, StreamEvent } from '../events.ts';
import type { ExecuteResult, ProtocolError } from '../execute.ts';
import type { GuardMode, MonitorStats } from '../monitor.ts';
import { emptyTierCounts, type TierCounts } from '../tier.ts';
import type { TieredPosition } from '../trading.ts';
import { type AlertEntry, addAlert, alertFamily } from './alert-list.ts';
import { readFiguresRow } from './figures.ts';
import { familyKey, type PositionRef, positionKey, refOf } from './keys.ts';

export { type AlertEntry, addAlert, MAX_ALERTS } from './alert-list.ts';

/**
 * The event stream as a pure reducer: snapshot + events in seq order → the state the popup, the badge
 * and the notifications read. It never does I/O; it says when the socket must resync.
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

const step = (state: StreamState | null, extra: Partial<Omit<Step, 'state'>> = {}): Step => ({
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

/** The client asked for a new snapshot (fresh reconnect): keep showing the old state until it comes. */
export const markAwaitingSnapshot = (state: StreamState | null): StreamState | null =>
  state && { ...state, awaitingSnapshot: true };

/** The seq to resume from, or null when only a fresh snapshot will do. */
export const resumeSeq = (state: StreamState | null): number | null =>
  state && !state.awaitingSnapshot ? state.seq : null;

export function reduce(state: StreamState | null, msg: ServerMessage): Step {
  switch (msg.type) {
    case 'hello':
      // Another run of the companion (it restarted), or fewer events than we have seen: our seq means
      // nothing to it, and whatever follows this hello must not be applied on top of our state.
      if (state && !state.awaitingSnapshot && (msg.instance !== state.instance || msg.lastSeq < state.seq)) {
        return step({ ...state, serverVersion: msg.serverVersion, awaitingSnapshot: true }, { resync: 'fresh' });
      }
      return step(state && { ...state, serverVersion: msg.serverVersion });
    case 'snapshot':
      return applySnapshot(state, msg);
    case 'error':
      return step(state, { error: { code: msg.code, message: msg.message } });
    case 'positions-updated':
      return applyView(state, msg);
    default:
      return applyEvent(state, msg);
  }
}

function applySnapshot(prev: StreamState | null, snap: Extract<ServerMessage, { type: 'snapshot' }>): Step {
  const positions: Record<string, TieredPosition> = {};
  for (const p of snap.positions) positions[positionKey(p)] = p;
  const state: StreamState = {
    seq: snap.seq,
    at: snap.at,
    snapshotAt: snap.at,
    serverVersion: prev?.serverVersion ?? null,
    instance: snap.instance,
    accounts: snap.accounts,
    positions,
    tierCounts: countTiers(positions),
    stats: snap.stats,
    guardMode: snap.guardMode,
    alerts: [...snap.alerts]
      .sort((a, b) => a.seq - b.seq)
      .reduce<AlertEntry[]>((list, a) => addAlert(list, a, alertFamily(a, snap.accounts)), []),
    lastExecution: prev?.lastExecution ?? null,
    freshness: Object.fromEntries((snap.freshness ?? []).map((f) => [f.account, f])),
    awaitingSnapshot: false,
  };
  // A resnapshot after a gap may hide transitions we never got as events: diff the tiers. The very first
  // snapshot announces nothing (the badge shows the count; a burst on startup helps no one).
  const notices: Notice[] = [];
  if (prev) {
    const fam = (p: PositionRef) => familyKey(p, snap.accounts);
    for (const [key, p] of Object.entries(positions)) {
      const before = prev.positions[key]?.tier;
      if (p.tier === 'CRITICAL' && before !== 'CRITICAL') {
        notices.push({ kind: 'critical', key, family: fam(p), ref: refOf(p), at: snap.at, reason: reasonOf(p) });
      }
    }
    for (const [key, p] of Object.entries(prev.positions)) {
      if (!positions[key]) {
        notices.push({ kind: 'closed', key, family: fam(p), ref: refOf(p), at: snap.at, reason: null });
      } else if (p.tier === 'CRITICAL' && positions[key]?.tier !== 'CRITICAL') {
        notices.push({ kind: 'critical-cleared', key, family: fam(p), ref: refOf(p), at: snap.at });
      }
    }
  }
  return step(state, { notices });
}

/**
 * The served view as it changed (not a sequenced event, see PositionsUpdated): taken when it reflects
 * exactly the events this state has; one from ahead of us means we missed an event (resume); an older one
 * is superseded by what followed it.
 */
function applyView(state: StreamState | null, view: Extract<ServerMessage, { type: 'positions-updated' }>): Step {
  if (!state || state.awaitingSnapshot || view.seq < state.seq) return step(state);
  if (view.seq > state.seq) return step(state, { resync: 'resume' });
  const positions = { ...state.positions };
  for (const p of view.positions) positions[positionKey(p)] = p;
  for (const row of view.figures) {
    const { key, figures } = readFiguresRow(row);
    const known = positions[key];
    if (known) positions[key] = { ...known, ...figures };
  }
  for (const r of view.removed) delete positions[positionKey(r)];
  const freshness = { ...state.freshness };
  for (const f of view.accounts) freshness[f.account] = f;
  const at = Math.max(state.at, view.at);
  return step({ ...state, at, positions, tierCounts: countTiers(positions), freshness });
}

/** Which level a CRITICAL position is nearest (as the companion's criticalReason). */
const reasonOf = (p: TieredPosition): 'near-tp' | 'near-sl' =>
  (p.distanceToTpPct ?? Number.POSITIVE_INFINITY) < (p.distanceToSlPct ?? Number.POSITIVE_INFINITY)
    ? 'near-tp'
    : 'near-sl';

function applyEvent(state: StreamState | null, ev: StreamEvent): Step {
  // Before the first snapshot (or while waiting for a fresh one) events have nothing to apply to.
  if (!state || state.awaitingSnapshot) return step(state);
  if (ev.seq <= state.seq) return step(state); // duplicate or replayed: already reflected
  if (ev.seq > state.seq + 1) return step(state, { resync: 'resume' }); // gap: do not apply out of order

  const next: StreamState = { ...state, seq: ev.seq, at: ev.at };
  const notices: Notice[] = [];
  const fam = (p: PositionRef) => familyKey(p, state.accounts);
  // The alert list: the same wording as the companion's log (shared), one entry per family and group.
  const alert = alertOf(ev);
  if (alert) next.alerts = addAlert(state.alerts, alert, alertFamily(alert, state.accounts));
  const setPositions = (positions: Record<string, TieredPosition>) => {
    next.positions = positions;
    next.tierCounts = countTiers(positions);
  };

  switch (ev.type) {
    case 'tier-changed': {
      const key = positionKey(ev);
      const known = state.positions[key];
      if (known && known.tier !== ev.to) setPositions({ ...state.positions, [key]: { ...known, tier: ev.to } });
      // Entering CRITICAL is announced by the `critical` event that follows (it carries the reason).
      if (ev.from === 'CRITICAL' && ev.to !== 'CRITICAL') {
        notices.push({ kind: 'critical-cleared', key, family: fam(ev), ref: refOf(ev), at: ev.at });
      }
      break;
    }
    case 'critical': {
      const key = positionKey(ev.position);
      setPositions({ ...state.positions, [key]: ev.position });
      const ref = refOf(ev.position);
      notices.push({ kind: 'critical', key, family: fam(ref), ref, at: ev.at, reason: ev.reason });
      break;
    }
    case 'liquidation-before-sl': {
      // Its alert is alertOf's (above); the row takes the position with its new flag.
      const key = positionKey(ev.position);
      setPositions({ ...state.positions, [key]: ev.position });
      break;
    }
    case 'tp-hit':
    case 'sl-hit': {
      const key = positionKey(ev);
      const n = { key, family: fam(ev), ref: refOf(ev), at: ev.at, price: ev.price, level: ev.level };
      notices.push({ kind: ev.type, ...n });
      break;
    }
    case 'position-closed': {
      const key = positionKey(ev);
      if (state.positions[key]) {
        const { [key]: _closed, ...rest } = state.positions;
        setPositions(rest);
      }
      notices.push({ kind: 'closed', key, family: fam(ev), ref: refOf(ev), at: ev.at, reason: ev.reason });
      break;
    }
    case 'position-resized': {
      const key = positionKey(ev);
      const known = state.positions[key];
      if (known) setPositions({ ...state.positions, [key]: { ...known, size: ev.toSize } });
      break;
    }
    case 'missing-sl':
    case 'mirror-drift':
      break;
    case 'execution-started':
      break;
    case 'execution-finished':
      next.lastExecution = ev.result;
      break;
    case 'execution-updated':
      // Fills read back after the answer: the same execution, now with quantities and prices.
      if (next.lastExecution?.executionId === ev.result.executionId) next.lastExecution = ev.result;
      break;
    case 'guard-mode':
      next.guardMode = ev.mode;
      break;
    case 'key-health':
      notices.push({
        kind: 'key-health',
        key: `key:${ev.account}`,
        at: ev.at,
        account: ev.account,
        status: ev.status,
        message: ev.message,
      });
      break;
    case 'stats':
      next.stats = ev.stats;
      next.guardMode = ev.stats.guardMode;
      break;
  }
  return step(next, { notices });
}
