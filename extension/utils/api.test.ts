import { describe, expect, it } from 'vitest';
import { ApiError, createApi, newIdempotencyKey, probe, wsUrl } from './api.ts';

type Route = (url: string, init: RequestInit) => { status: number; body: unknown } | 'network';

function fakeFetch(route: Route): typeof fetch {
  return (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const r = route(String(input), init);
    if (r === 'network') throw new TypeError('Failed to fetch');
    return new Response(JSON.stringify(r.body), { status: r.status });
  }) as typeof fetch;
}

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
});
