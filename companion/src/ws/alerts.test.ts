import type { ExecuteResult, StreamEvent, TieredPosition } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { AlertLog, alertFor } from './alerts.ts';

const key = { account: 'main', symbol: 'BTCUSDT', side: 'long' as const };
const base = { seq: 7, at: 1_700_000_000_000 };
const position = {
  ...key,
  size: 1,
  entryPrice: 100,
  markPrice: 109,
  takeProfit: 110,
  stopLoss: 95,
  liquidationPrice: null,
  unrealisedPnl: 9,
  leverage: 5,
  positionValue: null,
  lastActivityAt: null,
  tier: 'CRITICAL',
  distanceToTpPct: 0.9,
  distanceToSlPct: 12.8,
  flags: [],
} as TieredPosition;
const execution = (status: ExecuteResult['status']): StreamEvent => ({
  type: 'execution-finished',
  ...base,
  result: {
    executionId: 'x1',
    idempotencyKey: 'k-123456789',
    status,
    symbol: 'BTCUSDT',
    side: 'long',
    orderType: 'market',
    startedAt: base.at,
    finishedAt: base.at,
    adjustments: [],
    legs: [],
  },
});

describe('alertFor', () => {
  it.each<[string, StreamEvent, string | null, string | null]>([
    ['critical near the SL: loud', { type: 'critical', ...base, position, reason: 'near-sl' }, 'critical', 'critical'],
    ['critical near the TP: good news', { type: 'critical', ...base, position, reason: 'near-tp' }, 'critical', 'info'],
    [
      'liquidation-before-sl',
      {
        type: 'liquidation-before-sl',
        ...base,
        position: { ...position, liquidationPrice: 96, flags: ['LIQ_BEFORE_SL'] },
      },
      'liquidation-before-sl',
      'warning',
    ],
    ['sl-hit', { type: 'sl-hit', ...base, ...key, price: 95, level: 95 }, 'sl-hit', 'critical'],
    ['tp-hit', { type: 'tp-hit', ...base, ...key, price: 110, level: 110 }, 'tp-hit', 'info'],
    ['missing-sl alerted', { type: 'missing-sl', ...base, ...key, action: 'alerted' }, 'missing-sl', 'warning'],
    ['missing-sl failed', { type: 'missing-sl', ...base, ...key, action: 'replace-failed' }, 'missing-sl', 'critical'],
    [
      'mirror-drift',
      { type: 'mirror-drift', ...base, main: 'main', mirror: 'm1', symbol: 'BTCUSDT', side: 'long', action: 'alerted' },
      'mirror-drift',
      'warning',
    ],
    ['execution partial', execution('partial'), 'execution', 'warning'],
    ['execution failed', execution('failed'), 'execution', 'critical'],
    ['execution complete', execution('complete'), null, null],
    ['tier-changed', { type: 'tier-changed', ...base, ...key, from: 'STABLE', to: 'ACTIVE' }, null, null],
    ['closed by its TP (its tp-hit said so)', { type: 'position-closed', ...base, ...key, reason: 'tp' }, null, null],
    ['liquidated', { type: 'position-closed', ...base, ...key, reason: 'liquidation' }, 'liquidation', 'critical'],
    ['closed by hand', { type: 'position-closed', ...base, ...key, reason: 'manual' }, 'position-closed', 'info'],
  ])('%s', (_name, event, kind, severity) => {
    const alert = alertFor(event);
    expect(alert?.kind ?? null).toBe(kind);
    expect(alert?.severity ?? null).toBe(severity);
    if (alert) expect(alert).toMatchObject({ seq: 7, at: base.at });
  });
});

describe('a CRITICAL alert for a position whose SL cannot fire', () => {
  it('says so after its own words', () => {
    const flagged = { ...position, flags: ['LIQ_BEFORE_SL'] } as TieredPosition;
    expect(alertFor({ type: 'critical', ...base, position: flagged, reason: 'near-sl' })?.message).toBe(
      'BTCUSDT long on main is CRITICAL, approaching its stop-loss (liquidation before stop-loss)',
    );
    expect(alertFor({ type: 'critical', ...base, position, reason: 'near-sl' })?.message).toBe(
      'BTCUSDT long on main is CRITICAL, approaching its stop-loss',
    );
  });
});

describe('AlertLog', () => {
  const sl = (seq: number, symbol = `S${seq}USDT`): StreamEvent => ({
    type: 'sl-hit',
    seq,
    at: seq,
    ...key,
    symbol,
    price: 1,
    level: 1,
  });
  const crit = (seq: number, symbol = 'BTCUSDT'): StreamEvent => ({
    type: 'critical',
    seq,
    at: seq,
    position: { ...position, symbol },
    reason: 'near-sl',
  });

  it('keeps the newest `limit`, oldest first', () => {
    const log = new AlertLog(3);
    for (let seq = 1; seq <= 5; seq++) log.note(sl(seq));
    expect(log.list().map((a) => a.seq)).toEqual([3, 4, 5]);
  });

  it('one entry per position and group: a position flapping into CRITICAL keeps its newest only', () => {
    const log = new AlertLog(50);
    for (let seq = 1; seq <= 10; seq++) log.note(crit(seq));
    expect(log.list().map((a) => a.seq)).toEqual([10]);
  });

  it('SL hits are never pushed out by CRITICAL entries', () => {
    const log = new AlertLog(3);
    log.note(sl(1));
    log.note(sl(2));
    for (let seq = 3; seq <= 20; seq++) log.note(crit(seq, `C${seq}USDT`));
    expect(
      log
        .list()
        .filter((a) => a.kind === 'sl-hit')
        .map((a) => a.seq),
    ).toEqual([1, 2]);
    expect(log.list().filter((a) => a.kind === 'critical')).toHaveLength(3);
  });
});
