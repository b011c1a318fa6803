import { describe, expect, it } from 'vitest';
import type { KeyFacts } from '../exchange/key-check.ts';
import { type AssessOptions, assessKey, describeAssessment } from './assess.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const DAY = 86_400_000;
const tradeOnly: NonNullable<KeyFacts['key']> = {
  readOnly: false,
  contractTrade: ['Order', 'Position'],
  wallet: [],
  ips: ['203.0.113.7'],
  expiresAt: null,
  unified: true,
};
const facts = (over: Partial<KeyFacts> = {}, key: Partial<typeof tradeOnly> = {}): KeyFacts => ({
  unreachable: null,
  refused: null,
  skewMs: 12,
  key: { ...tradeOnly, ...key },
  hedgeMode: false,
  ...over,
});
const opts: AssessOptions = { now: NOW, allowWithdrawalKey: false };

describe('assessKey', () => {
  it.each<[string, KeyFacts, Partial<AssessOptions>, 'refuse' | 'warn' | 'ok', boolean, string | null]>([
    ['a trade-only key bound to an IP', facts(), {}, 'ok', true, null],
    ['a key that can withdraw', facts({}, { wallet: ['Withdraw'] }), {}, 'refuse', false, 'withdraw'],
    ['a key that can transfer', facts({}, { wallet: ['AccountTransfer'] }), {}, 'refuse', false, 'transfer'],
    [
      'a key that can withdraw, overridden',
      facts({}, { wallet: ['Withdraw'] }),
      { allowWithdrawalKey: true },
      'warn',
      true,
      'withdraw',
    ],
    ['a read-only key', facts({}, { readOnly: true, contractTrade: [] }), {}, 'warn', false, 'read-only'],
    ['a key without Orders', facts({}, { contractTrade: ['Position'] }), {}, 'warn', false, 'read-only'],
    ['a key without Positions', facts({}, { contractTrade: ['Order'] }), {}, 'warn', true, 'no-position-permission'],
    ['a key without an IP whitelist', facts({}, { ips: ['*'] }), {}, 'warn', true, 'no-ip-whitelist'],
    ['a key expiring in 3 days', facts({}, { expiresAt: NOW + 3 * DAY }), {}, 'warn', true, 'expires'],
    ['a key expiring in 30 days', facts({}, { expiresAt: NOW + 30 * DAY }), {}, 'ok', true, 'expires'],
    ['an expired key', facts({}, { expiresAt: NOW - 1 }), {}, 'refuse', false, 'expired'],
    ['a classic (non-UTA) account', facts({}, { unified: false }), {}, 'warn', true, 'not-unified'],
    ['a hedge-mode account', facts({ hedgeMode: true }), {}, 'refuse', false, 'hedge-mode'],
    ['a clock 3 s behind', facts({ skewMs: -3000 }), {}, 'warn', true, 'clock-skew'],
    ['a clock 6 s behind', facts({ skewMs: -6000 }), {}, 'refuse', false, 'clock-skew'],
    ['a clock 1.2 s ahead', facts({ skewMs: 1200 }), {}, 'refuse', false, 'clock-skew'],
    [
      'a key the exchange refuses',
      facts({ refused: 'API key is invalid.', key: null }),
      {},
      'refuse',
      false,
      'key-refused',
    ],
    ['an unreachable exchange', facts({ unreachable: 'ECONNREFUSED', key: null }), {}, 'warn', false, 'unreachable'],
  ])('%s', (_name, f, o, verdict, canTrade, code) => {
    const a = assessKey(f, { ...opts, ...o });
    expect(a.verdict).toBe(verdict);
    expect(a.canTrade).toBe(canTrade);
    if (code) expect(a.findings.map((x) => x.code)).toContain(code);
  });

  it('names the skew in ms and its direction', () => {
    const [line] = describeAssessment('desk', assessKey(facts({ skewMs: -3217.4 }), opts));
    expect(line).toBe(
      "account desk: the clock is 3217 ms behind the exchange's (Bybit refuses 1000 ms ahead or 5000 ms behind)",
    );
  });

  it('an overridden withdraw key is an error-level finding every time, never silent', () => {
    const a = assessKey(facts({}, { wallet: ['Withdraw', 'AccountTransfer'] }), { ...opts, allowWithdrawalKey: true });
    const f = a.findings.find((x) => x.code === 'withdraw')!;
    expect(f.level).toBe('error');
    expect(f.text).toContain('Withdraw, AccountTransfer');
    expect(f.text).toContain('allowWithdrawalKey');
  });

  it('the expiry warning starts 7 days ahead (configurable)', () => {
    const at = (days: number, warn?: number) =>
      assessKey(facts({}, { expiresAt: NOW + days * DAY }), { ...opts, expiryWarnDays: warn }).verdict;
    expect([at(7.01), at(6.99), at(10, 14)]).toEqual(['ok', 'warn', 'warn']);
  });
});
