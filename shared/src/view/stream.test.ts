import { describe, expect, it } from 'vitest';
import { bigSnapshot, position, snapshot } from '../../test-support/fixtures.ts';
import { type ServerMessage, ServerMessage as ServerMessageSchema } from '../events.ts';
import { markAwaitingSnapshot, reduce, resumeSeq, type StreamState } from './stream.ts';

const key = 'main:BTCUSDT:long';
const ref = { account: 'main', symbol: 'BTCUSDT', side: 'long' } as const;
type T = 'STABLE' | 'CRITICAL' | 'URGENT';
const tierChanged = (seq: number, from: T | null, to: T): ServerMessage => ({
  type: 'tier-changed',
  seq,
  at: 1_000 + seq,
  ...ref,
  from,
  to,
});

function run(messages: ServerMessage[], start: StreamState | null = null) {
  let state = start;
  const notices = [];
  const resyncs = [];
  for (const m of messages) {
    const s = reduce(state, m);
    state = s.state;
    notices.push(...s.notices);
    resyncs.push(s.resync);
  }
  return { state, notices, resyncs };
}

describe('fixtures', () => {
  it('parse with the protocol schema', () => {
    expect(ServerMessageSchema.safeParse(snapshot()).success).toBe(true);
    expect(ServerMessageSchema.safeParse(bigSnapshot(400)).success).toBe(true);
  });
});

describe('reduce', () => {
  it('builds state from a snapshot, counting tiers from the positions, announcing nothing', () => {
    const snap = bigSnapshot(400);
    const { state, notices } = run([snap]);
    expect(state?.seq).toBe(100);
    expect(Object.keys(state?.positions ?? {})).toHaveLength(400);
    expect(state?.tierCounts).toEqual(snap.tierCounts);
    expect(notices).toEqual([]);
  });

  it.each([
    { name: 'in order', seqs: [11, 12, 13], seq: 13, resync: [null, null, null] },
    { name: 'duplicate ignored', seqs: [11, 11, 12], seq: 12, resync: [null, null, null] },
    { name: 'replayed older ignored', seqs: [11, 12, 5], seq: 12, resync: [null, null, null] },
    { name: 'gap asks to resume and is not applied', seqs: [11, 13], seq: 11, resync: [null, 'resume'] },
    { name: 'gap from the snapshot', seqs: [12], seq: 10, resync: ['resume'] },
  ])('events: $name', ({ seqs, seq, resync }) => {
    const start = reduce(null, snapshot({ seq: 10 })).state;
    const msgs = seqs.map(
      (s): ServerMessage => ({ type: 'guard-mode', seq: s, at: 2_000, mode: 'normal', reason: 'timeout' }),
    );
    const out = run(msgs, start);
    expect(out.state?.seq).toBe(seq);
    expect(out.resyncs).toEqual(resync);
  });

  it('ignores events before the first snapshot and while awaiting a fresh one', () => {
    expect(reduce(null, tierChanged(1, 'STABLE', 'CRITICAL'))).toMatchObject({
      state: null,
      notices: [],
      resync: null,
    });
    const waiting = markAwaitingSnapshot(reduce(null, snapshot()).state);
    const s = reduce(waiting, tierChanged(11, 'STABLE', 'CRITICAL'));
    expect(s.state?.seq).toBe(10);
    expect(resumeSeq(s.state)).toBeNull();
  });

  it('tier-changed moves the position and announces leaving CRITICAL (entering is the critical event)', () => {
    const start = reduce(null, snapshot()).state;
    const up = reduce(start, tierChanged(11, 'STABLE', 'CRITICAL'));
    expect(up.state?.positions[key]?.tier).toBe('CRITICAL');
    expect(up.state?.tierCounts.CRITICAL).toBe(1);
    expect(up.notices).toEqual([]);
    const down = reduce(up.state, tierChanged(12, 'CRITICAL', 'URGENT'));
    expect(down.state?.tierCounts).toMatchObject({ CRITICAL: 0, URGENT: 1 });
    expect(down.notices).toEqual([{ kind: 'critical-cleared', key, family: key, ref, at: 1_012 }]);
  });

  it('a mirror leg belongs to its main leg’s family', () => {
    const start = reduce(null, snapshot()).state;
    const mirror = position({ account: 'mirror1', tier: 'CRITICAL', distanceToSlPct: 0.5 });
    const out = reduce(start, { type: 'critical', seq: 11, at: 2_000, position: mirror, reason: 'near-sl' });
    expect(out.notices).toMatchObject([{ kind: 'critical', key: 'mirror1:BTCUSDT:long', family: key }]);
  });

  it('critical carries the whole position; sl-hit and closed update alerts and positions', () => {
    const start = reduce(null, snapshot()).state;
    const crit = position({ tier: 'CRITICAL', distanceToSlPct: 0.1, markPrice: 58_060 });
    const out = run(
      [
        { type: 'critical', seq: 11, at: 2_000, position: crit, reason: 'near-sl' },
        { type: 'sl-hit', seq: 12, at: 2_001, ...ref, price: 57_990, level: 58_000 },
        { type: 'position-closed', seq: 13, at: 2_002, ...ref, reason: 'sl' },
      ],
      start,
    );
    expect(out.notices.map((n) => n.kind)).toEqual(['critical', 'sl-hit', 'closed']);
    expect(out.state?.positions[key]).toBeUndefined();
    expect(out.state?.tierCounts.CRITICAL).toBe(0);
    // The SL close was announced by its hit: the close adds no entry of its own.
    expect(out.state?.alerts.map((a) => a.kind)).toEqual(['sl-hit', 'critical']);
  });

  it('the alert list: one CRITICAL entry per family however often it comes back, timestamped with the newest', () => {
    const start = reduce(null, snapshot()).state;
    const crit = (seq: number, account = 'main'): ServerMessage => ({
      type: 'critical',
      seq,
      at: 1_000 * seq,
      position: position({ account, tier: 'CRITICAL' }),
      reason: 'near-sl',
    });
    const out = run([crit(11), crit(12, 'mirror1'), crit(13), crit(14, 'mirror2')], start);
    expect(out.state?.alerts).toMatchObject([{ kind: 'critical', family: key, count: 4, at: 14_000, seq: 14 }]);
    // It speaks of the main leg, whichever leg came last.
    expect(out.state?.alerts[0]?.message).toMatch(/^BTCUSDT long on main is CRITICAL/);
  });

  it('SL and TP hits stay apart from CRITICAL entries and are never pushed out by them', () => {
    const start = reduce(null, snapshot()).state;
    const msgs: ServerMessage[] = [
      { type: 'sl-hit', seq: 11, at: 1, ...ref, price: 57_990, level: 58_000 },
      { type: 'tp-hit', seq: 12, at: 2, ...ref, symbol: 'ETHUSDT', price: 3_300, level: 3_300 },
    ];
    for (let i = 0; i < 120; i++)
      msgs.push({
        type: 'critical',
        seq: 13 + i,
        at: 3 + i,
        position: position({ symbol: `S${i}USDT`, tier: 'CRITICAL' }),
        reason: 'near-sl',
      });
    const alerts = run(msgs, start).state?.alerts ?? [];
    expect(alerts.filter((a) => a.kind === 'sl-hit' || a.kind === 'tp-hit')).toHaveLength(2);
    expect(alerts.filter((a) => a.kind === 'critical')).toHaveLength(50);
  });

  it('a snapshot without a position we knew announces it closed (its notification must go)', () => {
    const start = reduce(null, snapshot({ positions: [position({ tier: 'CRITICAL' })] })).state;
    const s = reduce(start, snapshot({ seq: 60, positions: [] }));
    expect(s.notices).toMatchObject([{ kind: 'closed', key, family: key, reason: null }]);
  });

  it('liquidation-before-sl carries the flagged position and raises a warning alert', () => {
    const start = reduce(null, snapshot()).state;
    const flagged = position({ liquidationPrice: 58_500, flags: ['LIQ_BEFORE_SL'], tier: 'URGENT' });
    const out = reduce(start, { type: 'liquidation-before-sl', seq: 11, at: 2_000, position: flagged });
    expect(out.state?.positions[key]?.flags).toEqual(['LIQ_BEFORE_SL']);
    expect(out.state?.tierCounts.URGENT).toBe(1);
    expect(out.state?.alerts[0]).toMatchObject({
      kind: 'liquidation-before-sl',
      severity: 'warning',
      message: 'BTCUSDT long on main: liquidation at 58500 comes before its stop-loss at 58000; the SL cannot fire',
    });
  });

  it('a CRITICAL alert for a position liquidated before its SL says so', () => {
    const start = reduce(null, snapshot()).state;
    const crit = position({ tier: 'CRITICAL', distanceToSlPct: 0.1, flags: ['LIQ_BEFORE_SL'] });
    const out = reduce(start, { type: 'critical', seq: 11, at: 2_000, position: crit, reason: 'near-sl' });
    expect(out.state?.alerts[0]?.message).toBe(
      'BTCUSDT long on main is CRITICAL, approaching its stop-loss (liquidation before stop-loss)',
    );
  });

  it('a resnapshot replaces everything and announces what became CRITICAL meanwhile', () => {
    const start = reduce(
      null,
      snapshot({ positions: [position(), position({ symbol: 'ETHUSDT', tier: 'CRITICAL' })] }),
    ).state;
    const next = snapshot({
      seq: 50,
      positions: [position({ tier: 'CRITICAL' }), position({ symbol: 'ETHUSDT', tier: 'URGENT' })],
    });
    const s = reduce(start, next);
    expect(s.state?.seq).toBe(50);
    expect(s.notices.map((n) => `${n.kind}:${n.key}`)).toEqual([
      'critical:main:BTCUSDT:long',
      'critical-cleared:main:ETHUSDT:long',
    ]);
  });

  it('hello with a lower lastSeq than ours means the server restarted: fresh snapshot', () => {
    const start = reduce(null, snapshot({ seq: 40 })).state;
    const s = reduce(start, { type: 'hello', protocol: 1, serverVersion: '0.1.0', lastSeq: 3, instance: 'run-1' });
    expect(s.resync).toBe('fresh');
    expect(s.state?.awaitingSnapshot).toBe(true);
    expect(
      reduce(s.state, { type: 'hello', protocol: 1, serverVersion: '0.1.0', lastSeq: 3, instance: 'run-1' }).resync,
    ).toBeNull();
    expect(
      reduce(start, { type: 'hello', protocol: 1, serverVersion: '0.1.0', lastSeq: 41, instance: 'run-1' }).resync,
    ).toBeNull();
  });

  it('hello from another run of the companion means it restarted, whatever its seq: fresh snapshot', () => {
    const start = reduce(null, snapshot({ seq: 40 })).state;
    const s = reduce(start, { type: 'hello', protocol: 1, serverVersion: '0.1.0', lastSeq: 500, instance: 'run-2' });
    expect(s.resync).toBe('fresh');
    expect(s.state?.awaitingSnapshot).toBe(true);
    // The new run's snapshot is applied and its instance remembered for the next resume.
    const after = reduce(s.state, snapshot({ seq: 500, instance: 'run-2' })).state;
    expect(after?.instance).toBe('run-2');
    expect(after?.awaitingSnapshot).toBe(false);
  });

  it('stats and guard-mode update the header; resize updates size; errors are passed up', () => {
    const start = reduce(null, snapshot()).state;
    const out = run(
      [
        { type: 'guard-mode', seq: 11, at: 1, mode: 'critical-only', reason: 'execution-started' },
        { type: 'position-resized', seq: 12, at: 2, ...ref, fromSize: 0.1, toSize: 0.3 },
      ],
      start,
    );
    expect(out.state?.guardMode).toBe('critical-only');
    expect(out.state?.positions[key]?.size).toBe(0.3);
    expect(reduce(out.state, { type: 'error', code: 'UNAUTHORIZED', message: 'bad token' }).error?.code).toBe(
      'UNAUTHORIZED',
    );
  });

  it('execution-finished sets the last execution; execution-updated fills it in, for the same execution only', () => {
    const leg = {
      account: 'main',
      clientOrderId: 'tw-1',
      status: 'placed' as const,
      orderId: 'o1',
      qty: 0.01,
      filledQty: 0,
      avgPrice: null,
      takeProfit: null,
      stopLoss: null,
      error: null,
    };
    const result = {
      executionId: 'ex-1',
      idempotencyKey: 'key-00000001',
      status: 'complete' as const,
      symbol: 'BTCUSDT',
      side: 'long' as const,
      orderType: 'market' as const,
      startedAt: 1,
      finishedAt: 2,
      adjustments: [],
      legs: [leg],
    };
    const filled = { ...result, legs: [{ ...leg, status: 'filled' as const, filledQty: 0.01, avgPrice: 61_000 }] };
    const start = reduce(null, snapshot()).state;
    const out = run(
      [
        { type: 'execution-finished', seq: 11, at: 3, result },
        { type: 'execution-updated', seq: 12, at: 4, result: filled },
        { type: 'execution-updated', seq: 13, at: 5, result: { ...filled, executionId: 'ex-other' } },
      ],
      start,
    );
    expect(out.state?.lastExecution?.executionId).toBe('ex-1');
    expect(out.state?.lastExecution?.legs[0]).toMatchObject({ status: 'filled', avgPrice: 61_000 });
  });
});
