import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gate, harness, position } from '../../../test-support/http.ts';
import { flushMicrotasks } from '../../core/clock.ts';
import { acceptsGzip } from './respond.ts';

const T = '/api/v1/trading';
const CHROME = 'gzip, deflate, br, zstd';

describe('acceptsGzip', () => {
  it.each([
    [CHROME, true],
    ['GZIP', true],
    ['br;q=1.0, gzip;q=0.5', true],
    ['x-gzip', true],
    ['*', true],
    ['gzip;q=0', false],
    ['gzip; q=0.000, *', false], // an explicit gzip entry wins over *
    ['*;q=0', false],
    ['identity', false],
    ['br, deflate', false],
    ['', false],
    [null, false],
  ])('%j: %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});

/** Enough positions that the body is over the gzip threshold. */
function bigHarness() {
  const h = harness({ accounts: ['main'] });
  h.clients[0]!.positions = Array.from({ length: 40 }, (_, i) => position('main', `SYM${i}USDT`));
  return h;
}

describe('cached responses: encoding', () => {
  it('sends the memoized body gzipped to clients that accept gzip, the same JSON once decoded', async () => {
    const { request } = bigHarness();
    const plain = await request(`${T}/positions`); // the miss: rendered, identity
    expect(plain.headers.get('content-encoding')).toBeNull();
    const identity = await request(`${T}/positions`);
    const gz = await request(`${T}/positions`, { 'Accept-Encoding': CHROME });
    expect(gz.headers.get('server-timing')).toBe('cache;desc=hit');
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gz.headers.get('vary')).toContain('Accept-Encoding');
    expect(identity.headers.get('vary')).toContain('Accept-Encoding');
    const bytes = Buffer.from(await gz.arrayBuffer());
    const text = await identity.text();
    expect(gunzipSync(bytes).toString('utf8')).toBe(text);
    expect(bytes.byteLength).toBeLessThan(Buffer.byteLength(text) / 3);
  });

  it('keeps Vary: Origin for the extension beside Vary: Accept-Encoding', async () => {
    const { request } = bigHarness();
    await request(`${T}/positions`);
    const res = await request(`${T}/positions`, {
      'Accept-Encoding': CHROME,
      Origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
    });
    expect(res.headers.get('vary')).toMatch(/Origin/);
    expect(res.headers.get('vary')).toMatch(/Accept-Encoding/);
  });

  it('sends identity when gzip is refused, and small bodies as they are', async () => {
    const big = bigHarness();
    await big.request(`${T}/positions`);
    const refused = await big.request(`${T}/positions`, { 'Accept-Encoding': 'gzip;q=0, br' });
    expect(refused.headers.get('content-encoding')).toBeNull();
    expect(JSON.parse(await refused.text()).data).toHaveLength(40);
    const small = harness({ accounts: ['main'] });
    await small.request(`${T}/balances`);
    const res = await small.request(`${T}/balances`, { 'Accept-Encoding': CHROME });
    expect(res.headers.get('content-encoding')).toBeNull();
  });
});

describe('cached responses: refresh-ahead', () => {
  it('a client polling faster than the TTL keeps hitting: the next call starts before the entry expires', async () => {
    const { get, clients, clock } = harness({ accounts: ['main'] });
    // Every exchange call takes 250 ms of the manual clock.
    const slow = () => {
      const g = gate();
      clients[0]!.gate = g.promise;
      void clock.sleep(250).then(g.open);
    };
    slow();
    const first = get(`${T}/positions`);
    await clock.advance(250);
    const t0 = (await first).body.fetchedAt;
    const seen: boolean[] = [];
    for (let i = 0; i < 20; i++) {
      slow();
      await clock.advance(100);
      let body: { accounts: { cached: boolean }[] } | undefined;
      const req = get(`${T}/positions`).then((r) => {
        body = r.body;
      });
      await flushMicrotasks();
      if (body === undefined) await clock.advance(250); // it waits on the exchange: let it finish
      await req;
      seen.push(body!.accounts[0]!.cached);
    }
    expect(seen.every(Boolean)).toBe(true); // 2 s of polling, not one wait on the exchange
    expect(clients[0]!.calls.positions).toBeGreaterThanOrEqual(3);
    expect(clients[0]!.calls.positions).toBeLessThanOrEqual(5); // about one call per (TTL - 1.5 x latency)
    expect(t0).toBeLessThan(clock.now());
  });
});

describe('the GET hot path', () => {
  it('never reads the request body (on node-server that would build a full Request per call)', async () => {
    const { app, token } = harness();
    let bodyReads = 0;
    class Probe extends Request {
      override get body() {
        bodyReads++;
        return super.body;
      }
    }
    const headers = { Host: '127.0.0.1:8787', Authorization: `Bearer ${token}` };
    const res = await app.fetch(new Probe(`http://127.0.0.1:8787${T}/positions`, { headers }));
    expect(res.status).toBe(200);
    expect(bodyReads).toBe(0);
    await app.fetch(new Probe(`http://127.0.0.1:8787${T}/nope`, { method: 'POST', headers, body: '{}' }));
    expect(bodyReads).toBeGreaterThan(0); // bodies are still limited where there are any
  });
});
