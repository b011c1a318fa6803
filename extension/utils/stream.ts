import {
  type Account,
  type Alert,
  criticalSuffix,
  type ExecuteResult,
  emptyTierCounts,
  type GuardMode,
  liquidationBeforeSlMessage,
  type MonitorStats,
  type ProtocolError,
  type ServerMessage,
  type StreamEvent,
  type TierCounts,
  type TieredPosition,
} from '@tierwatch/shared';
import { type PositionRef, positionKey } from './keys.ts';

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
  /** Newest first, capped. */
  alerts: Alert[];
  lastExecution: ExecuteResult | null;
  /** Set when the client asked for a fresh snapshot: events are ignored until it arrives. */
  awaitingSnapshot: boolean;
}

/** What happened that a person may need to hear about (the notification policy decides). */
export type Notice =
  | { kind: 'critical'; key: string; ref: PositionRef; at: number; reason: 'near-tp' | 'near-sl' | null }
  | { kind: 'critical-cleared'; key: string; ref: PositionRef; at: number }
  | { kind: 'sl-hit' | 'tp-hit'; key: string; ref: PositionRef; at: number; price: number; level: number }
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

export const MAX_ALERTS = 50;

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
    alerts: [...snap.alerts].sort((a, b) => b.seq - a.seq).slice(0, MAX_ALERTS),
    lastExecution: prev?.lastExecution ?? null,
    awaitingSnapshot: false,
  };
  // A resnapshot after a gap may hide transitions we never got as events: diff the tiers. The very first
  // snapshot announces nothing (the badge shows the count; a burst on startup helps no one).
  const notices: Notice[] = [];
  if (prev) {
    for (const [key, p] of Object.entries(positions)) {
      const before = prev.positions[key]?.tier;
      if (p.tier === 'CRITICAL' && before !== 'CRITICAL') {
        notices.push({ kind: 'critical', key, ref: refOf(p), at: snap.at, reason: null });
      }
    }
    for (const [key, p] of Object.entries(prev.positions)) {
      if (p.tier === 'CRITICAL' && positions[key]?.tier !== 'CRITICAL') {
        notices.push({ kind: 'critical-cleared', key, ref: refOf(p), at: snap.at });
      }
    }
  }
  return step(state, { notices });
}

const refOf = (p: PositionRef): PositionRef => ({ account: p.account, symbol: p.symbol, side: p.side });

function applyEvent(state: StreamState | null, ev: StreamEvent): Step {
  // Before the first snapshot (or while waiting for a fresh one) events have nothing to apply to.
  if (!state || state.awaitingSnapshot) return step(state);
  if (ev.seq <= state.seq) return step(state); // duplicate or replayed: already reflected
  if (ev.seq > state.seq + 1) return step(state, { resync: 'resume' }); // gap: do not apply out of order

  const next: StreamState = { ...state, seq: ev.seq, at: ev.at };
  const notices: Notice[] = [];
  const alert = (severity: Alert['severity'], kind: string, ref: Partial<PositionRef>, message: string) => {
    const a: Alert = {
      seq: ev.seq,
      at: ev.at,
      severity,
      kind,
      account: ref.account ?? null,
      symbol: ref.symbol ?? null,
      message,
    };
    next.alerts = [a, ...state.alerts].slice(0, MAX_ALERTS);
  };
  const setPositions = (positions: Record<string, TieredPosition>) => {
    next.positions = positions;
    next.tierCounts = countTiers(positions);
  };

  switch (ev.type) {
    case 'tier-changed': {
      const key = positionKey(ev);
      const known = state.positions[key];
      if (known && known.tier !== ev.to) setPositions({ ...state.positions, [key]: { ...known, tier: ev.to } });
      if (ev.to === 'CRITICAL' && ev.from !== 'CRITICAL') {
        notices.push({ kind: 'critical', key, ref: refOf(ev), at: ev.at, reason: null });
      } else if (ev.from === 'CRITICAL' && ev.to !== 'CRITICAL') {
        notices.push({ kind: 'critical-cleared', key, ref: refOf(ev), at: ev.at });
      }
      break;
    }
    case 'critical': {
      const key = positionKey(ev.position);
      setPositions({ ...state.positions, [key]: ev.position });
      notices.push({ kind: 'critical', key, ref: refOf(ev.position), at: ev.at, reason: ev.reason });
      const near = ev.reason === 'near-sl' ? 'near its stop-loss' : 'near its take-profit';
      alert(
        'critical',
        'critical',
        ev.position,
        `${describe(ev.position)} is CRITICAL, ${near}${criticalSuffix(ev.position)}`,
      );
      break;
    }
    case 'liquidation-before-sl': {
      const key = positionKey(ev.position);
      setPositions({ ...state.positions, [key]: ev.position });
      alert('warning', 'liquidation-before-sl', ev.position, liquidationBeforeSlMessage(ev.position));
      break;
    }
    case 'tp-hit':
    case 'sl-hit': {
      const key = positionKey(ev);
      notices.push({ kind: ev.type, key, ref: refOf(ev), at: ev.at, price: ev.price, level: ev.level });
      const what = ev.type === 'sl-hit' ? 'stop-loss' : 'take-profit';
      alert(ev.type === 'sl-hit' ? 'critical' : 'info', ev.type, ev, `${describe(ev)} hit its ${what} at ${ev.price}`);
      break;
    }
    case 'position-closed': {
      const key = positionKey(ev);
      if (state.positions[key]) {
        const { [key]: closed, ...rest } = state.positions;
        setPositions(rest);
        if (closed?.tier === 'CRITICAL') notices.push({ kind: 'critical-cleared', key, ref: refOf(ev), at: ev.at });
      }
      alert('info', 'position-closed', ev, `${describe(ev)} closed (${ev.reason})`);
      break;
    }
    case 'position-resized': {
      const key = positionKey(ev);
      const known = state.positions[key];
      if (known) setPositions({ ...state.positions, [key]: { ...known, size: ev.toSize } });
      break;
    }
    case 'missing-sl': {
      const text = {
        alerted: 'has no stop-loss',
        replaced: 'had no stop-loss; the companion placed one',
        'replace-failed': 'has no stop-loss and placing one FAILED',
      }[ev.action];
      alert(ev.action === 'replace-failed' ? 'critical' : 'warning', 'missing-sl', ev, `${describe(ev)} ${text}`);
      break;
    }
    case 'mirror-drift': {
      const text = {
        alerted: 'drifted from',
        closed: 'was closed to match',
        'close-failed': 'could not be closed to match',
      }[ev.action];
      alert(
        ev.action === 'close-failed' ? 'critical' : 'warning',
        'mirror-drift',
        { account: ev.mirror, symbol: ev.symbol },
        `Mirror ${ev.mirror} ${ev.symbol} ${ev.side} ${text} ${ev.main}`,
      );
      break;
    }
    case 'execution-started':
      break;
    case 'execution-finished': {
      next.lastExecution = ev.result;
      const r = ev.result;
      const severity = r.status === 'complete' ? 'info' : r.status === 'pending' ? 'info' : 'warning';
      alert(severity, 'execution', { symbol: r.symbol }, `Execution ${r.symbol} ${r.side}: ${r.status}`);
      break;
    }
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
      alert(ev.status === 'refused' ? 'critical' : 'warning', 'key-health', { account: ev.account }, ev.message);
      break;
    case 'stats':
      next.stats = ev.stats;
      next.guardMode = ev.stats.guardMode;
      break;
  }
  return step(next, { notices });
}

const describe = (p: PositionRef) => `${p.symbol} ${p.side} on ${p.account}`;
