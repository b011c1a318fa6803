import type { InstrumentInfo } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { ACCOUNTS } from '../test-support/fixtures.ts';
import { type ExecuteForm, levelFromPct } from './execute-fields.ts';
import { buildRequest, defaultAccounts, emptyForm, fieldForPath, searchSymbols } from './execute-form.ts';

const BTC: InstrumentInfo = {
  symbol: 'BTCUSDT',
  tickSize: 0.1,
  qtyStep: 0.001,
  minQty: 0.001,
  maxQty: 100,
  minNotional: 5,
  markPrice: 60_000,
};
const KEY = 'abcdef0123456789abcdef0123456789';
const form = (over: Partial<ExecuteForm> = {}): ExecuteForm => ({
  ...emptyForm(ACCOUNTS),
  symbol: 'BTCUSDT',
  quantity: '0.01',
  ...over,
});
const build = (over: Partial<ExecuteForm> = {}, instrument: InstrumentInfo | null = BTC) =>
  buildRequest(form(over), { instrument, accounts: ACCOUNTS, idempotencyKey: KEY });

describe('levelFromPct', () => {
  it.each([
    ['tp', 'long', 110],
    ['sl', 'long', 90],
    ['tp', 'short', 90],
    ['sl', 'short', 110],
  ] as const)('%s for a %s at 10%% of 100 = %s', (kind, side, out) => {
    expect(levelFromPct(kind, side, 100, 10)).toBeCloseTo(out, 9);
  });
});

describe('buildRequest', () => {
  it('ticks the main account and every mirror by default', () => {
    expect(defaultAccounts(ACCOUNTS)).toEqual(['main', 'mirror1', 'mirror2']);
  });

  it('market long with % levels: prices from the mark, rounded to tick; legs by mirror ratio', () => {
    const r = build({ tp: '2', sl: '1', quantity: '0.0157' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plan.request).toEqual({
      idempotencyKey: KEY,
      symbol: 'BTCUSDT',
      side: 'long',
      orderType: 'market',
      quantity: 0.015,
      takeProfit: 61_200,
      stopLoss: 59_400,
      accounts: ['main', 'mirror1', 'mirror2'],
    });
    expect(r.plan.legs.map((l) => [l.account, l.qty])).toEqual([
      ['main', 0.015],
      ['mirror1', 0.007],
      ['mirror2', 0.03],
    ]);
    expect(r.plan.notes).toEqual(['quantity 0.0157 rounded down to 0.015, the qty step']);
  });

  it('limit short with price levels takes % from the limit price', () => {
    const r = build({ side: 'short', orderType: 'limit', price: '61000.04', tp: '5', sl: '62000', slMode: 'price' });
    expect(r.ok && r.plan.request).toMatchObject({ price: 61_000, takeProfit: 57_950, stopLoss: 62_000 });
  });

  it('risk sizing estimates the main qty from the distance to the SL', () => {
    const r = build({ sizeMode: 'risk', riskAmount: '60', sl: '1', quantity: '' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plan.request).toMatchObject({ riskAmount: 60, stopLoss: 59_400 });
    expect(r.plan.request.quantity).toBeUndefined();
    expect(r.plan.legs[0]).toMatchObject({ qty: 0.1, approx: true });
  });

  it('warns about a mirror leg that rounds under the minimum', () => {
    const r = build({ quantity: '0.001' });
    expect(r.ok && r.plan.legs.find((l) => l.account === 'mirror1')?.warning).toMatch(/under the minimum/);
  });

  it.each<{
    name: string;
    over: Partial<ExecuteForm>;
    errors: Record<string, RegExp>;
    instrument?: InstrumentInfo | null;
  }>([
    { name: 'no symbol', over: { symbol: '' }, errors: { symbol: /pick a symbol/ } },
    { name: 'unknown symbol', over: { symbol: 'FOOUSDT' }, errors: { symbol: /not a listed/ }, instrument: null },
    { name: 'no quantity', over: { quantity: '' }, errors: { quantity: /how many/ } },
    { name: 'negative quantity', over: { quantity: '-1' }, errors: { quantity: /positive/ } },
    { name: 'text quantity', over: { quantity: 'abc' }, errors: { quantity: /positive/ } },
    { name: 'under min after rounding', over: { quantity: '0.0004' }, errors: { quantity: /under the minimum/ } },
    { name: 'limit without price', over: { orderType: 'limit' }, errors: { price: /needs a price/ } },
    { name: 'long TP below entry', over: { tpMode: 'price', tp: '59000' }, errors: { tp: /above 60000/ } },
    {
      name: 'short SL below entry',
      over: { side: 'short', slMode: 'price', sl: '59000' },
      errors: { sl: /above 60000/ },
    },
    { name: 'long SL of 100%', over: { sl: '100' }, errors: { sl: /under 100%/ } },
    { name: 'risk without SL', over: { sizeMode: 'risk', riskAmount: '50' }, errors: { sl: /needs a stop-loss/ } },
    { name: 'no accounts', over: { accounts: [] }, errors: { accounts: /at least one/ } },
    {
      name: '% without a mark price',
      over: { tp: '2' },
      errors: { tp: /no mark price/ },
      instrument: { ...BTC, markPrice: null },
    },
  ])('rejects: $name', ({ over, errors, instrument }) => {
    const r = build(over, instrument === undefined ? BTC : instrument);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    for (const [field, re] of Object.entries(errors)) expect(r.errors[field as keyof typeof r.errors]).toMatch(re);
  });

  it('maps companion error paths to fields', () => {
    expect(fieldForPath(['stopLoss'])).toBe('sl');
    expect(fieldForPath(['takeProfit'])).toBe('tp');
    expect(fieldForPath(['accounts', 1])).toBe('accounts');
    expect(fieldForPath(undefined)).toBe('form');
    expect(fieldForPath(['whatever'])).toBe('form');
  });
});

describe('searchSymbols', () => {
  const list = ['BTCUSDT', 'ETHUSDT', 'ETHBTCUSDT', 'SOLUSDT'].map((symbol) => ({ ...BTC, symbol }));
  it.each([
    ['eth', ['ETHUSDT', 'ETHBTCUSDT']],
    ['btc', ['BTCUSDT', 'ETHBTCUSDT']],
    ['', ['BTCUSDT', 'ETHUSDT', 'ETHBTCUSDT', 'SOLUSDT']],
    ['xyz', []],
  ])('%s', (q, out) => expect(searchSymbols(list, q).map((i) => i.symbol)).toEqual(out));
});
