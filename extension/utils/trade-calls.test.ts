import type { ExecuteRequest, ExecuteResult, LegResult } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { fakeFetch } from '../test-support/fake-fetch.ts';
import { type ApiError, createApi } from './api.ts';
import type { Plan } from './execute-form.ts';
import { placeTrade } from './trade-calls.ts';
import type { TradeAction } from './trade-flow.ts';

const KEY = 'abcdef0123456789abcdef0123456789';
const BASE = 'http://127.0.0.1:8787';
const EXECUTE = `${BASE}/api/v1/trading/execute`;
const LIST = `${BASE}/api/v1/trading/executions`;

const REQ: ExecuteRequest = {
  idempotencyKey: KEY,
  symbol: 'BTCUSDT',
  side: 'long',
  orderType: 'limit',
  price: 60_000,
  quantity: 0.01,
};
const PLAN: Plan = {
  request: REQ,
  refPrice: 60_000,
  takeProfit: null,
  stopLoss: null,
  legs: [{ account: 'main', role: 'main', ratio: 1, qty: 0.01, approx: false, warning: null }],
  notes: [],
};

const leg = (account: string): LegResult => ({
  account,
  clientOrderId: `${KEY}-${account}`,
  status: 'placed',
  orderId: `${account}-1`,
  qty: 0.01,
  filledQty: 0,
  avgPrice: null,
  takeProfit: null,
  stopLoss: null,
  error: null,
});
/** An execution that went out on `main`; `idempotencyKey` another key's makes it a repeat of PLAN. */
const execution = (idempotencyKey: string, startedAt: number): ExecuteResult => ({
  executionId: `ex_${idempotencyKey.slice(0, 4)}`,
  idempotencyKey,
  status: 'complete',
  symbol: 'BTCUSDT',
  side: 'long',
  orderType: 'limit',
  startedAt,
  finishedAt: startedAt + 1,
  adjustments: [],
  legs: [leg('main')],
});
const EARLIER = execution('zzzz0123456789abcdef0123456789ab', Date.now() - 2_000);
const PLACED = execution(KEY, Date.now());

type Answer = { status: number; body: unknown };
/** A companion answering the recent executions list with `listed` and POST /execute with `post`. */
function companion(listed: Answer, post: Answer) {
  const posts: string[] = [];
  const api = createApi({
    baseUrl: BASE,
    token: 't',
    fetch: fakeFetch((url, init) => {
      if (url === EXECUTE) {
        posts.push(String(init.body));
        return post;
      }
      if (url === LIST) return listed;
      return { status: 404, body: { error: { code: 'NOT_FOUND', message: url } } };
    }),
  });
  return { api, posts };
}

const ok = (body: unknown): Answer => ({ status: 200, body });
const refusal: Answer = { status: 400, body: { error: { code: 'INVALID_ORDER', message: 'below min' } } };

describe('placeTrade', () => {
  it.each([
    {
      name: 'a repeat found on asking again: back to confirm, nothing sent',
      repeatAck: false,
      listed: ok({ data: [EARLIER] }),
      post: ok(PLACED),
      steps: ['placing', 'repeat-found'],
      sent: 0,
      placed: 0,
    },
    {
      name: 'no repeat: sent once, and remembered as placed here',
      repeatAck: false,
      listed: ok({ data: [] }),
      post: ok(PLACED),
      steps: ['placing', 'placed'],
      sent: 1,
      placed: 1,
    },
    {
      name: 'the repeat acknowledged: not asked again, sent once',
      repeatAck: true,
      listed: ok({ data: [EARLIER] }),
      post: ok(PLACED),
      steps: ['placing', 'placed'],
      sent: 1,
      placed: 1,
    },
    {
      name: 'refused by the companion: the error goes to the steps, nothing remembered',
      repeatAck: true,
      listed: ok({ data: [] }),
      post: refusal,
      steps: ['placing', 'refused'],
      sent: 1,
      placed: 0,
    },
  ])('$name', async ({ repeatAck, listed, post, steps, sent, placed }) => {
    const { api, posts } = companion(listed, post);
    const told: TradeAction[] = [];
    const placedHere: ExecuteResult[] = [];
    await placeTrade(api, PLAN, { repeatAck, placedHere, dispatch: (a) => told.push(a) });
    expect(told.map((a) => a.type)).toEqual(steps);
    expect(posts).toHaveLength(sent);
    expect(placedHere).toHaveLength(placed);
    const last = told.at(-1);
    if (last?.type === 'refused') expect((last.error as ApiError).code).toBe('INVALID_ORDER');
    if (last?.type === 'placed') expect(last.result.executionId).toBe(PLACED.executionId);
    if (last?.type === 'repeat-found' && last.repeat.state === 'found')
      expect(last.repeat.repeat.execution.executionId).toBe(EARLIER.executionId);
  });
});
