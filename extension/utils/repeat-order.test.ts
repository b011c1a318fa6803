import type { ExecuteResult, InstrumentInfo } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { ACCOUNTS } from '../test-support/fixtures.ts';
import type { ExecuteForm } from './execute-fields.ts';
import { buildRequest, emptyForm, type Plan } from './execute-form.ts';
import { APPROX_QTY_TOLERANCE, checkRepeat, findRepeat, REPEAT_WINDOW_MS } from './repeat-order.ts';

const BTC: InstrumentInfo = {
  symbol: 'BTCUSDT',
  tickSize: 0.1,
  qtyStep: 0.001,
  minQty: 0.001,
  maxQty: 100,
  minNotional: 5,
  markPrice: 60_000,
};
const NOW = 1_800_000_000_000;

const planOf = (over: Partial<ExecuteForm> = {}, key = 'new-key-0000000000000000000000000'): Plan => {
  const form = { ...emptyForm(ACCOUNTS), symbol: 'BTCUSDT', quantity: '0.01', ...over };
  const r = buildRequest(form, { instrument: BTC, accounts: ACCOUNTS, idempotencyKey: key });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.plan;
};

/** What the companion lists for `plan` sent `ageMs` ago under another key. */
const sent = (plan: Plan, ageMs: number, over: Partial<ExecuteResult> = {}): ExecuteResult => ({
  executionId: `ex_${ageMs}`,
  idempotencyKey: 'old-key-0000000000000000000000000',
  status: 'complete',
  symbol: plan.request.symbol,
  side: plan.request.side,
  orderType: plan.request.orderType,
  startedAt: NOW - ageMs,
  finishedAt: NOW - ageMs + 300,
  adjustments: [],
  legs: plan.legs.map((l) => ({
    account: l.account,
    clientOrderId: `old-${l.account}`,
    status: 'filled',
    orderId: `${l.account}-1`,
    qty: l.qty!,
    filledQty: l.qty!,
    avgPrice: 60_000,
    takeProfit: null,
    stopLoss: null,
    error: null,
  })),
  ...over,
});

const base = planOf();
const risk = planOf({ sizeMode: 'risk', riskAmount: '60', sl: '1', slMode: 'pct' });
const scaled = (e: ExecuteResult, factor: number): ExecuteResult => ({
  ...e,
  legs: e.legs.map((l) => ({ ...l, qty: l.qty * factor })),
});

describe('findRepeat', () => {
  it.each<{ name: string; plan: Plan; listed: ExecuteResult[]; repeat: string | null }>([
    { name: 'the same order 3 s ago', plan: base, listed: [sent(base, 3000)], repeat: 'ex_3000' },
    { name: 'nothing listed', plan: base, listed: [], repeat: null },
    {
      name: 'at the window’s edge',
      plan: base,
      listed: [sent(base, REPEAT_WINDOW_MS)],
      repeat: `ex_${REPEAT_WINDOW_MS}`,
    },
    { name: 'just past the window', plan: base, listed: [sent(base, REPEAT_WINDOW_MS + 1)], repeat: null },
    { name: 'started "in the future" (clock step)', plan: base, listed: [sent(base, -500)], repeat: 'ex_-500' },
    { name: 'another symbol', plan: base, listed: [sent(base, 3000, { symbol: 'ETHUSDT' })], repeat: null },
    {
      name: 'an action on the held long (a close of the same size), not an order',
      plan: base,
      listed: [sent(base, 3000, { action: { kind: 'close', percent: 100 } })],
      repeat: null,
    },
    { name: 'the other side', plan: base, listed: [sent(base, 3000, { side: 'short' })], repeat: null },
    { name: 'another quantity', plan: planOf({ quantity: '0.02' }), listed: [sent(base, 3000)], repeat: null },
    { name: 'one qty step more', plan: planOf({ quantity: '0.011' }), listed: [sent(base, 3000)], repeat: null },
    {
      name: 'fewer accounts',
      plan: planOf({ accounts: ['main', 'mirror1'] }),
      listed: [sent(base, 3000)],
      repeat: null,
    },
    {
      name: 'a limit after a market of the same size',
      plan: planOf({ orderType: 'limit', price: '59000' }),
      listed: [sent(base, 3000)],
      repeat: 'ex_3000',
    },
    {
      name: 'every leg refused: nothing went out',
      plan: base,
      listed: [sent(base, 3000, { status: 'failed' })],
      repeat: null,
    },
    { name: 'partly placed', plan: base, listed: [sent(base, 3000, { status: 'partial' })], repeat: 'ex_3000' },
    { name: 'still pending', plan: base, listed: [sent(base, 3000, { status: 'pending' })], repeat: 'ex_3000' },
    {
      name: 'this very request (its own key), followed after a lost answer',
      plan: base,
      listed: [sent(base, 3000, { idempotencyKey: base.request.idempotencyKey })],
      repeat: null,
    },
    {
      name: 'the newest of several',
      plan: base,
      listed: [sent(base, 40_000), sent(base, 9000), sent(base, 20_000)],
      repeat: 'ex_9000',
    },
    {
      name: 'risk-sized, the companion’s size a little off the estimate',
      plan: risk,
      listed: [scaled(sent(risk, 3000), 1 + APPROX_QTY_TOLERANCE / 2)],
      repeat: 'ex_3000',
    },
    {
      name: 'risk-sized, a clearly different size',
      plan: risk,
      listed: [scaled(sent(risk, 3000), 1 + 2 * APPROX_QTY_TOLERANCE)],
      repeat: null,
    },
  ])('$name', ({ plan, listed, repeat }) => {
    const found = findRepeat(plan, listed, NOW);
    expect(found?.execution.executionId ?? null).toBe(repeat);
    if (found) expect(found.ageMs).toBe(Math.max(0, NOW - found.execution.startedAt));
  });
});

describe('checkRepeat', () => {
  const listing = (data: ExecuteResult[] | Error) => ({
    executions: async () => {
      if (data instanceof Error) throw data;
      return { data };
    },
  });

  it.each<{ name: string; listed: ExecuteResult[] | Error; local: ExecuteResult[]; state: string }>([
    {
      name: 'the companion lists it (another window, an earlier popup)',
      listed: [sent(base, 3000)],
      local: [],
      state: 'found',
    },
    { name: 'only this window knows it yet', listed: [], local: [sent(base, 3000)], state: 'found' },
    { name: 'nobody has it', listed: [], local: [], state: 'none' },
    {
      name: 'the list fails, this window placed it',
      listed: new Error('down'),
      local: [sent(base, 3000)],
      state: 'found',
    },
    { name: 'the list fails, nothing known', listed: new Error('down'), local: [], state: 'error' },
  ])('$name → $state', async ({ listed, local, state }) => {
    expect((await checkRepeat(listing(listed), base, local, () => NOW)).state).toBe(state);
  });
});
