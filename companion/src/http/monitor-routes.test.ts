import { MonitorPositionsResponse, type TieredPosition } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { classify, position } from '../../test-support/http.ts';
import { ManualClock } from '../core/clock.ts';
import { createApp } from './app.ts';

const TOKEN = 'monitor-routes-token';

function app(held: TieredPosition[]) {
  const calls: (string | undefined)[] = [];
  const a = createApp({
    version: 't',
    clock: new ManualClock(1_700_000_000_000),
    startedAt: 0,
    pairing: { verify: (t) => t === TOKEN },
    monitor: {
      positions: (account) => {
        calls.push(account);
        return held.filter((p) => account === undefined || p.account === account);
      },
      accountNames: () => ['main', 'mirror1'],
    },
  });
  const get = async (path: string, token = TOKEN) => {
    const res = await a.request(`http://127.0.0.1:8787${path}`, {
      headers: { authorization: `Bearer ${token}`, host: '127.0.0.1:8787' },
    });
    return { status: res.status, body: await res.json() };
  };
  return { get, calls };
}

describe('GET /api/v1/monitor/positions', () => {
  const held = [
    classify(position('main', 'BTCUSDT', { markPrice: 101 })),
    classify(position('mirror1', 'BTCUSDT', { markPrice: 101 })),
  ];

  it("serves the monitor's positions from memory, every account or one", async () => {
    const { get, calls } = app(held);
    const all = await get('/api/v1/monitor/positions');
    expect(all.status).toBe(200);
    expect(MonitorPositionsResponse.parse(all.body)).toEqual({ at: 1_700_000_000_000, data: held });
    const one = await get('/api/v1/monitor/positions?account_name=mirror1');
    expect(one.body.data.map((p: TieredPosition) => p.account)).toEqual(['mirror1']);
    expect(calls).toEqual([undefined, 'mirror1']);
  });

  it('names an unknown account, and is behind the front door like every route', async () => {
    const { get } = app(held);
    const bad = await get('/api/v1/monitor/positions?account_name=nope');
    expect(bad.status).toBe(404);
    expect(bad.body.error).toMatchObject({ code: 'UNKNOWN_ACCOUNT', path: ['account_name'] });
    expect((await get('/api/v1/monitor/positions', 'wrong')).status).toBe(401);
  });
});
