import { alertOf } from '../alert-text.ts';
import type { StreamEvent } from '../events.ts';
import type { TieredPosition } from '../trading.ts';
import { addAlert, alertFamily } from './alert-list.ts';
import { familyKey, type PositionRef, positionKey, refOf } from './keys.ts';
import { countTiers, type Notice, type Step, type StreamState, step } from './stream-state.ts';

/**
 * One sequenced event applied to the stream state (the reducer's event side, see stream.ts): the seq
 * decides whether it applies at all, then each family of events says what it changes and announces.
 */

type EventOf<T extends StreamEvent['type']> = Extract<StreamEvent, { type: T }>;
type PositionEvent = EventOf<
  'tier-changed' | 'critical' | 'liquidation-before-sl' | 'tp-hit' | 'sl-hit' | 'position-closed' | 'position-resized'
>;
type ExecutionEvent = EventOf<'execution-started' | 'execution-finished' | 'execution-updated'>;
type AccountEvent = EventOf<'guard-mode' | 'key-health' | 'stats' | 'missing-sl' | 'mirror-drift' | 'source-changed'>;

/** What one event does to the state it follows: the fields it replaces, and what to tell a person. */
interface Effect {
  change: Partial<StreamState>;
  notices: Notice[];
}

const effect = (change: Partial<StreamState> = {}, notices: Notice[] = []): Effect => ({ change, notices });

/** A new position table comes with its tier counts (the badge reads those, never recounts). */
const withPositions = (positions: Record<string, TieredPosition>): Partial<StreamState> => ({
  positions,
  tierCounts: countTiers(positions),
});

export function applyEvent(state: StreamState | null, ev: StreamEvent): Step {
  // Before the first snapshot (or while waiting for a fresh one) events have nothing to apply to.
  if (!state || state.awaitingSnapshot) return step(state);
  if (ev.seq <= state.seq) return step(state); // duplicate or replayed: already reflected
  if (ev.seq > state.seq + 1) return step(state, { resync: 'resume' }); // gap: do not apply out of order

  // The alert list: the same wording as the companion's log (shared), one entry per family and group.
  const alert = alertOf(ev);
  const alerts = alert ? addAlert(state.alerts, alert, alertFamily(alert, state.accounts)) : state.alerts;
  const { change, notices } = eventEffect(state, ev);
  return step({ ...state, seq: ev.seq, at: ev.at, alerts, ...change }, { notices });
}

/** Which family the event is of; the compiler checks every event type has one. */
export function eventEffect(state: StreamState, ev: StreamEvent): Effect {
  switch (ev.type) {
    case 'tier-changed':
    case 'critical':
    case 'liquidation-before-sl':
    case 'tp-hit':
    case 'sl-hit':
    case 'position-closed':
    case 'position-resized':
      return positionEffect(state, ev);
    case 'execution-started':
    case 'execution-finished':
    case 'execution-updated':
      return executionEffect(state, ev);
    case 'guard-mode':
    case 'key-health':
    case 'stats':
    case 'missing-sl':
    case 'mirror-drift':
    case 'source-changed':
      return accountEffect(ev);
  }
}

/** A leg changed tier, size or flag, hit a level or closed: its row and the notices about its family. */
function positionEffect(state: StreamState, ev: PositionEvent): Effect {
  const fam = (p: PositionRef) => familyKey(p, state.accounts);
  const put = (key: string, p: TieredPosition) => withPositions({ ...state.positions, [key]: p });
  switch (ev.type) {
    case 'tier-changed': {
      const key = positionKey(ev);
      const known = state.positions[key];
      const change = known && known.tier !== ev.to ? put(key, { ...known, tier: ev.to }) : {};
      // Entering CRITICAL is announced by the `critical` event that follows (it carries the reason).
      const cleared = ev.from === 'CRITICAL' && ev.to !== 'CRITICAL';
      return effect(
        change,
        cleared ? [{ kind: 'critical-cleared', key, family: fam(ev), ref: refOf(ev), at: ev.at }] : [],
      );
    }
    case 'critical': {
      const key = positionKey(ev.position);
      const ref = refOf(ev.position);
      return effect(put(key, ev.position), [
        { kind: 'critical', key, family: fam(ref), ref, at: ev.at, reason: ev.reason },
      ]);
    }
    case 'liquidation-before-sl':
      // Its alert is alertOf's (applyEvent); the row takes the position with its new flag.
      return effect(put(positionKey(ev.position), ev.position));
    case 'tp-hit':
    case 'sl-hit': {
      const key = positionKey(ev);
      const hit = { key, family: fam(ev), ref: refOf(ev), at: ev.at, price: ev.price, level: ev.level };
      return effect({}, [{ kind: ev.type, ...hit }]);
    }
    case 'position-closed': {
      const key = positionKey(ev);
      const { [key]: closed, ...rest } = state.positions;
      const notice: Notice = { kind: 'closed', key, family: fam(ev), ref: refOf(ev), at: ev.at, reason: ev.reason };
      return effect(closed ? withPositions(rest) : {}, [notice]);
    }
    case 'position-resized': {
      const key = positionKey(ev);
      const known = state.positions[key];
      return effect(known ? put(key, { ...known, size: ev.toSize }) : {});
    }
  }
}

/** An order run's answer, then its fills read back after it (the same execution, now with prices). */
function executionEffect(state: StreamState, ev: ExecutionEvent): Effect {
  switch (ev.type) {
    case 'execution-started':
      return effect();
    case 'execution-finished':
      return effect({ lastExecution: ev.result });
    case 'execution-updated':
      return state.lastExecution?.executionId === ev.result.executionId
        ? effect({ lastExecution: ev.result })
        : effect();
  }
}

/** The monitor's and the keys' state; the others change nothing here beyond the alert list (alertOf). */
function accountEffect(ev: AccountEvent): Effect {
  switch (ev.type) {
    case 'guard-mode':
      return effect({ guardMode: ev.mode });
    case 'key-health':
      return effect({}, [
        {
          kind: 'key-health',
          key: `key:${ev.account}`,
          at: ev.at,
          account: ev.account,
          status: ev.status,
          message: ev.message,
        },
      ]);
    case 'stats':
      return effect({ stats: ev.stats, guardMode: ev.stats.guardMode });
    case 'missing-sl':
    case 'mirror-drift':
    case 'source-changed':
      return effect();
  }
}
