import { describe, expect, it } from 'vitest';
import { EXT_ID, harness } from '../../test-support/http.ts';
import { checkRequest, isAllowedOrigin, isLoopbackHost } from './front-door.ts';

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.0.0.1:8787', true],
    ['localhost', true],
    ['LOCALHOST:1', true],
    ['[::1]', true],
    ['[::1]:8787', true],
    ['evil.example', false],
    ['evil.example:8787', false],
    ['localhost.evil.example', false],
    ['127.0.0.1.nip.io', false],
    ['127.0.0.2', false],
    ['0.0.0.0', false],
    ['::1', false],
    ['', false],
    [null, false],
  ])('%s → %s', (host, ok) => {
    expect(isLoopbackHost(host)).toBe(ok);
  });
});

describe('isAllowedOrigin', () => {
  it('accepts the configured extension only', () => {
    expect(isAllowedOrigin(`chrome-extension://${EXT_ID}`, [EXT_ID])).toBe(true);
    expect(isAllowedOrigin(`chrome-extension://${'b'.repeat(32)}`, [EXT_ID])).toBe(false);
  });
  it('accepts any chrome-extension origin when no id is configured, never a web origin', () => {
    expect(isAllowedOrigin(`chrome-extension://${'b'.repeat(32)}`, [])).toBe(true);
    expect(isAllowedOrigin('https://evil.example', [])).toBe(false);
    expect(isAllowedOrigin('http://127.0.0.1:8787', [])).toBe(false);
    expect(isAllowedOrigin('null', [])).toBe(false);
    expect(isAllowedOrigin(`chrome-extension://${EXT_ID}.evil`, [])).toBe(false);
  });
});

describe('checkRequest (the pure rules the front door applies to every request, upgrades included)', () => {
  const token = 'a'.repeat(43);
  const opts = { verifyToken: (t: string) => t === token, extensionIds: [EXT_ID] };
  const h = (o: Record<string, string>) => new Headers(o);

  it('accepts the token from the query only when allowed (WebSocket)', () => {
    const url = `http://127.0.0.1:8787/ws?token=${token}`;
    expect(checkRequest(h({ host: '127.0.0.1:8787' }), url, { ...opts, allowQueryToken: true })).toBeNull();
    expect(checkRequest(h({ host: '127.0.0.1:8787' }), url, opts)?.code).toBe('UNAUTHORIZED');
  });
  it('refuses a foreign Host before looking at the token', () => {
    const err = checkRequest(
      h({ host: 'evil.example', authorization: `Bearer ${token}` }),
      'http://evil.example/',
      opts,
    );
    expect(err?.code).toBe('FORBIDDEN');
  });
  it('falls back to the URL host when no Host header is present', () => {
    expect(checkRequest(h({ authorization: `Bearer ${token}` }), 'http://localhost/x', opts)).toBeNull();
    expect(checkRequest(h({ authorization: `Bearer ${token}` }), 'http://evil.example/x', opts)?.code).toBe(
      'FORBIDDEN',
    );
  });
  it('refuses a malformed Authorization header', () => {
    expect(checkRequest(h({ host: 'localhost', authorization: token }), 'http://localhost/', opts)?.code).toBe(
      'UNAUTHORIZED',
    );
    expect(
      checkRequest(h({ host: 'localhost', authorization: `Basic ${token}` }), 'http://localhost/', opts)?.code,
    ).toBe('UNAUTHORIZED');
    expect(
      checkRequest(h({ host: 'localhost', authorization: `bearer ${token}` }), 'http://localhost/', opts),
    ).toBeNull();
  });
});

describe('front door on the app', () => {
  const path = '/api/v1/trading/accounts';

  it('refuses a missing token with 401 and a Bearer challenge', async () => {
    const { get } = harness();
    const { status, body, res } = await get(path, { Authorization: '' });
    expect(status).toBe(401);
    expect(body.error.code).toBe('UNAUTHORIZED');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('refuses a wrong token with 401, without echoing it', async () => {
    const { get } = harness();
    const wrong = 'b'.repeat(43);
    const { status, body } = await get(path, { Authorization: `Bearer ${wrong}` });
    expect(status).toBe(401);
    expect(JSON.stringify(body)).not.toContain(wrong);
  });

  it('accepts the right token', async () => {
    const { get } = harness();
    const { status, body } = await get(path);
    expect(status).toBe(200);
    expect(body.data.map((a: { name: string }) => a.name)).toEqual(['main', 'mirror1']);
  });

  it('refuses the token in the query string on plain HTTP routes', async () => {
    const { request, token } = harness();
    const res = await request(`${path}?token=${token}`, { Authorization: '' });
    expect(res.status).toBe(401);
  });

  it('guards routes added later (the WebSocket hub’s /ws), taking the token from ?token= there only', async () => {
    const { app, token } = harness({ http: { extensionIds: [EXT_ID] } });
    app.get('/ws', (c) => c.text('would upgrade'));
    const ws = (query: string, origin = `chrome-extension://${EXT_ID}`) =>
      app.request(`/ws${query}`, { headers: { Host: '127.0.0.1:8787', Origin: origin } });
    expect((await ws(`?token=${token}`)).status).toBe(200);
    expect((await ws('')).status).toBe(401);
    expect((await ws(`?token=${token}x`)).status).toBe(401);
    expect((await ws(`?token=${token}`, 'https://evil.example')).status).toBe(403);
  });

  it('fails closed when no pairing store is wired', async () => {
    const { createApp } = await import('./app.ts');
    const { ManualClock } = await import('../core/clock.ts');
    const app = createApp({ version: 't', clock: new ManualClock(), startedAt: 0 });
    const res = await app.request('/anything', {
      headers: { Host: 'localhost', Authorization: `Bearer ${'a'.repeat(43)}` },
    });
    expect(res.status).toBe(401);
    expect((await app.request('/health')).status).toBe(200);
  });

  it.each(['evil.example', 'evil.example:8787', '127.0.0.1.evil.example', '192.168.1.10:8787'])(
    'refuses Host %s with 403 even with the right token (DNS rebinding)',
    async (host) => {
      const { get } = harness();
      const { status, body } = await get(path, { Host: host });
      expect(status).toBe(403);
      expect(body.error).toMatchObject({ code: 'FORBIDDEN', path: ['headers', 'host'] });
    },
  );

  it.each(['127.0.0.1', '127.0.0.1:8787', 'localhost', 'localhost:8787', '[::1]', '[::1]:8787'])(
    'accepts loopback Host %s',
    async (host) => {
      const { get } = harness();
      expect((await get(path, { Host: host })).status).toBe(200);
    },
  );

  it('refuses a web page Origin with 403 and no CORS headers', async () => {
    const { get } = harness({ http: { extensionIds: [EXT_ID] } });
    const { status, res, body } = await get(path, { Origin: 'https://evil.example' });
    expect(status).toBe(403);
    expect(body.error.path).toEqual(['headers', 'origin']);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses another extension when an id is configured', async () => {
    const { get } = harness({ http: { extensionIds: [EXT_ID] } });
    expect((await get(path, { Origin: `chrome-extension://${'c'.repeat(32)}` })).status).toBe(403);
  });

  it('allows the extension Origin, with CORS headers that expose the freshness headers', async () => {
    const { get } = harness({ http: { extensionIds: [EXT_ID] } });
    const { status, res } = await get(path, { Origin: `chrome-extension://${EXT_ID}` });
    expect(status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(`chrome-extension://${EXT_ID}`);
    expect(res.headers.get('access-control-expose-headers')).toContain('Server-Timing');
    expect(res.headers.get('vary')).toBe('Origin');
  });

  it('puts CORS headers on the extension’s error responses too, so it can read them', async () => {
    const { get } = harness({ http: { extensionIds: [EXT_ID] } });
    const { status, res } = await get(path, { Origin: `chrome-extension://${EXT_ID}`, Authorization: '' });
    expect(status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(`chrome-extension://${EXT_ID}`);
  });

  it('allows a request without Origin (extension fetch with host permissions)', async () => {
    const { get } = harness({ http: { extensionIds: [EXT_ID] } });
    const { status, res } = await get(path);
    expect(status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers the extension’s CORS preflight without a token', async () => {
    const { request } = harness({ http: { extensionIds: [EXT_ID] } });
    const res = await request(
      path,
      {
        Authorization: '',
        Origin: `chrome-extension://${EXT_ID}`,
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'authorization',
        'Access-Control-Request-Private-Network': 'true',
      },
      { method: 'OPTIONS' },
    );
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(`chrome-extension://${EXT_ID}`);
    expect(res.headers.get('access-control-allow-headers')).toContain('Authorization');
    expect(res.headers.get('access-control-allow-methods')).toContain('GET');
    expect(res.headers.get('access-control-allow-private-network')).toBe('true');
  });

  it('refuses a preflight from a web page or a foreign Host', async () => {
    const { request } = harness({ http: { extensionIds: [EXT_ID] } });
    const preflight = { Authorization: '', 'Access-Control-Request-Method': 'GET' };
    const fromWeb = await request(path, { ...preflight, Origin: 'https://evil.example' }, { method: 'OPTIONS' });
    expect(fromWeb.status).toBe(403);
    expect(fromWeb.headers.get('access-control-allow-origin')).toBeNull();
    const rebound = await request(
      path,
      { ...preflight, Origin: `chrome-extension://${EXT_ID}`, Host: 'evil.example' },
      { method: 'OPTIONS' },
    );
    expect(rebound.status).toBe(403);
  });

  it('keeps /health open without a token, but not to a rebound Host', async () => {
    const { app } = harness();
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', version: 'test' });
    expect((await app.request('/health', { headers: { Host: 'evil.example' } })).status).toBe(403);
  });

  it('guards unknown routes too: 401 without a token, 404 ErrorBody with one', async () => {
    const { get } = harness();
    expect((await get('/api/v1/nope', { Authorization: '' })).status).toBe(401);
    const { status, body } = await get('/api/v1/nope');
    expect(status).toBe(404);
    expect(body.error.code).toBe('NOT_FOUND');
  });

  it('refuses bodies over the limit with 413', async () => {
    const { request } = harness({ http: { bodyLimitBytes: 1024 } });
    const res = await request(path, { 'Content-Type': 'application/json' }, { method: 'POST', body: 'x'.repeat(2048) });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
