import type { ExecuteRequest, ExecuteResult, LegResult } from '@tierwatch/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, type Route } from '../test-support/fake-fetch.ts';
import { ApiError, createApi, EXECUTE_TIMEOUT_MS } from './api.ts';
import { answerLost, FOLLOW_ATTEMPTS, FOLLOW_INTERVAL_MS, placeExecution } from './execute-flow.ts';

const KEY = 'abcdef0123456789abcdef0123456789';
const REQ: ExecuteRequest = {
  idempotencyKey: KEY,
  symbol: 'BTCUSDT',
  side: 'long',
  orderType: 'limit',
  price: 60_000,
  quantity: 0.01,
};
const BASE = 'http://127.0.0.1:8787';
const EXECUTE = `${BASE}/api/v1/trading/execute`;
const BY_KEY = `${BASE}/api/v1/trading/executions?key=${KEY}`;

const leg = (account: string, status: LegResult['status']): LegResult => ({
  account,
  clientOrderId: `${KEY}-${account}`,
  status,
  orderId: status === 'pending' ? null : `${account}-1`,
  qty: 0.01,
  filledQty: 0,
  avgPrice: null,
  takeProfit: null,
  stopLoss: null,
  error: null,
});
const execution = (status: ExecuteResult['status'], legStatus: LegResult['status']): ExecuteResult => ({
  executionId: 'ex_1',
  idempotencyKey: KEY,
  status,
  symbol: 'BTCUSDT',
  side: 'long',
  orderType: 'limit',
  startedAt: 1,
  finishedAt: status === 'pending' ? null : 2,
  adjustments: [],
  legs: [leg('main', legStatus), leg('mirror1', legStatus)],
});

/** A companion whose answer to POST /execute is `post`; every request is recorded. */
function companion(post: ReturnType<Route>, rest: Route) {
  const calls: string[] = [];
  const api = createApi({
    baseUrl: BASE,
    token: 't',
    fetch: fakeFetch((url, init) => {
      calls.push(`${init.method ?? 'GET'} ${url}`);
      return url === EXECUTE ? post : rest(url, init);
    }),
  });
  return { api, calls, posts: () => calls.filter((c) => c.startsWith('POST')).length };
}

/** Runs the flow to its end on fake time: past the execute timeout, then the follow-up reads. */
async function run(api: ReturnType<typeof createApi>) {
  const checking: string[] = [];
  const out = placeExecution(api, REQ, { onChecking: (m) => checking.push(m) }).catch((e: unknown) => e);
  await vi.advanceTimersByTimeAsync(EXECUTE_TIMEOUT_MS + FOLLOW_ATTEMPTS * FOLLOW_INTERVAL_MS + 20_000);
  return { outcome: await out, checking };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('placeExecution', () => {
  it('a hanging execute: "may have been placed — checking…", then the execution found by its key', async () => {
    let keyReads = 0;
    const { api, calls, posts } = companion('hang', (url) => {
      // The first reads find nothing yet; then the execution (complete by then).
      if (url === BY_KEY)
        return { status: 200, body: { data: ++keyReads < 3 ? [] : [execution('complete', 'placed')] } };
      return { status: 404, body: null };
    });
    const { outcome, checking } = await run(api);
    expect(checking).toHaveLength(1);
    expect(checking[0]).toBe(
      `The companion at ${BASE} did not answer POST /api/v1/trading/execute within ${EXECUTE_TIMEOUT_MS / 1000} s: ` +
        'the order may have been placed — checking…',
    );
    expect(outcome).toMatchObject({
      kind: 'result',
      followed: true,
      result: { executionId: 'ex_1', status: 'complete' },
    });
    expect(posts()).toBe(1); // followed by reads, never sent again
    expect(calls.filter((c) => c === `GET ${BY_KEY}`)).toHaveLength(3);
  });

  it('a hanging execute the companion has no record of: not placed, said so', async () => {
    const { api, posts } = companion('hang', () => ({ status: 200, body: { data: [] } }));
    const { outcome, checking } = await run(api);
    expect(checking).toHaveLength(1);
    expect(outcome).toMatchObject({ kind: 'not-placed', message: expect.stringMatching(/nothing was placed/) });
    expect(posts()).toBe(1);
  });

  it('a companion that answers its whole list to ?key= (an older one): only the key’s execution counts', async () => {
    const other = { ...execution('complete', 'placed'), executionId: 'ex_other', idempotencyKey: 'another-key-000000' };
    const { api } = companion('network', () => ({ status: 200, body: { data: [other] } }));
    expect((await run(api)).outcome).toMatchObject({ kind: 'not-placed' });
  });

  it('a broken connection and a companion gone: unknown, with the reason, nothing sent again', async () => {
    const { api, posts, calls } = companion('network', () => 'network');
    const { outcome, checking } = await run(api);
    expect(checking[0]).toBe(
      'The connection to the companion broke before it answered: the order may have been placed — checking…',
    );
    expect(outcome).toMatchObject({ kind: 'unknown', message: expect.stringMatching(/not reachable/) });
    expect(posts()).toBe(1);
    expect(calls.filter((c) => c === `GET ${BY_KEY}`)).toHaveLength(FOLLOW_ATTEMPTS);
  });

  it('a refusal (4xx) throws: nothing was placed, nothing to follow', async () => {
    const refused = {
      status: 400,
      body: { error: { code: 'INVALID_ORDER', message: 'below min qty', path: ['quantity'] } },
    };
    const { api, calls } = companion(refused, () => 'network');
    const { outcome, checking } = await run(api);
    expect(outcome).toBeInstanceOf(ApiError);
    expect(outcome).toMatchObject({ code: 'INVALID_ORDER', path: ['quantity'] });
    expect(checking).toEqual([]);
    expect(calls).toEqual([`POST ${EXECUTE}`]);
  });

  it('an answered execute that is pending is not polled: what follows comes from the stream', async () => {
    const { api, calls } = companion({ status: 200, body: execution('pending', 'pending') }, () => ({
      status: 200,
      body: execution('partial', 'placed'),
    }));
    const { outcome, checking } = await run(api);
    expect(outcome).toMatchObject({ kind: 'result', followed: false, result: { status: 'pending' } });
    expect(checking).toEqual([]);
    expect(calls).toEqual([`POST ${EXECUTE}`]);
  });
});

describe('answerLost', () => {
  it.each<[string, unknown, boolean]>([
    ['timeout', new ApiError('TIMEOUT', 'no answer', null), true],
    ['broken connection', new ApiError('NETWORK', 'reset', null), true],
    ['unreadable 200', new ApiError('BAD_RESPONSE', 'Unexpected response', 200), true],
    ['bodiless 502', new ApiError('BAD_RESPONSE', 'HTTP 502', 502), true],
    ['bodiless 404', new ApiError('BAD_RESPONSE', 'HTTP 404', 404), false],
    ['validation 400', new ApiError('INVALID_ORDER', 'below min', 400), false],
    ['journal 500 (before anything is sent)', new ApiError('INTERNAL', 'nothing was placed', 500), false],
    ['not an ApiError', new Error('bug'), false],
  ])('%s → %s', (_name, err, lost) => expect(answerLost(err)).toBe(lost));
});
