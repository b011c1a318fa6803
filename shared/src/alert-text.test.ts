import { describe, expect, it } from 'vitest';
import { alertGroup, type NoticeKind, noticeText } from './alert-text.ts';

describe('noticeText', () => {
  const p = { symbol: 'BTCUSDT', side: 'long' as const };
  it.each<[kind: NoticeKind, accounts: string[], title: string, message: string]>([
    ['near-sl', ['main'], 'Approaching stop-loss: BTCUSDT LONG', 'main: d'],
    ['near-tp', ['main', 'mirror1'], 'Near take-profit: BTCUSDT LONG', 'main + mirror1: d'],
    ['sl-hit', ['main', 'mirror1', 'mirror2'], 'Stop-loss hit: BTCUSDT LONG', 'main + 2 mirrors: d'],
    ['tp-hit', ['main'], 'Take-profit hit: BTCUSDT LONG', 'main: d'],
    ['liquidation', ['main'], 'Liquidated: BTCUSDT LONG', 'main: d'],
  ])('%s for %j', (kind, accounts, title, message) => {
    expect(noticeText(kind, p, accounts, 'd')).toEqual({ title, message });
  });

  it.each([
    ['sl-hit', 'hit'],
    ['tp-hit', 'hit'],
    ['liquidation', 'hit'],
    ['critical', 'critical'],
    ['missing-sl', 'other'],
    ['position-closed', 'other'],
  ])('%s is kept as %s', (kind, group) => {
    expect(alertGroup(kind)).toBe(group);
  });
});
