import { describe, expect, it } from 'vitest';
import {
  alertGroup,
  criticalDetail,
  foldedSummaryText,
  hitDetail,
  keyHealthTitle,
  LIQUIDATION_DETAIL,
  type NoticeKind,
  noticeText,
} from './alert-text.ts';

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

describe('notification detail lines (one wording for every side)', () => {
  const pct = (x: number | null) => (x === null ? '—' : `${x.toFixed(2)}%`);
  it.each<[string, string, string]>([
    ['sl-hit', hitDetail('sl-hit', '60,900', '61,000'), 'price 60,900 crossed SL 61,000'],
    ['tp-hit', hitDetail('tp-hit', '66,000', '65,900'), 'price 66,000 crossed TP 65,900'],
    ['liquidation', LIQUIDATION_DETAIL, 'closed by liquidation'],
    [
      'near-sl with the position',
      criticalDetail('near-sl', { distanceToSlPct: 0.5, distanceToTpPct: 7 }, pct),
      'SL 0.50% away (TP 7.00%)',
    ],
    [
      'near-tp with the position',
      criticalDetail('near-tp', { distanceToSlPct: 9, distanceToTpPct: 0.3 }, pct),
      'TP 0.30% away',
    ],
    [
      'near-sl without it: no made-up threshold',
      criticalDetail('near-sl', undefined, pct),
      'approaching its stop-loss',
    ],
    ['folded summary, one', foldedSummaryText(1).title, 'Tierwatch: 1 more CRITICAL position'],
    ['folded summary, many', foldedSummaryText(3).title, 'Tierwatch: 3 more CRITICAL positions'],
    ['key refused', keyHealthTitle('refused', 'main'), 'KEY REFUSED: main'],
    ['key expiring', keyHealthTitle('expiring', 'main'), 'API key expiring: main'],
  ])('%s', (_name, got, want) => {
    expect(got).toBe(want);
  });
});
