import { ActionRequest, type ActionRequestInput, type Position } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { ACCOUNTS, BTC, heldPosition } from '../../test-support/execution.ts';
import { AppError } from '../core/app-error.ts';
import { breakEvenPrice, planAction, stopLevels } from './action-plan.ts';

const pos = heldPosition;

const FAMILY = new Map<string, Position | null>([
  ['main', pos('main')],
  ['mirror1', pos('mirror1', { size: 0.05, entryPrice: 50_010 })],
  ['mirror2', pos('mirror2', { size: 0.2, entryPrice: 49_990 })],
]);

function plan(
  action: ActionRequestInput['action'],
  over: Partial<ActionRequestInput> = {},
  positions = FAMILY,
  mark = 52_000,
) {
  const req = ActionRequest.parse({ idempotencyKey: 'act-000001', symbol: 'BTCUSDT', side: 'long', action, ...over });
  return planAction({
    req,
    accounts: ACCOUNTS,
    instrument: BTC,
    positions,
    feeRates: new Map([
      ['main', 0.00055],
      ['mirror1', 0.0004],
      ['mirror2', null],
    ]),
    fallbackFeeRate: 0.001,
    mark,
  });
}

describe('breakEvenPrice', () => {
  it.each([
    // side, entry, fee, tick, expected (entry·(1±f)/(1∓f), away from the entry to the tick)
    ['long', 50_000, 0.00055, 0.1, 50_055.1],
    ['short', 50_000, 0.00055, 0.1, 49_945],
    ['long', 100, 0, 0.01, 100],
    ['short', 3_000, 0.0002, 0.01, 2_998.8],
    ['long', 0.5, 0.001, 0.0001, 0.5011],
  ] as const)('%s at %d, fee %d, tick %d: %d', (side, entry, fee, tick, expected) => {
    expect(breakEvenPrice(side, entry, fee, tick)).toBe(expected);
  });
  it('never on the losing side of the true break-even', () => {
    for (const entry of [1.2345, 17.07, 4_321.9, 65_432.1]) {
      const be = breakEvenPrice('long', entry, 0.00055, 0.1);
      expect((be - entry) * 1).toBeGreaterThanOrEqual((entry + be) * 0.00055 - 1e-9);
      const bs = breakEvenPrice('short', entry, 0.00055, 0.1);
      expect(entry - bs).toBeGreaterThanOrEqual((entry + bs) * 0.00055 - 1e-9);
    }
  });
});

describe('planAction: sizes per leg', () => {
  it.each([
    ['close all', { kind: 'close' }, [0.1, 0.05, 0.2]],
    ['close 50 %', { kind: 'close', percent: 50 }, [0.05, 0.025, 0.1]],
    ['close 33 % rounds down per leg', { kind: 'close', percent: 33 }, [0.033, 0.016, 0.066]],
    ['close at a limit, 25 %', { kind: 'close-limit', price: 53_000, percent: 25 }, [0.025, 0.012, 0.05]],
  ] as const)('%s', (_, action, sizes) => {
    const p = plan(action);
    expect(p.legs.map((l) => l.qty)).toEqual(sizes);
    expect(p.legs.every((l) => l.skip === null && l.takeProfit === null && l.stopLoss === null)).toBe(true);
    expect(p.kind).toBe('close');
  });
  it('close all sends a size read with binary dust as the whole steps it is on the exchange', () => {
    // 0.1 + 0.2 is 0.30000000000000004 and 0.3 - 0.1 is 0.19999999999999998: sent as read, the exchange would
    // truncate the second to 0.199 and leave one step open.
    const dusty = new Map<string, Position | null>([
      ['main', pos('main', { size: 0.1 + 0.2 })],
      ['mirror1', pos('mirror1', { size: 0.3 - 0.1 })],
    ]);
    expect(plan({ kind: 'close' }, {}, dusty).legs.map((l) => l.qty)).toEqual([0.3, 0.2]);
  });

  it('a leg whose share is below the minimum order is not sent, and says why', () => {
    const p = plan({ kind: 'close', percent: 1 });
    expect(p.legs.map((l) => l.skip !== null)).toEqual([false, true, false]);
    expect(p.legs[1]!.skip).toMatch(/below the minimum order 0.001/);
  });
});

describe('planAction: which levels per action', () => {
  it.each([
    ['set TP only', { kind: 'set-tpsl', takeProfit: 60_000 }, [60_000, 48_000], { takeProfit: 60_000 }],
    ['clear the SL', { kind: 'set-tpsl', stopLoss: null }, [56_000, null], { stopLoss: null }],
    [
      'both',
      { kind: 'set-tpsl', takeProfit: 60_000, stopLoss: 51_000 },
      [60_000, 51_000],
      { takeProfit: 60_000, stopLoss: 51_000 },
    ],
    ['trailing', { kind: 'trailing', distance: 500 }, [56_000, 48_000], { trailingStop: 500, activePrice: null }],
    [
      'clear trailing',
      { kind: 'trailing', distance: null },
      [56_000, 48_000],
      { trailingStop: null, activePrice: null },
    ],
    ['cancel orders', { kind: 'cancel-orders' }, [56_000, 48_000], {}],
  ] as const)('%s', (_, action, [tp, sl], call) => {
    const p = plan(action);
    expect(p.legs.map((l) => [l.takeProfit, l.stopLoss])).toEqual(Array(3).fill([tp, sl]));
    expect(stopLevels(p.action, p.legs[0]!)).toEqual(call);
  });
  it('SL to break-even: each account its own entry and fee rate (the configured one when unknown)', () => {
    const p = plan({ kind: 'sl-break-even' });
    expect(p.legs.map((l) => l.stopLoss)).toEqual([
      breakEvenPrice('long', 50_000, 0.00055, 0.1),
      breakEvenPrice('long', 50_010, 0.0004, 0.1),
      breakEvenPrice('long', 49_990, 0.001, 0.1),
    ]);
    expect(p.adjustments.join(' ')).toMatch(/mirror2: fee rate unknown/);
  });
  it.each([
    ['the mark is not past break-even', { mark: 50_040, sl: undefined }, /not past break-even/],
    [
      'the SL is already past break-even (never loosened)',
      { mark: undefined, sl: 51_000 },
      /already at or past break-even/,
    ],
  ])('SL to break-even skipped when %s', (_, { mark, sl }, why) => {
    const positions = new Map([['main', pos('main', sl ? { stopLoss: sl } : {})]]);
    const p = plan({ kind: 'sl-break-even' }, {}, positions, mark ?? 52_000);
    expect(p.legs[0]!.skip).toMatch(why);
  });
  it('a short moves its SL down to break-even', () => {
    const positions = new Map([['main', pos('main', { side: 'short', stopLoss: 52_000, takeProfit: null })]]);
    const p = plan({ kind: 'sl-break-even' }, { side: 'short' }, positions, 48_000);
    expect(p.legs[0]!.stopLoss).toBe(breakEvenPrice('short', 50_000, 0.00055, 0.1));
  });
});

describe('planAction: refusals (nothing sent)', () => {
  it.each([
    ['no account holds it', { kind: 'close' }, {}, new Map(), 'NOT_FOUND'],
    ['an SL above the mark for a long', { kind: 'set-tpsl', stopLoss: 53_000 }, {}, FAMILY, 'BAD_REQUEST'],
    ['a TP below the mark for a long', { kind: 'set-tpsl', takeProfit: 51_000 }, {}, FAMILY, 'BAD_REQUEST'],
    ['a level off the tick', { kind: 'set-tpsl', stopLoss: 49_000.05 }, {}, FAMILY, 'BAD_REQUEST'],
    ['a limit off the tick', { kind: 'close-limit', price: 53_000.03 }, {}, FAMILY, 'BAD_REQUEST'],
    ['an unknown account', { kind: 'close' }, { accounts: ['nobody'] }, FAMILY, 'BAD_REQUEST'],
    [
      'activePrice below the mark for a long',
      { kind: 'trailing', distance: 100, activePrice: 51_000 },
      {},
      FAMILY,
      'BAD_REQUEST',
    ],
  ] as const)('%s', (_, action, over, positions, code) => {
    const err = (() => {
      try {
        plan(action, over as Partial<ActionRequestInput>, positions as Map<string, Position | null>);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(code);
  });
  it('accounts holding nothing are left out by default, named ones get a leg that says so', () => {
    const positions = new Map([['main', pos('main')]]);
    expect(plan({ kind: 'close' }, {}, positions).legs.map((l) => l.account)).toEqual(['main']);
    const named = plan({ kind: 'close' }, { accounts: ['main', 'mirror1'] }, positions);
    expect(named.legs.map((l) => [l.account, l.skip !== null])).toEqual([
      ['main', false],
      ['mirror1', true],
    ]);
  });
});
