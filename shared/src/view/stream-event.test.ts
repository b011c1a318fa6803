import { describe, expect, it } from 'vitest';
import { position, snapshot, stats } from '../../test-support/fixtures.ts';
import type { StreamEvent } from '../events.ts';
import type { ExecuteResult } from '../execute.ts';
import { reduce } from './stream.ts';
import { eventEffect } from './stream-event.ts';
import type { StreamState } from './stream-state.ts';

const ref = { account: 'main', symbol: 'BTCUSDT', side: 'long' } as const;
const base = { seq: 11, at: 2_000 };
const start = reduce(null, snapshot({ seq: 10, positions: [position({ tier: 'CRITICAL' })] })).state as StreamState;
const result: ExecuteResult = {
  executionId: 'x1',
  idempotencyKey: 'key-0001',
  status: 'complete',
  symbol: 'BTCUSDT',
  side: 'long',
  orderType: 'market',
  startedAt: 1_900,
  finishedAt: 1_950,
  adjustments: [],
  legs: [],
};

/** Per event: which fields of the state it replaces, and the kinds of notice it raises. */
const cases: { ev: StreamEvent; changes: string[]; notices: string[] }[] = [
  {
    ev: { type: 'tier-changed', ...base, ...ref, from: 'CRITICAL', to: 'STABLE' },
    changes: ['positions', 'tierCounts'],
    notices: ['critical-cleared'],
  },
  { ev: { type: 'tier-changed', ...base, ...ref, from: 'STABLE', to: 'CRITICAL' }, changes: [], notices: [] },
  {
    ev: {
      type: 'tier-changed',
      ...base,
      account: 'main',
      symbol: 'ETHUSDT',
      side: 'long',
      from: 'URGENT',
      to: 'STABLE',
    },
    changes: [],
    notices: [],
  },
  {
    ev: { type: 'critical', ...base, position: position({ tier: 'CRITICAL' }), reason: 'near-sl' },
    changes: ['positions', 'tierCounts'],
    notices: ['critical'],
  },
  {
    ev: { type: 'liquidation-before-sl', ...base, position: position() },
    changes: ['positions', 'tierCounts'],
    notices: [],
  },
  { ev: { type: 'tp-hit', ...base, ...ref, price: 66_000, level: 66_000 }, changes: [], notices: ['tp-hit'] },
  { ev: { type: 'sl-hit', ...base, ...ref, price: 58_000, level: 58_000 }, changes: [], notices: ['sl-hit'] },
  {
    ev: { type: 'position-closed', ...base, ...ref, reason: 'sl' },
    changes: ['positions', 'tierCounts'],
    notices: ['closed'],
  },
  {
    ev: { type: 'position-closed', ...base, ...ref, symbol: 'ETHUSDT', reason: 'sl' },
    changes: [],
    notices: ['closed'],
  },
  {
    ev: { type: 'position-resized', ...base, ...ref, fromSize: 0.1, toSize: 0.2 },
    changes: ['positions', 'tierCounts'],
    notices: [],
  },
  { ev: { type: 'missing-sl', ...base, ...ref, action: 'alerted' }, changes: [], notices: [] },
  {
    ev: {
      type: 'mirror-drift',
      ...base,
      main: 'main',
      mirror: 'm2',
      symbol: 'BTCUSDT',
      side: 'long',
      action: 'alerted',
    },
    changes: [],
    notices: [],
  },
  {
    ev: { type: 'execution-started', ...base, executionId: 'x1', symbol: 'BTCUSDT', side: 'long' },
    changes: [],
    notices: [],
  },
  { ev: { type: 'execution-finished', ...base, result }, changes: ['lastExecution'], notices: [] },
  // No execution finished before it: an update of an execution this state never saw changes nothing.
  { ev: { type: 'execution-updated', ...base, result }, changes: [], notices: [] },
  { ev: { type: 'guard-mode', ...base, mode: 'normal', reason: 'timeout' }, changes: ['guardMode'], notices: [] },
  { ev: { type: 'stats', ...base, stats: stats() }, changes: ['stats', 'guardMode'], notices: [] },
  {
    ev: { type: 'key-health', ...base, account: 'main', status: 'refused', expiresAt: null, message: 'no' },
    changes: [],
    notices: ['key-health'],
  },
  {
    ev: {
      type: 'source-changed',
      ...base,
      stream: 'public',
      account: null,
      from: 'stream',
      to: 'poll',
      reason: 'down',
    },
    changes: [],
    notices: [],
  },
];

describe('eventEffect: what each event changes and announces', () => {
  it.each(cases)('$ev.type ($changes; $notices)', ({ ev, changes, notices }) => {
    const out = eventEffect(start, ev);
    expect(Object.keys(out.change)).toEqual(changes);
    expect(out.notices.map((n) => n.kind)).toEqual(notices);
  });

  it('names the closed leg and drops its row', () => {
    const out = eventEffect(start, { type: 'position-closed', ...base, ...ref, reason: 'sl' });
    expect(out.change.positions).toEqual({});
    expect(out.notices[0]).toMatchObject({ key: 'main:BTCUSDT:long', ref, reason: 'sl' });
  });
});
