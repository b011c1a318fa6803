import type { ServerMessage } from '../events.ts';
import type { TieredPosition } from '../trading.ts';
import { type AlertEntry, addAlert, alertFamily } from './alert-list.ts';
import { readFiguresRow } from './figures.ts';
import { familyKey, type PositionRef, positionKey, refOf } from './keys.ts';
import { applyEvent } from './stream-event.ts';
import { countTiers, type Notice, type Step, type StreamState, step } from './stream-state.ts';

export { type AlertEntry, addAlert, MAX_ALERTS } from './alert-list.ts';
export { countTiers, type Notice, type Resync, type Step, type StreamState } from './stream-state.ts';

/**
 * The event stream as a pure reducer: snapshot + events in seq order → the state the popup, the badge
 * and the notifications read. It never does I/O; it says when the socket must resync.
 */

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
