import type { InstrumentInfo } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { type ExecuteForm, type FieldReading, readLevel, readSize } from './execute-fields.ts';

const BTC: InstrumentInfo = {
  symbol: 'BTCUSDT',
  tickSize: 0.1,
  qtyStep: 0.001,
  minQty: 0.001,
  maxQty: 100,
  minNotional: 5,
  markPrice: 60_000,
};
const form: ExecuteForm = {
  symbol: 'BTCUSDT',
  side: 'long',
  orderType: 'market',
  price: '',
  sizeMode: 'quantity',
  quantity: '',
  riskAmount: '',
  tpMode: 'price',
  tp: '',
  slMode: 'price',
  sl: '',
  accounts: ['main'],
};
const reading = (over: Partial<ExecuteForm>): FieldReading => ({
  form: { ...form, ...over },
  inst: BTC,
  symbol: 'BTCUSDT',
  errors: {},
  notes: [],
});

describe('readLevel (reference price 60000)', () => {
  it.each<{ name: string; over: Partial<ExecuteForm>; kind: 'tp' | 'sl'; value: number | null; error?: RegExp }>([
    { name: 'blank', over: {}, kind: 'tp', value: null },
    { name: 'a price on its side', over: { tp: '66000' }, kind: 'tp', value: 66_000 },
    { name: 'rounded to the tick', over: { tp: '66000.04' }, kind: 'tp', value: 66_000 },
    { name: 'a long TP below the price', over: { tp: '59000' }, kind: 'tp', value: null, error: /above 60000/ },
    {
      name: 'a short SL below the price',
      over: { side: 'short', sl: '59000' },
      kind: 'sl',
      value: null,
      error: /above/,
    },
    { name: '10% TP of a long', over: { tpMode: 'pct', tp: '10' }, kind: 'tp', value: 66_000 },
    { name: '5% SL of a short', over: { side: 'short', slMode: 'pct', sl: '5' }, kind: 'sl', value: 63_000 },
    { name: 'a long SL 100% away', over: { slMode: 'pct', sl: '100' }, kind: 'sl', value: null, error: /under 100%/ },
    { name: 'not a number', over: { sl: 'abc' }, kind: 'sl', value: null, error: /positive/ },
  ])('$name', ({ over, kind, value, error }) => {
    const r = reading(over);
    expect(readLevel(r, kind, 60_000)).toBe(value);
    if (error) expect(r.errors[kind]).toMatch(error);
    else expect(r.errors).toEqual({});
  });

  it('says it cannot take a % of a price it does not have', () => {
    const r = reading({ tpMode: 'pct', tp: '10' });
    expect(readLevel(r, 'tp', null)).toBeNull();
    expect(r.errors.tp).toMatch(/no mark price/);
  });
});

describe('readSize', () => {
  it.each<{ name: string; over: Partial<ExecuteForm>; sl: number | null; out: object; error?: string }>([
    { name: 'a quantity on the step', over: { quantity: '0.01' }, sl: null, out: { quantity: 0.01, mainQty: 0.01 } },
    { name: 'rounded down, never up', over: { quantity: '0.0109' }, sl: null, out: { quantity: 0.01, mainQty: 0.01 } },
    {
      name: 'over the maximum',
      over: { quantity: '101' },
      sl: null,
      out: { quantity: 101, mainQty: 101 },
      error: 'quantity',
    },
    { name: 'no quantity', over: {}, sl: null, out: { mainQty: null }, error: 'quantity' },
    // 60 lost over a 2000 move: 0.03 contracts.
    {
      name: 'by risk',
      over: { sizeMode: 'risk', riskAmount: '60' },
      sl: 58_000,
      out: { riskAmount: 60, mainQty: 0.03 },
    },
    {
      name: 'by risk without an SL',
      over: { sizeMode: 'risk', riskAmount: '60' },
      sl: null,
      out: { riskAmount: 60, mainQty: null },
      error: 'sl',
    },
  ])('$name', ({ over, sl, out, error }) => {
    const r = reading(over);
    expect(readSize(r, sl, 60_000)).toEqual(out);
    expect(Object.keys(r.errors)).toEqual(error ? [error] : []);
  });
});
