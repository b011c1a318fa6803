import type { ExecuteRequest } from '@tierwatch/shared';
import { describe, expect, it, vi } from 'vitest';
import { fakeFetch, hangingFetch, type Route } from '../test-support/fake-fetch.ts';
import { ApiError, createApi, EXECUTE_TIMEOUT_MS, newIdempotencyKey, probe, wsUrl } from './api.ts';

const REQ: ExecuteRequest = {
  idempotencyKey: 'abcdef0123456789abcdef0123456789',
  symbol: 'BTCUSDT',
  side: 'long',
  orderType: 'market',
  quantity: 0.01,
};

const unauthorized = {
  status: 401,
  body: { error: { code: 'UNAUTHORIZED', message: 'missing or wrong pairing token' } },
};

describe('api', () => {
  it('sends the bearer token and parses the response', async () => {
    let auth: string | null = null;
    const api = createApi({
      baseUrl: 'http://127.0.0.1:8787/',
      token: 'tok',
      fetch: fakeFetch((url, init) => {
        auth = new Headers(init.headers).get('Authorization');
        expect(url).toBe('http://127.0.0.1:8787/api/v1/trading/accounts');
        return { status: 200, body: { fetchedAt: 1, data: [] } };
      }),
    });
    expect(await api.accounts()).toEqual({ fetchedAt: 1, data: [] });
    expect(auth).toBe('Bearer tok');
  });

  it('turns an ErrorBody into an ApiError with code and path', async () => {
    const api = createApi({
      baseUrl: 'http://127.0.0.1:8787',
      token: 'tok',
      fetch: fakeFetch(() => ({
        status: 400,
        body: { error: { code: 'INVALID_ORDER', message: 'below min qty', path: ['quantity'] } },
      })),
    });
    const err = await api.instruments().catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'INVALID_ORDER', status: 400, path: ['quantity'], message: 'below min qty' });
  });

  it.each<{ name: string; route: Route; state: string }>([
    { name: 'down', route: () => 'network', state: 'down' },
    {
      name: 'wrong token',
      route: (url) =>
        url.endsWith('/health') ? { status: 200, body: { status: 'ok', version: '1', uptimeS: 1 } } : unauthorized,
      state: 'unpaired',
    },
    {
      name: 'ok',
      route: (url) =>
        url.endsWith('/health')
          ? { status: 200, body: { status: 'ok', version: '1', uptimeS: 1 } }
          : { status: 200, body: { fetchedAt: 1, data: [] } },
      state: 'ok',
    },
  ])('probe: $name', async ({ route, state }) => {
    expect((await probe(createApi({ baseUrl: 'http://127.0.0.1:1', token: 't', fetch: fakeFetch(route) }))).state).toBe(
      state,
    );
  });

  it('idempotency keys and socket urls', () => {
    expect(newIdempotencyKey(() => '123e4567-e89b-12d3-a456-426614174000')).toBe('123e4567e89b12d3a456426614174000');
    expect(newIdempotencyKey()).toMatch(/^[0-9a-f]{32}$/);
    expect(wsUrl('http://127.0.0.1:8787', 'a b', null)).toBe('ws://127.0.0.1:8787/ws?token=a+b');
    expect(wsUrl('http://localhost:9', 't', 5)).toBe('ws://localhost:9/ws?token=t&lastSeq=5');
  });

  it('an execute waits past the exchange timeout (10 s) and the retries, then reports a TIMEOUT, not "not reachable"', async () => {
    vi.useFakeTimers();
    try {
      const api = createApi({ baseUrl: 'http://127.0.0.1:8787', token: 't', fetch: hangingFetch() });
      let settled: unknown = null;
      const call = api.execute(REQ).then(
        () => {
          settled = 'resolved';
        },
        (e) => {
          settled = e;
        },
      );
      // The exchange's own timeout, the old client's limit: the companion may still be placing or looking up.
      await vi.advanceTimersByTimeAsync(10_001);
      expect(settled).toBeNull();
      await vi.advanceTimersByTimeAsync(EXECUTE_TIMEOUT_MS - 10_002);
      expect(settled).toBeNull();
      await vi.advanceTimersByTimeAsync(2);
      await call;
      expect(settled).toBeInstanceOf(ApiError);
      expect(settled).toMatchObject({ code: 'TIMEOUT', status: null });
      expect((settled as ApiError).message).toMatch(/did not answer/);
      expect((settled as ApiError).message).not.toMatch(/not reachable/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reads keep the short timeout', async () => {
    vi.useFakeTimers();
    try {
      const api = createApi({ baseUrl: 'http://127.0.0.1:8787', token: 't', fetch: hangingFetch(), timeoutMs: 5000 });
      const err = api.accounts().catch((e) => e);
      await vi.advanceTimersByTimeAsync(5001);
      expect(await err).toMatchObject({ code: 'TIMEOUT' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('executions: the recent list, or the one of a key', async () => {
    const urls: string[] = [];
    const api = createApi({
      baseUrl: 'http://127.0.0.1:8787',
      token: 't',
      fetch: fakeFetch((url) => {
        urls.push(url);
        return { status: 200, body: { data: [] } };
      }),
    });
    expect(await api.executions()).toEqual({ data: [] });
    expect(await api.executions({ key: REQ.idempotencyKey })).toEqual({ data: [] });
    expect(urls).toEqual([
      'http://127.0.0.1:8787/api/v1/trading/executions',
      `http://127.0.0.1:8787/api/v1/trading/executions?key=${REQ.idempotencyKey}`,
    ]);
  });
});
