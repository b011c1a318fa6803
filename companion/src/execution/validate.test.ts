import { type ExecuteRequest, ExecuteRequest as ExecuteRequestSchema } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { ACCOUNTS, account, BTC, btcLong } from '../../test-support/execution.ts';
import { AppError } from '../core/app-error.ts';
import { checkBalances, marginNeeded, planExecution, preflight } from './validate.ts';

const base: ExecuteRequest = btcLong({ idempotencyKey: 'key-00000001' });
const MARK = 50_000;
const plan = (over: Partial<ExecuteRequest>, mark: number | null = MARK, accounts = ACCOUNTS) =>
  planExecution({
    req: { ...base, ...over } as ExecuteRequest,
    accounts,
    instrument: over.symbol === 'NOPEUSDT' ? undefined : BTC,
    mark,
  });

function rejection(fn: () => unknown): { code: string; path: unknown; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return { code: e.code, path: e.path, message: e.message };
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('planExecution: rejections name the field (every rule)', () => {
  const cases: [string, Partial<ExecuteRequest>, string, (string | number)[], RegExp, (number | null)?][] = [
    ['unknown symbol', { symbol: 'NOPEUSDT' }, 'INVALID_ORDER', ['symbol'], /unknown symbol/],
    ['unknown account', { accounts: ['main', 'ghost'] }, 'BAD_REQUEST', ['accounts', 1], /unknown account "ghost"/],
    ['account twice', { accounts: ['main', 'main'] }, 'BAD_REQUEST', ['accounts', 1], /twice/],
    [
      'limit price off the tick',
      { orderType: 'limit', price: 50_000.05 },
      'INVALID_ORDER',
      ['price'],
      /not on the tick/,
    ],
    ['TP off the tick', { takeProfit: 55_000.03 }, 'INVALID_ORDER', ['takeProfit'], /not on the tick/],
    ['SL off the tick', { stopLoss: 48_000.07 }, 'INVALID_ORDER', ['stopLoss'], /not on the tick/],
    // Found by the fuzz run: 1e-320 is zero ticks, so it passed as "on the tick" and reached the exchange.
    ['SL below one tick', { stopLoss: 1e-320 }, 'INVALID_ORDER', ['stopLoss'], /not on the tick/],
    [
      'limit price below one tick',
      { orderType: 'limit', price: 1e-320 },
      'INVALID_ORDER',
      ['price'],
      /not on the tick/,
    ],
    [
      'long: TP below the mark',
      { takeProfit: 49_000 },
      'INVALID_ORDER',
      ['takeProfit'],
      /above the entry \(mark 50000\)/,
    ],
    ['long: TP at the mark', { takeProfit: 50_000 }, 'INVALID_ORDER', ['takeProfit'], /above/],
    ['long: SL above the mark', { stopLoss: 51_000 }, 'INVALID_ORDER', ['stopLoss'], /below the entry/],
    [
      'short: TP above the mark',
      { side: 'short', takeProfit: 55_000, stopLoss: 52_000 },
      'INVALID_ORDER',
      ['takeProfit'],
      /below the entry/,
    ],
    [
      'short: SL below the mark',
      { side: 'short', takeProfit: 45_000, stopLoss: 48_000 },
      'INVALID_ORDER',
      ['stopLoss'],
      /above the entry/,
    ],
    [
      'limit long: levels against the limit price, not the mark',
      { orderType: 'limit', price: 47_000, takeProfit: 55_000, stopLoss: 48_000 },
      'INVALID_ORDER',
      ['stopLoss'],
      /below the entry \(limit price 47000\)/,
    ],
    [
      'quantity below min after rounding',
      { quantity: 0.0009 },
      'INVALID_ORDER',
      ['quantity'],
      /below the minimum of 0.001/,
    ],
    ['quantity above max', { quantity: 101 }, 'INVALID_ORDER', ['quantity'], /above the maximum of 100/],
    [
      'below min notional',
      { orderType: 'limit', price: 4000, quantity: 0.001, takeProfit: 5000, stopLoss: 3000 },
      'INVALID_ORDER',
      ['quantity'],
      /below the minimum order value of 5/,
    ],
    [
      'risk too small for one step',
      { quantity: undefined, riskAmount: 1 },
      'INVALID_ORDER',
      ['riskAmount'],
      /below the minimum/,
    ],
    ['market order without a mark', {}, 'EXCHANGE_UNAVAILABLE', ['symbol'], /no mark price/, null],
  ];
  it.each(cases)('%s', (_name, over, code, path, message, mark = MARK) => {
    const r = rejection(() => plan(over, mark));
    expect(r).toMatchObject({ code, path });
    expect(r.message).toMatch(message);
  });

  it('a mirror leg that rounds below the minimum names that account', () => {
    const accounts = [account('main'), account('tiny', 0.05)];
    const r = rejection(() => plan({ quantity: 0.01, accounts: ['main', 'tiny'] }, MARK, accounts));
    expect(r).toMatchObject({ code: 'INVALID_ORDER', path: ['accounts', 1] });
    expect(r.message).toMatch(/tiny's leg 0 .*below the minimum/);
  });
});

describe('planExecution: accepted requests', () => {
  it('main plus every mirror at its ratio, rounded down to the step and said so', () => {
    const p = plan({ quantity: 0.0155 });
    expect(p.legs).toEqual([
      { account: 'main', qty: 0.015 },
      { account: 'mirror1', qty: 0.007 },
      { account: 'mirror2', qty: 0.03 },
    ]);
    expect(p.adjustments).toEqual([
      'quantity 0.0155 rounded down to 0.015, the qty step of BTCUSDT (0.001)',
      'mirror1: 0.015 x ratio 0.5 = 0.0075 rounded down to 0.007',
    ]);
    expect(p).toMatchObject({ entry: MARK, price: null, takeProfit: 55_000, stopLoss: 48_000 });
  });

  it('an exact quantity is not adjusted; chosen accounts only', () => {
    const p = plan({ quantity: 0.02, accounts: ['mirror1'] });
    expect(p.legs).toEqual([{ account: 'mirror1', qty: 0.01 }]);
    expect(p.adjustments).toEqual([]);
  });

  it('riskAmount: quantity = risk / |entry - SL|, rounded down (long on the mark, short on the limit)', () => {
    const long = plan({ quantity: undefined, riskAmount: 100, stopLoss: 48_000 }, MARK, [account('main')]);
    expect(long.legs[0]!.qty).toBe(0.05); // 100 / 2000
    const short = plan(
      {
        side: 'short',
        orderType: 'limit',
        price: 50_000,
        quantity: undefined,
        riskAmount: 100,
        takeProfit: 40_000,
        stopLoss: 50_300,
      },
      null,
      [account('main')],
    );
    expect(short.legs[0]!.qty).toBe(0.333); // 100 / 300 = 0.3333...
    expect(short.adjustments[0]).toMatch(/derived from riskAmount 100/);
    expect(short.adjustments[1]).toMatch(/rounded down to 0.333/);
  });

  it('short with mirrored levels is fine; no TP/SL is fine', () => {
    expect(plan({ side: 'short', takeProfit: 45_000, stopLoss: 52_000 }).legs).toHaveLength(3);
    expect(plan({ takeProfit: null, stopLoss: undefined }).stopLoss).toBeNull();
  });
});

describe('checkBalances', () => {
  const cfg = { leverage: 10, feeRate: 0.00055 };
  const p = plan({ quantity: 0.1 }); // legs 0.1, 0.05, 0.2 at 50k
  const bal = (free: number) => [{ account: 'x', currency: 'USDT', total: free, free, used: 0 }];

  it('passes with enough free USDT on every leg', () => {
    const need = marginNeeded(0.2, MARK, cfg); // 1000 + 5.5
    expect(need).toBeCloseTo(1005.5);
    expect(() =>
      checkBalances(p, new Map(['main', 'mirror1', 'mirror2'].map((a) => [a, bal(need)])), cfg),
    ).not.toThrow();
  });

  it('names the short account, and counts a missing USDT balance as zero', () => {
    const balances = new Map([
      ['main', bal(10_000)],
      ['mirror1', bal(10_000)],
      ['mirror2', bal(900)],
    ]);
    const r = rejection(() => checkBalances(p, balances, cfg));
    expect(r).toMatchObject({ code: 'INSUFFICIENT_BALANCE', path: ['quantity'] });
    expect(r.message).toMatch(/^mirror2 has 900 USDT free, 1005.5 needed/);
    expect(rejection(() => checkBalances(p, new Map(), cfg)).message).toMatch(/^main has 0 USDT free/);
  });
});

describe('the protocol schema (shared) rejects malformed requests before planning', () => {
  it.each([
    [{ ...base, idempotencyKey: 'short' }, 'idempotencyKey'],
    [{ ...base, quantity: undefined }, 'quantity'],
    [{ ...base, riskAmount: 10 }, 'quantity'],
    [{ ...base, quantity: undefined, riskAmount: 10, stopLoss: null }, 'stopLoss'],
    [{ ...base, orderType: 'limit' }, 'price'],
    [{ ...base, price: 50_000 }, 'price'],
    [{ ...base, quantity: -1 }, 'quantity'],
    [{ ...base, side: 'up' }, 'side'],
    [{ ...base, extra: 1 }, ''],
  ])('%#: names %s', (body, field) => {
    const r = ExecuteRequestSchema.safeParse(body);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(field);
  });
});

describe('planExecution: prices exactly on the tick', () => {
  it('price, TP and SL within float noise of a tick are sent as that tick (0.1 + 0.2 is 0.3)', () => {
    const p = plan({ orderType: 'limit', price: 0.1 + 0.2, quantity: 40, takeProfit: 0.7 + 0.1, stopLoss: 0.1 + 0.1 });
    expect([p.price, p.entry, p.takeProfit, p.stopLoss]).toEqual([0.3, 0.3, 0.8, 0.2]);
  });

  it('a TP a hair above a long entry is the entry itself on the tick: refused (the exchange would)', () => {
    const e = rejection(() => plan({ orderType: 'limit', price: 50_000, takeProfit: 50_000.00000001 }));
    expect(e).toMatchObject({ code: 'INVALID_ORDER', path: ['takeProfit'] });
    const s = rejection(() =>
      plan({ side: 'short', orderType: 'limit', price: 50_000, takeProfit: 45_000, stopLoss: 49_999.99999999 }),
    );
    expect(s).toMatchObject({ code: 'INVALID_ORDER', path: ['stopLoss'] });
  });
});

describe('instrument rules that cannot be used are refused before anything is read or sent', () => {
  // A step of 0 passed every rule (any quantity is "on" a step of 0) and failed only in ccxt's rounding.
  it.each([
    ['qtyStep 0', { qtyStep: 0 }, /qtyStep = 0/],
    ['qtyStep ""', { qtyStep: '' as unknown as number }, /qtyStep = ""/],
    ['qtyStep NaN', { qtyStep: Number.NaN }, /qtyStep = not a number/],
    ['tickSize 0', { tickSize: 0 }, /tickSize = 0/],
    ['minQty NaN', { minQty: Number.NaN }, /minQty = not a number/],
  ])('%s: a 400 on the symbol saying its rules are invalid', (_n, patch, problem) => {
    const bad = { ...BTC, ...patch };
    for (const run of [
      () => preflight(base, ACCOUNTS, bad),
      () => planExecution({ req: base, accounts: ACCOUNTS, instrument: bad, mark: MARK }),
    ]) {
      const e = rejection(run);
      expect(e).toMatchObject({ code: 'INVALID_ORDER', path: ['symbol'] });
      expect(e.message).toMatch(/instrument rules for BTCUSDT are invalid/);
      expect(e.message).toMatch(problem);
    }
  });

  it('a symbol whose rules the market data refused at load: its reason, not "unknown symbol"', () => {
    const e = rejection(() => preflight(base, ACCOUNTS, undefined, 'qtyStep = 0 (must be a positive number)'));
    expect(e).toMatchObject({ code: 'INVALID_ORDER', path: ['symbol'] });
    expect(e.message).toBe(
      "the exchange's instrument rules for BTCUSDT are invalid (qtyStep = 0 (must be a positive number)); it cannot be traded until they are fixed",
    );
  });
});
