import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.ts';
import { type PaperExchange, type PaperOptionsInput, signHeaders, startPaperExchange } from '../index.ts';

/** The HTTP surface without ccxt: rate limits and faults on injected time, and bad requests. */

let ex: PaperExchange | undefined;
afterEach(async () => {
  await ex?.close();
  ex = undefined;
});

async function start(over: PaperOptionsInput = {}) {
  const clock = new ManualClock();
  ex = await startPaperExchange({ positionsPerAccount: 5, volatilityPerMinute: 0, clock, ...over });
  return { ex, clock };
}

async function call(
  method: 'GET' | 'POST',
  path: string,
  params: Record<string, unknown> = {},
  opts: { raw?: string; account?: number } = {},
) {
  const e = ex as PaperExchange;
  const acc = e.accounts[opts.account ?? 0] as { apiKey: string; secret: string };
  const query = new URLSearchParams(params as Record<string, string>).toString();
  const payload = method === 'GET' ? query : (opts.raw ?? JSON.stringify(params));
  const url = `${e.url}${path}${method === 'GET' && query ? `?${query}` : ''}`;
  const res = await fetch(url, {
    method,
    headers: signHeaders(acc, payload, Date.now()),
    body: method === 'POST' ? payload : undefined,
  });
  const text = await res.text();
  let json: { retCode?: number; retMsg?: string; result?: Record<string, unknown> } = {};
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, text, headers: res.headers, ...json };
}

describe('rate limits on injected time', () => {
  it('per account and endpoint: 50/s on position reads, then 10006 with X-Bapi-Limit headers, fresh a second later', async () => {
    const { clock } = await start();
    const q = { category: 'linear', settleCoin: 'USDT' };
    for (let i = 0; i < 50; i++) expect((await call('GET', '/v5/position/list', q)).retCode).toBe(0);
    const over = await call('GET', '/v5/position/list', q);
    expect(over.status).toBe(200);
    expect(over.retCode).toBe(10006);
    expect(over.headers.get('x-bapi-limit')).toBe('50');
    expect(over.headers.get('x-bapi-limit-status')).toBe('0');
    expect(Number(over.headers.get('x-bapi-limit-reset-timestamp'))).toBe(clock.now() + 1000);
    // Another account and another endpoint have their own budgets.
    expect((await call('GET', '/v5/position/list', q, { account: 1 })).retCode).toBe(0);
    expect((await call('GET', '/v5/order/realtime', q)).retCode).toBe(0);
    await clock.advance(1000);
    const again = await call('GET', '/v5/position/list', q);
    expect(again.retCode).toBe(0);
    expect(again.headers.get('x-bapi-limit-status')).toBe('49');
    const s = (ex as PaperExchange).control.getStats();
    expect(s.violations).toMatchObject({ total: 1, account: 1, ip: 0 });
    expect(s.byAccountEndpoint.main?.['/v5/position/list']).toBe(52);
    expect(s.byAccount.mirror1).toBe(1);
  });

  it('order create is 10/s per account', async () => {
    await start();
    const body = (i: number) => ({
      category: 'linear',
      symbol: 'BTCUSDT',
      side: 'Buy',
      orderType: 'Limit',
      qty: '0.001',
      price: '30000',
      orderLinkId: `rl-${i}`,
    });
    const codes = [];
    for (let i = 0; i < 11; i++) codes.push((await call('POST', '/v5/order/create', body(i))).retCode);
    expect(codes.slice(0, 10).every((c) => c === 0)).toBe(true);
    expect(codes[10]).toBe(10006);
  });

  it('per IP: past the limit HTTP 403 "access too frequent", banned for banMs', async () => {
    const { clock } = await start({ limits: { ip: { limit: 20, windowMs: 5000, banMs: 60_000 } } });
    for (let i = 0; i < 20; i++)
      expect((await call('GET', '/v5/market/tickers', { category: 'linear' })).status).toBe(200);
    const over = await call('GET', '/v5/market/tickers', { category: 'linear' });
    expect(over.status).toBe(403);
    expect(over.text).toContain('access too frequent');
    await clock.advance(10_000);
    expect((await call('GET', '/v5/market/tickers', { category: 'linear' })).status).toBe(403);
    await clock.advance(51_000);
    expect((await call('GET', '/v5/market/tickers', { category: 'linear' })).status).toBe(200);
    expect((ex as PaperExchange).control.getStats().violations.ip).toBe(2);
  });

  it('limits.enabled=false lifts every limit; counts are still kept', async () => {
    await start({ limits: { enabled: false, ip: { limit: 5 } } });
    for (let i = 0; i < 60; i++)
      expect((await call('GET', '/v5/position/list', { category: 'linear', settleCoin: 'USDT' })).retCode).toBe(0);
    expect((ex as PaperExchange).control.getStats().total).toBe(60);
  });

  it('limits can be lifted and restored at run time', async () => {
    await start();
    const c = (ex as PaperExchange).control;
    c.setLimitsEnabled(false);
    const q = { category: 'linear', settleCoin: 'USDT' };
    for (let i = 0; i < 55; i++) expect((await call('GET', '/v5/position/list', q)).retCode).toBe(0);
    c.setLimitsEnabled(true);
    for (let i = 0; i < 50; i++) await call('GET', '/v5/position/list', q);
    expect((await call('GET', '/v5/position/list', q)).retCode).toBe(10006);
  });
});

describe('faults and latency', () => {
  it('outage window: 503; 5xx share: 502; storm: 10006; all counted', async () => {
    const { clock } = await start();
    const c = (ex as PaperExchange).control;
    c.startOutage(5000);
    expect((await call('GET', '/v5/market/tickers', { category: 'linear' })).status).toBe(503);
    await clock.advance(5000);
    expect((await call('GET', '/v5/market/tickers', { category: 'linear' })).status).toBe(200);
    c.setFaults({ errorRate: 1 });
    expect((await call('GET', '/v5/market/tickers', { category: 'linear' })).status).toBe(502);
    c.setFaults({ errorRate: 0, rateLimitStorm: { startAt: clock.now(), endAt: clock.now() + 1000 } });
    expect((await call('GET', '/v5/position/list', { category: 'linear', settleCoin: 'USDT' })).retCode).toBe(10006);
    expect(c.getStats().faults).toMatchObject({ outage: 1, errors: 1, storms: 1 });
  });

  it('a position row fault: one row patched or an empty page, for one account only, until cleared', async () => {
    await start();
    const c = (ex as PaperExchange).control;
    const q = { category: 'linear', settleCoin: 'USDT' };
    const rows = async (account = 0) =>
      ((await call('GET', '/v5/position/list', q, { account })).result?.list ?? []) as Record<string, unknown>[];
    const before = await rows();
    const symbol = String(before[0]?.symbol);
    c.setPositionRowFault('main', { symbol, fields: { size: '-1', markPrice: undefined } });
    const patched = await rows();
    expect(patched).toHaveLength(before.length);
    expect(patched[0]).toMatchObject({ symbol, size: '-1' });
    expect(patched[0]).not.toHaveProperty('markPrice');
    expect(patched.slice(1)).toEqual(before.slice(1));
    expect((await rows(1)).length).toBeGreaterThan(0); // the mirror's answer is untouched
    c.setPositionRowFault('main', { empty: true });
    expect(await rows()).toEqual([]);
    c.setPositionRowFault('main', null);
    expect(await rows()).toEqual(before);
  });

  it('latency and timeouts run on the injected clock', async () => {
    const { clock } = await start({ latency: { fixedMs: 200 } });
    let done = false;
    const p = call('GET', '/v5/market/time').then((r) => {
      done = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    await clock.advance(200);
    expect((await p).retCode).toBe(0);
    (ex as PaperExchange).control.setLatency({ fixedMs: 0 });
    (ex as PaperExchange).control.setFaults({ timeoutRate: 1, timeoutMs: 30_000 });
    const t = call('GET', '/v5/market/time');
    await new Promise((r) => setTimeout(r, 50));
    await clock.advance(30_000);
    expect((await t).status).toBe(504);
  });
});

describe('bad requests get Bybit errors, never a 500', () => {
  const cases: [string, 'GET' | 'POST', string, Record<string, unknown>, number, string?][] = [
    ['missing category', 'GET', '/v5/position/list', { settleCoin: 'USDT' }, 10001],
    ['unknown category', 'GET', '/v5/market/tickers', { category: 'futures' }, 10001],
    ['position list without symbol or settleCoin', 'GET', '/v5/position/list', { category: 'linear' }, 10001],
    ['limit out of range', 'GET', '/v5/position/list', { category: 'linear', settleCoin: 'USDT', limit: '999' }, 10001],
    ['garbage cursor', 'GET', '/v5/position/list', { category: 'linear', settleCoin: 'USDT', cursor: 'zz' }, 10001],
    ['unknown symbol', 'GET', '/v5/market/tickers', { category: 'linear', symbol: 'NOPEUSDT' }, 10001],
    ['wallet of a classic account type', 'GET', '/v5/account/wallet-balance', { accountType: 'CONTRACT' }, 10001],
    [
      'qty not a number',
      'POST',
      '/v5/order/create',
      { category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', qty: 'abc' },
      10001,
    ],
    [
      'negative qty',
      'POST',
      '/v5/order/create',
      { category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', qty: '-1' },
      10001,
    ],
    [
      'bad side',
      'POST',
      '/v5/order/create',
      { category: 'linear', symbol: 'BTCUSDT', side: 'Up', orderType: 'Market', qty: '1' },
      10001,
    ],
    [
      'limit without price',
      'POST',
      '/v5/order/create',
      { category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Limit', qty: '0.001' },
      10001,
    ],
    [
      'missing symbol',
      'POST',
      '/v5/order/create',
      { category: 'linear', side: 'Buy', orderType: 'Market', qty: '1' },
      10001,
    ],
    [
      'hedge-mode positionIdx',
      'POST',
      '/v5/order/create',
      { category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', qty: '0.001', positionIdx: 1 },
      10001,
    ],
    ['cancel without ids', 'POST', '/v5/order/cancel', { category: 'linear', symbol: 'BTCUSDT' }, 10001],
    [
      'trading-stop without levels',
      'POST',
      '/v5/position/trading-stop',
      { category: 'linear', symbol: 'BTCUSDT' },
      10001,
    ],
    [
      'negative stop loss',
      'POST',
      '/v5/order/create',
      { category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', qty: '0.001', stopLoss: '-5' },
      10001,
    ],
    [
      'reduceOnly not a boolean',
      'POST',
      '/v5/order/create',
      { category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', qty: '0.001', reduceOnly: 'maybe' },
      10001,
    ],
  ];
  it.each(cases)('%s', async (_name, method, path, params, code) => {
    await start();
    const r = await call(method, path, params);
    expect(r.status).toBe(200);
    expect(r.retCode).toBe(code);
    expect(r.retMsg).toBeTruthy();
  });

  it('malformed JSON body, unknown route, wrong method', async () => {
    await start();
    const bad = await call('POST', '/v5/order/create', {}, { raw: '{"category":' });
    expect(bad.retCode).toBe(10001);
    const missing = await call('GET', '/v5/nope');
    expect(missing.status).toBe(404);
    expect(missing.retCode).toBe(10017);
    const wrong = await call('GET', '/v5/order/create');
    expect(wrong.retCode).toBe(10017);
    expect((ex as PaperExchange).control.getStats().badRequests).toBe(3);
  });

  it('other categories answer empty lists', async () => {
    await start();
    const r = await call('GET', '/v5/position/list', { category: 'inverse', settleCoin: 'USDT' });
    expect(r.retCode).toBe(0);
    expect(r.result?.list).toEqual([]);
  });
});

describe('control API over HTTP (/sim)', () => {
  it('sets prices, steps time, reads and resets stats; bad input is a 400', async () => {
    await start();
    const e = ex as PaperExchange;
    const post = (p: string, b: unknown) =>
      fetch(`${e.url}/sim${p}`, {
        method: 'POST',
        body: JSON.stringify(b),
        headers: { 'content-type': 'application/json' },
      });
    expect(await (await post('/price', { symbol: 'BTCUSDT', price: 70000 })).json()).toMatchObject({
      ok: true,
      price: 70000,
    });
    expect(await (await post('/price', { symbol: 'BTCUSDT', movePct: -10 })).json()).toMatchObject({ price: 63000 });
    const before = e.control.now();
    expect(await (await post('/time/step', { ms: 60_000 })).json()).toMatchObject({ now: before + 60_000 });
    expect((await post('/price', { symbol: 'BTCUSDT' })).status).toBe(400);
    expect((await post('/faults', { errorRate: 2 })).status).toBe(400);
    await call('GET', '/v5/market/time');
    expect((await (await fetch(`${e.url}/sim/stats`)).json()).stats.total).toBe(1);
    await post('/stats/reset', {});
    expect(e.control.getStats().total).toBe(0);
  });
});
