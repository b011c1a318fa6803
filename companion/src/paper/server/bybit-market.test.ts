import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.ts';
import { type PaperExchange, type PaperOptionsInput, signHeaders, startPaperExchange } from '../index.ts';

/** Market data and account endpoints: kline, orderbook, fee-rate, query-api with per-account permissions. */

let ex: PaperExchange | undefined;
afterEach(async () => {
  await ex?.close();
  ex = undefined;
});

// biome-ignore lint/suspicious/noExplicitAny: Bybit's result objects, read field by field
type Result = Record<string, any>;

async function start(over: PaperOptionsInput = {}) {
  const clock = new ManualClock(1_800_000_000_000);
  const e = await startPaperExchange({ positionsPerAccount: 0, volatilityPerMinute: 0, clock, ...over });
  ex = e;
  return { ex: e, clock };
}

async function call(method: 'GET' | 'POST', path: string, params: Record<string, unknown> = {}, account = 0) {
  const e = ex as PaperExchange;
  const query = new URLSearchParams(params as Record<string, string>).toString();
  const payload = method === 'GET' ? query : JSON.stringify(params);
  const res = await fetch(`${e.url}${path}${method === 'GET' && query ? `?${query}` : ''}`, {
    method,
    headers: signHeaders(e.accounts[account]!, payload, Date.now()),
    body: method === 'POST' ? payload : undefined,
  });
  return (await res.json()) as { retCode: number; retMsg: string; result: Result };
}

describe('/v5/market/kline', () => {
  it('candles of the walk, newest first, in Bybit rows; flat before the exchange started', async () => {
    const { ex, clock } = await start();
    const t0 = clock.now();
    ex.control.step(60_000);
    ex.control.setPrice('ETHUSDT', 3300);
    ex.control.step(30_000);
    ex.control.setPrice('ETHUSDT', 3250);
    const r = await call('GET', '/v5/market/kline', {
      category: 'linear',
      symbol: 'ETHUSDT',
      interval: '1',
      limit: '4',
    });
    expect(r.retCode).toBe(0);
    const rows = r.result.list as string[][];
    expect(rows).toHaveLength(4);
    expect(rows.map((x) => x.length)).toEqual([7, 7, 7, 7]);
    const starts = rows.map((x) => Number(x[0]));
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    expect(starts[0]! - starts[1]!).toBe(60_000);
    const current = rows[0]!;
    expect(Number(current[4])).toBe(3250);
    expect(Number(current[2])).toBe(3300);
    const beforeStart = rows.find((x) => Number(x[0]) + 60_000 <= t0)!;
    expect(new Set(beforeStart.slice(1, 5)).size).toBe(1);
    expect(
      (await call('GET', '/v5/market/kline', { category: 'linear', symbol: 'ETHUSDT', interval: '7' })).retCode,
    ).toBe(10001);
  });
});

describe('/v5/market/orderbook', () => {
  it('limit levels each side around the mark, bids below asks', async () => {
    const { ex } = await start();
    ex.control.setPrice('ETHUSDT', 3000);
    const r = await call('GET', '/v5/market/orderbook', { category: 'linear', symbol: 'ETHUSDT', limit: '5' });
    expect(r.result.s).toBe('ETHUSDT');
    expect(r.result.b).toHaveLength(5);
    expect(r.result.a).toHaveLength(5);
    expect(Number(r.result.b[0][0])).toBeLessThan(3000);
    expect(Number(r.result.a[0][0])).toBeGreaterThan(3000);
    expect(Number.isInteger(r.result.ts)).toBe(true);
  });
});

describe('/v5/account/fee-rate', () => {
  it('the taker and maker rates the fills charge, for one symbol or all', async () => {
    const { ex } = await start();
    const one = await call('GET', '/v5/account/fee-rate', { category: 'linear', symbol: 'BTCUSDT' });
    expect(one.result.list).toEqual([
      { symbol: 'BTCUSDT', baseCoin: '', takerFeeRate: '0.00055', makerFeeRate: '0.0002' },
    ]);
    const all = await call('GET', '/v5/account/fee-rate', { category: 'linear' });
    expect(all.result.list).toHaveLength(ex.engine.instruments().length);
  });
});

describe('/v5/user/query-api and key permissions', () => {
  const order = { category: 'linear', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Market', qty: '0.1' };

  it("answers Bybit's shape: a trade-only key by default, wallet rights and expiry when configured", async () => {
    const { ex } = await start({});
    const q = await call('GET', '/v5/user/query-api');
    expect(q.result).toMatchObject({
      readOnly: 0,
      ips: ['*'],
      expiredAt: '',
      deadlineDay: -2,
      uta: 1,
      permissions: { ContractTrade: ['Order', 'Position'], Wallet: [], Spot: [], Options: [], Exchange: [] },
    });
    const expiredAt = new Date(ex.engine.now() + 5.5 * 86_400_000).toISOString();
    await fetch(`${ex.url}/sim/permissions/main`, {
      method: 'POST',
      body: JSON.stringify({ wallet: ['Withdraw'], ips: ['10.0.0.1'], expiredAt }),
    });
    const after = (await call('GET', '/v5/user/query-api')).result;
    expect(after).toMatchObject({
      ips: ['10.0.0.1'],
      expiredAt,
      deadlineDay: 5,
      permissions: { Wallet: ['Withdraw'] },
    });
    // Once lapsed, every private call is refused as Bybit refuses an expired key.
    ex.control.step(6 * 86_400_000);
    expect((await call('GET', '/v5/position/list', { category: 'linear', settleCoin: 'USDT' })).retCode).toBe(33004);
  });

  it('one-way mode by default; hedge mode settable: rows carry positionIdx 1/2 and a positionIdx 0 write answers 10001', async () => {
    const { ex } = await start({ positionsPerAccount: 6 });
    const list = { category: 'linear', settleCoin: 'USDT' };
    const idx = async () =>
      (await call('GET', '/v5/position/list', list)).result.list.map((r: { positionIdx: number }) => r.positionIdx);
    expect(await idx()).toEqual([0, 0, 0, 0, 0, 0]);
    await fetch(`${ex.url}/sim/position-mode/main`, { method: 'POST', body: JSON.stringify({ mode: 'hedge' }) });
    const rows = (await call('GET', '/v5/position/list', list)).result.list;
    for (const r of rows) expect(r.positionIdx).toBe(r.side === 'Sell' ? 2 : 1);
    expect((await call('POST', '/v5/order/create', order)).retCode).toBe(10001);
    expect((await call('POST', '/v5/order/create', { ...order, positionIdx: 1 })).retCode).toBe(0);
  });

  it('a read-only paper key says so and every write answers 10005', async () => {
    await start({ permissions: { mirror1: { readOnly: true } } });
    const q = await call('GET', '/v5/user/query-api', {}, 1);
    expect(q.result).toMatchObject({ readOnly: 1, permissions: { ContractTrade: [] } });
    expect((await call('POST', '/v5/order/create', order, 1)).retCode).toBe(10005);
    expect((await call('POST', '/v5/order/create', order, 0)).retCode).toBe(0);
    expect((await call('GET', '/v5/position/list', { category: 'linear', settleCoin: 'USDT' }, 1)).retCode).toBe(0);
  });

  it('Order without Position: orders go through, trading-stop and set-leverage answer 10005; changeable at run time', async () => {
    const { ex } = await start({ permissions: { main: { contractTrade: ['Order'] } } });
    expect((await call('GET', '/v5/user/query-api')).result.permissions.ContractTrade).toEqual(['Order']);
    expect((await call('POST', '/v5/order/create', order)).retCode).toBe(0);
    const stop = { category: 'linear', symbol: 'ETHUSDT', stopLoss: '100' };
    expect((await call('POST', '/v5/position/trading-stop', stop)).retCode).toBe(10005);
    const lev = { category: 'linear', symbol: 'ETHUSDT', buyLeverage: '5', sellLeverage: '5' };
    expect((await call('POST', '/v5/position/set-leverage', lev)).retCode).toBe(10005);
    const res = await fetch(`${ex.url}/sim/permissions/main`, {
      method: 'POST',
      body: JSON.stringify({ contractTrade: ['Order', 'Position'] }),
    });
    expect(res.status).toBe(200);
    expect((await call('POST', '/v5/position/set-leverage', lev)).retCode).toBe(0);
  });
});
