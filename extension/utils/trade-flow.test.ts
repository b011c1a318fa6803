import type { ExecuteResult, LegResult } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { position } from '../test-support/fixtures.ts';
import { ApiError } from './api.ts';
import type { Plan } from './execute-form.ts';
import {
  describeError,
  freeUsdt,
  heldOn,
  initialTrade,
  shownResult,
  type TradeAction,
  type TradeState,
  tradeReducer,
  unsettled,
} from './trade-flow.ts';

const plan = (key: string): Plan => ({
  request: { idempotencyKey: key, symbol: 'BTCUSDT', side: 'long', orderType: 'market', quantity: 0.01 },
  refPrice: 60_000,
  takeProfit: null,
  stopLoss: null,
  legs: [],
  notes: [],
});
const leg = (over: Partial<LegResult> = {}): LegResult => ({
  account: 'main',
  clientOrderId: 'c1',
  status: 'placed',
  orderId: 'o1',
  qty: 0.01,
  filledQty: 0,
  avgPrice: null,
  takeProfit: null,
  stopLoss: null,
  error: null,
  ...over,
});
const result = (over: Partial<ExecuteResult> = {}): ExecuteResult => ({
  executionId: 'ex_1',
  idempotencyKey: 'k1',
  status: 'complete',
  symbol: 'BTCUSDT',
  side: 'long',
  orderType: 'market',
  startedAt: 1,
  finishedAt: 2,
  adjustments: [],
  legs: [leg()],
  ...over,
});
const run = (...actions: TradeAction[]): TradeState => actions.reduce(tradeReducer, initialTrade);
const review = (key = 'k1', reads = true): TradeAction => ({ type: 'reviewing', plan: plan(key), reads });

describe('tradeReducer: the steps', () => {
  it.each<[string, TradeAction[], Partial<TradeState> & { at: string }]>([
    ['review opens confirm, reads pending', [review()], { at: 'confirm', held: { state: 'checking' } }],
    [
      'review without a companion: nothing to ask',
      [review('k1', false)],
      { at: 'confirm', held: { state: 'error', message: 'not connected' }, repeat: { state: 'none' } },
    ],
    ['place from confirm', [review(), { type: 'placing' }], { at: 'placing' }],
    ['place only from confirm', [{ type: 'placing' }], { at: 'form' }],
    [
      'a lost answer follows the key',
      [review(), { type: 'placing' }, { type: 'checking', message: 'checking…' }],
      { at: 'checking' },
    ],
    ['placed: the result', [review(), { type: 'placing' }, { type: 'placed', result: result() }], { at: 'result' }],
    [
      'not placed: back to confirm, said',
      [review(), { type: 'placing' }, { type: 'unsettled', message: 'nothing was placed' }],
      { at: 'confirm', banner: 'nothing was placed' },
    ],
    [
      'a repeat found as it went: back to confirm',
      [review(), { type: 'placing' }, { type: 'repeat-found', repeat: { state: 'none' } }],
      { at: 'confirm' },
    ],
    [
      'a 5xx refusal stays on confirm',
      [review(), { type: 'placing' }, { type: 'refused', error: new ApiError('INTERNAL', 'journal', 500) }],
      { at: 'confirm', banner: 'INTERNAL: journal' },
    ],
    [
      'a 4xx refusal names its field and goes back to the form',
      [
        review(),
        { type: 'placing' },
        { type: 'refused', error: new ApiError('INVALID_ORDER', 'below min', 400, ['quantity']) },
      ],
      { at: 'form', errors: { quantity: 'INVALID_ORDER: below min' } },
    ],
    ['back to the form', [review(), { type: 'back' }], { at: 'form' }],
    ['a new trade starts over', [review(), { type: 'placed', result: result() }, { type: 'new' }], { at: 'form' }],
  ])('%s', (_name, actions, expected) => {
    const { at, ...rest } = expected;
    const s = run(...actions);
    expect(s.step.at).toBe(at);
    expect(s).toMatchObject(rest);
  });

  it('a late answer for an abandoned plan is dropped', () => {
    const s = run(review('k1'), { type: 'back' }, review('k2'), {
      type: 'held',
      key: 'k1',
      held: { state: 'ok', byAccount: {} },
    });
    expect(s.held).toEqual({ state: 'checking' });
    const t = tradeReducer(s, { type: 'held', key: 'k2', held: { state: 'ok', byAccount: {} } });
    expect(t.held).toEqual({ state: 'ok', byAccount: {} });
    expect(tradeReducer(t, { type: 'free', key: 'k1', free: { main: 1 } }).free).toBeNull();
  });

  it('an edit clears its own field’s error and the form’s, nothing else', () => {
    const s = run({ type: 'invalid', errors: { tp: 'bad', sl: 'bad', form: 'x' } }, { type: 'edited', key: 'tpMode' });
    expect(s.errors).toEqual({ tp: undefined, sl: 'bad', form: undefined });
  });

  it('a review resets the acknowledgements', () => {
    const s = run(
      review(),
      { type: 'ack-held', on: true },
      { type: 'ack-repeat', on: true },
      { type: 'back' },
      review(),
    );
    expect([s.heldAck, s.repeatAck]).toEqual([false, false]);
  });
});

describe('shownResult: the stream carries the outcome', () => {
  const pending = result({ status: 'pending', finishedAt: null, legs: [leg({ status: 'pending' })] });
  const finished = result({ legs: [leg({ status: 'placed' })] });
  const filled = result({ legs: [leg({ status: 'filled', filledQty: 0.01, avgPrice: 60_010 })] });
  it.each<[string, ExecuteResult, (ExecuteResult | null)[], ExecuteResult]>([
    ['nothing streamed yet: the answer', pending, [null], pending],
    ['the stream finished it', pending, [finished], finished],
    ['fills read back (execution-updated)', finished, [filled], filled],
    ['another execution on the stream is not this one', pending, [{ ...filled, executionId: 'ex_2' }], pending],
    ['an older read never replaces what the stream brought', pending, [filled, finished], filled],
    [
      'a tie goes to the later source',
      finished,
      [{ ...finished, adjustments: ['x'] }],
      { ...finished, adjustments: ['x'] },
    ],
  ])('%s', (_name, answer, later, expected) => expect(shownResult(answer, ...later)).toEqual(expected));

  it.each<[string, ExecuteResult, boolean]>([
    ['pending', pending, true],
    ['market, legs placed but not filled', finished, true],
    ['market, filled', filled, false],
    ['limit, placed', result({ orderType: 'limit' }), false],
  ])('unsettled: %s → %s', (_name, r, more) => expect(unsettled(r)).toBe(more));
});

describe('trade reads', () => {
  it('held positions on the symbol, per account', () => {
    const ps = [position(), position({ account: 'mirror1', size: 0.05 }), position({ symbol: 'ETHUSDT' })];
    expect(heldOn(ps, 'BTCUSDT')).toEqual({
      main: { side: 'long', size: 0.1, leverage: 10 },
      mirror1: { side: 'long', size: 0.05, leverage: 10 },
    });
  });
  it('free USDT per account', () => {
    expect(
      freeUsdt([
        { account: 'main', currency: 'USDT', free: 100, total: 120 },
        { account: 'main', currency: 'BTC', free: 1, total: 1 },
      ] as never),
    ).toEqual({ main: 100 });
  });
  it.each([
    [new ApiError('TIMEOUT', 'no answer in 10 s', null), 'no answer in 10 s'],
    [new ApiError('UNKNOWN_ACCOUNT', 'no such account', 400), 'UNKNOWN_ACCOUNT: no such account'],
    [new Error('boom'), 'boom'],
  ])('describeError %#', (err, text) => expect(describeError(err)).toBe(text));
});
