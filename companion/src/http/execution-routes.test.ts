import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecuteResult, ExecutionsResponse } from '@tierwatch/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { btcLong, fakeExchange, heldPosition } from '../../test-support/execution.ts';
import { EventBus } from '../core/bus.ts';
import { systemClock } from '../core/clock.ts';
import { ExecutionService } from '../execution/service.ts';
import { createApp } from './app.ts';

const TOKEN = 'test-token-0123456789';
let service: ExecutionService | null = null;
afterEach(async () => {
  await service?.close();
  service = null;
});

async function harness() {
  const ex = fakeExchange();
  service = await ExecutionService.open({
    accounts: ex.accounts,
    clients: ex.clients,
    market: ex.market,
    monitor: { setMode: () => {} },
    bus: new EventBus(),
    clock: systemClock,
    dataDir: mkdtempSync(join(tmpdir(), 'tw-exec-routes-')),
  });
  const app = createApp({
    version: 't',
    clock: systemClock,
    startedAt: 0,
    pairing: { verify: (t) => t === TOKEN },
    execution: service,
  });
  const headers = { Host: '127.0.0.1:8787', Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
  const post = (body: unknown, h: Record<string, string> = headers) =>
    app.request('/api/v1/trading/execute', {
      method: 'POST',
      headers: h,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const get = (path: string) => app.request(path, { headers });
  const act = (body: unknown) =>
    app.request('/api/v1/trading/actions', {
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { ex, post, get, act };
}

const body = btcLong({ idempotencyKey: 'route-key-1' });

describe('execution routes', () => {
  it('POST /execute answers an ExecuteResult the extension parses; GET reads it back', async () => {
    const { post, get } = await harness();
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const r = ExecuteResult.parse(await res.json());
    expect(r.status).toBe('complete');
    await service!.settled(); // fills read back after the answer
    const back = ExecuteResult.parse(await (await get(`/api/v1/trading/executions/${r.executionId}`)).json());
    expect(back).toEqual({ ...r, legs: back.legs });
    expect(back.legs.map((l) => [l.account, l.orderId, l.status])).toEqual(
      r.legs.map((l) => [l.account, l.orderId, 'filled']),
    );
    const list = (await (await get('/api/v1/trading/executions')).json()) as { data: unknown[] };
    expect(list.data).toHaveLength(1);
  });

  it('400 naming the field, nothing placed; 409 on a reused key with another body; 404; 401 without token', async () => {
    const { post, get, ex } = await harness();
    const bad = await post({ ...body, stopLoss: 60_000 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'INVALID_ORDER', path: ['stopLoss'] } });
    const schema = await post({ ...body, quantity: undefined });
    expect(schema.status).toBe(400);
    expect(await schema.json()).toMatchObject({ error: { code: 'BAD_REQUEST', path: ['quantity'] } });
    expect((await post('{not json')).status).toBe(400);
    expect([...ex.clients.values()].map((c) => c.calls.placeOrder)).toEqual([0, 0, 0]);
    expect((await post(body)).status).toBe(200);
    const conflict = await post({ ...body, quantity: 0.02 });
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_CONFLICT' } });
    expect((await get('/api/v1/trading/executions/ex_nope')).status).toBe(404);
    expect((await post(body, { Host: '127.0.0.1:8787', 'Content-Type': 'application/json' })).status).toBe(401);
  });

  it('GET /executions?key= answers the execution of that key alone (how a client follows a lost answer)', async () => {
    const { post, get, ex } = await harness();
    const first = ExecuteResult.parse(await (await post(body)).json());
    const other = ExecuteResult.parse(await (await post(btcLong({ idempotencyKey: 'route-key-2' }))).json());
    const placed = [...ex.clients.values()].map((c) => c.calls.placeOrder);
    const byKey = async (key: string) =>
      ExecutionsResponse.parse(await (await get(`/api/v1/trading/executions?key=${key}`)).json()).data;
    expect((await byKey('route-key-1')).map((r) => r.executionId)).toEqual([first.executionId]);
    expect((await byKey('route-key-2')).map((r) => r.executionId)).toEqual([other.executionId]);
    expect(await byKey('route-key-never-used')).toEqual([]);
    expect((await get('/api/v1/trading/executions?key=bad key!')).status).toBe(400);
    // A read: following a key never places anything.
    expect([...ex.clients.values()].map((c) => c.calls.placeOrder)).toEqual(placed);
  });

  it('POST /actions answers the action as an ExecuteResult; invalid or positionless ones are 4xx with nothing sent', async () => {
    const { ex, act, get } = await harness();
    ex.clients.get('main')!.positions = [heldPosition('main')];
    const ok = await act({ idempotencyKey: 'route-act-1', symbol: 'BTCUSDT', side: 'long', action: { kind: 'close' } });
    expect(ok.status).toBe(200);
    const r = ExecuteResult.parse(await ok.json());
    expect([r.status, r.action, r.legs.map((l) => l.account)]).toEqual([
      'complete',
      { kind: 'close', percent: 100 },
      ['main'],
    ]);
    const listed = ExecutionsResponse.parse(await (await get('/api/v1/trading/executions?key=route-act-1')).json());
    expect(listed.data.map((x) => x.executionId)).toEqual([r.executionId]);
    for (const [body, status] of [
      ['{', 400],
      [{ idempotencyKey: 'route-act-2', symbol: 'BTCUSDT', side: 'long', action: { kind: 'close', percent: 0 } }, 400],
      [{ idempotencyKey: 'route-act-3', symbol: 'BTCUSDT', side: 'short', action: { kind: 'close' } }, 404],
      [
        {
          idempotencyKey: 'route-act-4',
          symbol: 'BTCUSDT',
          side: 'long',
          action: { kind: 'set-tpsl', stopLoss: 99_000 },
        },
        400,
      ],
    ] as const) {
      const res = await act(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect((await res.json()).error.code).toBeTypeOf('string');
    }
    expect([...ex.clients.values()].map((c) => [c.calls.placeOrder, c.stopCalls.length])).toEqual([
      [1, 0],
      [0, 0],
      [0, 0],
    ]);
  });
});
