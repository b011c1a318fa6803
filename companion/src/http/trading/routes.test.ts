import { PositionsResponse, SnapshotResponse } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { gate, harness, SECRET_API_KEY, unavailable } from '../../../test-support/http.ts';
import { AppError } from '../../core/app-error.ts';
import { flushMicrotasks } from '../../core/clock.ts';

const T = '/api/v1/trading';

describe('trading routes: data and shape', () => {
  it('serves positions of every account with their tier, valid against the protocol', async () => {
    const { get } = harness();
    const { status, body } = await get(`${T}/positions`);
    expect(status).toBe(200);
    expect(() => PositionsResponse.parse(body)).not.toThrow();
    expect(body.data).toHaveLength(4);
    expect(body.data.map((p: { tier: string }) => p.tier)).toEqual(['STABLE', 'CRITICAL', 'STABLE', 'CRITICAL']);
    expect(body.accounts.map((a: { account: string }) => a.account)).toEqual(['main', 'mirror1']);
  });

  it('filters by account_name', async () => {
    const { get, clients } = harness();
    const { body } = await get(`${T}/orders/pending?account_name=mirror1`);
    expect(body.data.every((o: { account: string }) => o.account === 'mirror1')).toBe(true);
    expect(body.accounts).toHaveLength(1);
    expect(clients[0]!.calls.orders).toBe(0);
  });

  it('serves a snapshot of accounts, positions, orders and balances in one response', async () => {
    const { get } = harness();
    const { status, body } = await get(`${T}/batch/snapshot?account_name=main`);
    expect(status).toBe(200);
    expect(() => SnapshotResponse.parse(body)).not.toThrow();
    expect(body.accounts.map((a: { name: string }) => a.name)).toEqual(['main']);
    expect(body.positions).toHaveLength(2);
    expect(body.fetches.balances[0]).toMatchObject({ account: 'main', cached: false, error: null });
  });

  it('serves instruments with mark prices from one tickers call, and without them when tickers fail', async () => {
    const { get, market, clock } = harness();
    const { body } = await get(`${T}/instruments`);
    expect(body.data).toEqual([
      expect.objectContaining({ symbol: 'BTCUSDT', markPrice: 101 }),
      expect.objectContaining({ symbol: 'ETHUSDT', markPrice: null }),
    ]);
    expect(market.calls).toBe(1);
    market.failure = unavailable();
    await clock.advance(300); // past freshJoinMs, so use_cache=false calls again
    const again = await get(`${T}/instruments?use_cache=false`);
    expect(again.status).toBe(200);
    expect(again.body.data[0].markPrice).toBeNull();
  });
});

describe('validation', () => {
  it.each(['yes', '', '2', 'truee'])('use_cache=%s is a 400 naming use_cache', async (v) => {
    const { get } = harness();
    const { status, body } = await get(`${T}/positions?use_cache=${v}`);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'BAD_REQUEST', path: ['use_cache'] });
    expect(body.error.message).toContain('use_cache');
  });

  it.each(['true', 'False', 'TRUE', '1', '0'])('use_cache=%s is accepted', async (v) => {
    const { get } = harness();
    expect((await get(`${T}/balances?use_cache=${v}`)).status).toBe(200);
  });

  it('an unknown parameter is a 400 naming it', async () => {
    const { get } = harness();
    const { status, body } = await get(`${T}/positions?acount_name=main`);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'BAD_REQUEST', path: ['acount_name'] });
  });

  it('a repeated parameter is a 400', async () => {
    const { get } = harness();
    expect((await get(`${T}/positions?use_cache=1&use_cache=0`)).body.error.path).toEqual(['use_cache']);
  });

  it('a malformed account name is a 400, an unknown one a 404', async () => {
    const { get } = harness();
    expect((await get(`${T}/positions?account_name=1bad!`)).status).toBe(400);
    const { status, body } = await get(`${T}/positions?account_name=ghost`);
    expect(status).toBe(404);
    expect(body.error).toMatchObject({ code: 'UNKNOWN_ACCOUNT', path: ['account_name'] });
  });
});

describe('partial and total failure', () => {
  it('one failing account: 200 with the others’ data and its own error entry', async () => {
    const { get, clients } = harness({ accounts: ['main', 'mirror1', 'mirror2'] });
    clients[1]!.failure = new AppError('RATE_LIMITED', 'bybit rate limit (10006)');
    const { status, body } = await get(`${T}/positions`);
    expect(status).toBe(200);
    expect(body.data.map((p: { account: string }) => p.account)).toEqual(['main', 'main', 'mirror2', 'mirror2']);
    expect(body.accounts[1]).toEqual({
      account: 'mirror1',
      fetchedAt: null,
      cached: false,
      error: { code: 'RATE_LIMITED', message: 'bybit rate limit (10006)' },
    });
    expect(body.accounts[0].error).toBeNull();
  });

  it('an unexpected error is INTERNAL with a generic message; the details go to the log only', async () => {
    const { get, clients, logLines } = harness();
    clients[0]!.failure = new Error('ECONNRESET at /v5/position/list?sign=deadbeef');
    const { status, body } = await get(`${T}/balances`);
    expect(status).toBe(200);
    expect(body.accounts[0].error.code).toBe('INTERNAL');
    expect(JSON.stringify(body)).not.toContain('ECONNRESET');
    expect(logLines.join('')).toContain('ECONNRESET');
  });

  it('all accounts failing: 502 EXCHANGE_ERROR naming each account', async () => {
    const { get, clients } = harness();
    clients[0]!.failure = unavailable();
    clients[1]!.failure = new Error('boom');
    const { status, body } = await get(`${T}/positions`);
    expect(status).toBe(502);
    expect(body.error.code).toBe('EXCHANGE_ERROR');
    expect(body.error.message).toContain('main: EXCHANGE_UNAVAILABLE');
    expect(body.error.message).toContain('mirror1: INTERNAL');
  });

  it('all failing the same exchange way keeps that code (503 unavailable)', async () => {
    const { get, clients } = harness();
    for (const c of clients) c.failure = unavailable();
    const { status, body } = await get(`${T}/orders/pending`);
    expect(status).toBe(503);
    expect(body.error.code).toBe('EXCHANGE_UNAVAILABLE');
  });

  it('an exchange "unauthorized" never reaches the extension as a 401', async () => {
    const { get, clients } = harness({ accounts: ['main'] });
    clients[0]!.failure = new AppError('UNAUTHORIZED', 'API key invalid');
    expect((await get(`${T}/balances`)).status).toBe(502);
  });

  it('a failure is not cached: the next request tries again', async () => {
    const { get, clients } = harness({ accounts: ['main'] });
    clients[0]!.failure = unavailable();
    expect((await get(`${T}/balances`)).status).toBe(503);
    clients[0]!.failure = null;
    expect((await get(`${T}/balances`)).status).toBe(200);
    expect(clients[0]!.calls.balances).toBe(2);
  });
});

describe('concurrency and single-flight', () => {
  it('fetches accounts concurrently', async () => {
    const { request, clients } = harness({ accounts: ['a1', 'a2', 'a3', 'a4'] });
    const g = gate();
    for (const c of clients) c.gate = g.promise;
    const pending = request(`${T}/positions`);
    await flushMicrotasks();
    // Every account's call is in flight before any has answered.
    expect(clients.map((c) => c.calls.positions)).toEqual([1, 1, 1, 1]);
    g.open();
    expect((await pending).status).toBe(200);
  });

  it('100 concurrent cache misses make one exchange call per account', async () => {
    const { request, clients } = harness({ accounts: ['a1', 'a2', 'a3', 'a4'] });
    const g = gate();
    for (const c of clients) c.gate = g.promise;
    const all = Array.from({ length: 100 }, () => request(`${T}/positions`));
    await flushMicrotasks();
    g.open();
    const responses = await Promise.all(all);
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(clients.map((c) => c.calls.positions)).toEqual([1, 1, 1, 1]);
  });

  it('100 concurrent use_cache=false requests coalesce into one call per account', async () => {
    const { request, clients, clock } = harness({ accounts: ['a1', 'a2', 'a3', 'a4'] });
    // Warm, then let it go stale-but-present: fresh requests must not serve it, and must not each refetch.
    await request(`${T}/positions`);
    await clock.advance(500);
    const g = gate();
    for (const c of clients) c.gate = g.promise;
    const all = Array.from({ length: 100 }, () => request(`${T}/positions?use_cache=false`));
    await flushMicrotasks();
    g.open();
    const bodies = await Promise.all((await Promise.all(all)).map((r) => r.json()));
    expect(clients.map((c) => c.calls.positions)).toEqual([2, 2, 2, 2]);
    expect(bodies.every((b) => b.fetchedAt === clock.now())).toBe(true);
  });

  it('use_cache=false after a completed call older than freshJoinMs fetches again', async () => {
    const { request, clients, clock } = harness({ accounts: ['main'], cache: { freshJoinMs: 100 } });
    await request(`${T}/balances`);
    await clock.advance(150);
    await request(`${T}/balances?use_cache=false`);
    expect(clients[0]!.calls.balances).toBe(2);
    // Within the TTL a cached request still serves it.
    await request(`${T}/balances`);
    expect(clients[0]!.calls.balances).toBe(2);
  });

  it('the monitor’s puts fill the same cache: no API call for data it just read', async () => {
    const { get, cache, clients, clock } = harness({ accounts: ['main'] });
    cache.put('main', 'positions', clients[0]!.positions, clock.now());
    const { body, res } = await get(`${T}/positions`);
    expect(clients[0]!.calls.positions).toBe(0);
    expect(body.accounts[0].cached).toBe(true);
    expect(res.headers.get('server-timing')).toBe('cache;desc=hit');
  });
});

describe('TTL and freshness', () => {
  it('serves from cache within the TTL and refetches after it (ManualClock)', async () => {
    const { get, clients, clock } = harness({ accounts: ['main'] });
    const first = await get(`${T}/positions`);
    expect(first.body.accounts[0].cached).toBe(false);
    await clock.advance(999);
    const second = await get(`${T}/positions`);
    expect(second.body.accounts[0].cached).toBe(true);
    expect(second.body.fetchedAt).toBe(first.body.fetchedAt);
    expect(clients[0]!.calls.positions).toBe(1);
    await clock.advance(1);
    const third = await get(`${T}/positions`);
    expect(third.body.accounts[0].cached).toBe(false);
    expect(third.body.fetchedAt).toBe(clock.now());
    expect(clients[0]!.calls.positions).toBe(2);
  });

  it('uses each resource’s TTL: balances live 2 s, accounts 60 s', async () => {
    const { get, clients, clock } = harness({ accounts: ['main'] });
    await get(`${T}/balances`);
    await clock.advance(1_500);
    await get(`${T}/balances`);
    expect(clients[0]!.calls.balances).toBe(1);
    await clock.advance(500);
    await get(`${T}/balances`);
    expect(clients[0]!.calls.balances).toBe(2);
    const acc = await get(`${T}/accounts`);
    await clock.advance(59_000);
    expect((await get(`${T}/accounts`)).body.fetchedAt).toBe(acc.body.fetchedAt);
  });

  it('says how fresh every response is: fetchedAt, Age and Server-Timing', async () => {
    const { get, clock } = harness();
    const miss = await get(`${T}/balances`);
    expect(miss.body.fetchedAt).toBe(clock.now());
    expect(miss.res.headers.get('age')).toBe('0');
    expect(miss.res.headers.get('server-timing')).toMatch(/^cache;desc=miss, exchange;dur=\d+(\.\d)?$/);
    expect(miss.res.headers.get('cache-control')).toBe('no-store');
    await clock.advance(1_500);
    const hit = await get(`${T}/balances`);
    expect(hit.res.headers.get('age')).toBe('1');
    expect(hit.res.headers.get('server-timing')).toBe('cache;desc=hit');
    expect(hit.body.accounts.map((a: { fetchedAt: number }) => a.fetchedAt)).toEqual([
      miss.body.fetchedAt,
      miss.body.fetchedAt,
    ]);
  });

  it('fetchedAt is the oldest data in the response', async () => {
    const { get, cache, clients, clock } = harness();
    cache.put('main', 'orders', [], clock.now() - 400); // under half the TTL: no refresh-ahead yet
    const { body } = await get(`${T}/orders/pending`);
    expect(body.fetchedAt).toBe(clock.now() - 400);
    expect(clients[0]!.calls.orders).toBe(0);
    expect(clients[1]!.calls.orders).toBe(1);
  });

  it('re-renders cached positions when the tier version changes (a new price moved a tier)', async () => {
    let version = 0;
    const { get, clients } = harness({ accounts: ['main'], tierVersion: () => version });
    expect((await get(`${T}/positions`)).body.data[0].tier).toBe('STABLE');
    clients[0]!.positions[0]!.markPrice = 109.9; // the fake classifier reads the (shared) object
    expect((await get(`${T}/positions`)).body.data[0].tier).toBe('STABLE');
    version++;
    expect((await get(`${T}/positions`)).body.data[0].tier).toBe('CRITICAL');
    expect(clients[0]!.calls.positions).toBe(1);
  });
});

function headerText(headers: Headers): string {
  const lines: string[] = [];
  headers.forEach((v, k) => {
    lines.push(`${k}: ${v}`);
  });
  return lines.join('\n');
}

describe('secrets', () => {
  it('no response carries the pairing token or an exchange secret', async () => {
    const { request, token, clients, logLines } = harness();
    clients[1]!.failure = new Error(`failure mentioning ${SECRET_API_KEY}`);
    const paths = ['accounts', 'positions', 'orders/pending', 'balances', 'batch/snapshot', 'instruments', 'nope'];
    const texts: string[] = [];
    for (const p of paths) {
      for (const headers of [{}, { Authorization: `Bearer ${token}x` }, { Host: 'evil.example' }] as Record<
        string,
        string
      >[]) {
        const res = await request(`${T}/${p}`, headers);
        texts.push(await res.text(), headerText(res.headers));
      }
    }
    const all = texts.join('\n');
    expect(all).not.toContain(token);
    expect(all).not.toContain(SECRET_API_KEY);
    expect(logLines.join('')).not.toContain(token);
  });
});
