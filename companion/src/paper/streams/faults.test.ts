import { afterEach, describe, expect, it } from 'vitest';
import { bybitWsAuthArgs as authArgs, type Msg, RawBybitSocket as Raw } from '../../../test-support/bybit-ws.ts';
import { ManualClock } from '../../core/clock.ts';
import { type PaperExchange, type PaperOptionsInput, signHeaders, startPaperExchange } from '../index.ts';

/** /v5/trade, the connection limit, the idle cut-off, and the injected stream faults and latency. */

let ex: PaperExchange | undefined;
const raws: Raw[] = [];
afterEach(async () => {
  for (const r of raws.splice(0)) r.ws.terminate();
  await ex?.close();
  ex = undefined;
});

async function start(over: PaperOptionsInput = {}) {
  const clock = new ManualClock(Date.now());
  const wallClock = new ManualClock(Date.now());
  const e = await startPaperExchange({ positionsPerAccount: 5, volatilityPerMinute: 0, clock, wallClock, ...over });
  ex = e;
  const open = async (path: string) => {
    const r = await Raw.open(`${e.url.replace('http', 'ws')}${path}`);
    raws.push(r);
    return r;
  };
  const authed = async (path: '/v5/private' | '/v5/trade', account = 0, topics = ['order', 'position']) => {
    const r = await open(path);
    r.send({ op: 'auth', args: authArgs(e.accounts[account]!, wallClock.now() + 10_000) });
    await r.next((m) => m.op === 'auth');
    if (path === '/v5/private') {
      r.send({ op: 'subscribe', req_id: 'sub', args: topics });
      await r.next((m) => m.req_id === 'sub');
    }
    r.got.length = 0;
    return r;
  };
  const sim = async (path: string, body: unknown) =>
    (await (await fetch(`${e.url}/sim${path}`, { method: 'POST', body: JSON.stringify(body) })).json()) as Msg;
  const buy = async (account = 0) => {
    const b = JSON.stringify({ category: 'linear', symbol: 'SOLUSDT', side: 'Buy', orderType: 'Market', qty: '1' });
    const res = await fetch(`${e.url}/v5/order/create`, {
      method: 'POST',
      headers: signHeaders(e.accounts[account]!, b, Date.now()),
      body: b,
    });
    return (await res.json()) as Msg;
  };
  return { ex: e, clock, wallClock, open, authed, sim, buy };
}

const io = (ms = 40) => new Promise((r) => setTimeout(r, ms));

describe('/v5/trade', () => {
  const create = (reqId: string, ts: number, over: Msg = {}) => ({
    reqId,
    op: 'order.create',
    header: { 'X-BAPI-TIMESTAMP': String(ts), 'X-BAPI-RECV-WINDOW': '5000' },
    args: [
      { category: 'linear', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Limit', qty: '0.1', price: '3000', ...over },
    ],
  });

  it('order.create answers in Bybit trade shape with the limit headers; the order exists', async () => {
    const { ex, wallClock, authed } = await start();
    const t = await authed('/v5/trade');
    t.send(create('r1', wallClock.now()));
    const a = await t.next((m) => m.reqId === 'r1');
    expect(a).toMatchObject({ retCode: 0, retMsg: 'OK', op: 'order.create', header: { 'X-Bapi-Limit': '10' } });
    expect(a.data.orderId).toBeTruthy();
    expect(a.connId).toBeTruthy();
    expect(ex.engine.accounts[0]!.open.get(a.data.orderId)?.price).toBe(3000);
  });

  it('refuses a stale header timestamp (10002), an unauthenticated op (10003), the 11th create in a second (10006)', async () => {
    const { wallClock, authed, open } = await start();
    const anon = await open('/v5/trade');
    anon.send(create('a', wallClock.now()));
    expect((await anon.next((m) => m.reqId === 'a')).retCode).toBe(10003);
    const t = await authed('/v5/trade');
    t.send(create('old', wallClock.now() - 10_000));
    expect((await t.next((m) => m.reqId === 'old')).retCode).toBe(10002);
    for (let i = 0; i < 11; i++) t.send(create(`n${i}`, wallClock.now(), { price: String(2000 + i) }));
    const last = await t.next((m) => m.reqId === 'n10');
    expect(last.retCode).toBe(10006);
    expect(t.take((m) => m.retCode === 0)).toHaveLength(10);
  });
});

describe('connections', () => {
  it('at most connectionLimit handshakes per IP per window: the next is a 429, counted, and the window slides', async () => {
    const { ex, wallClock, open } = await start({ streams: { connectionLimit: 3, connectionWindowMs: 60_000 } });
    for (let i = 0; i < 3; i++) await open('/v5/public/linear');
    await expect(open('/v5/public/linear')).rejects.toThrow('HTTP 429');
    expect(ex.control.getStats().streams.refused.limit).toBe(1);
    await wallClock.advance(60_001);
    await expect(open('/v5/private')).resolves.toBeDefined();
  });

  it('a socket silent for idleMs is closed at the next round; one that pings stays', async () => {
    const { ex, clock, wallClock, open } = await start({ streams: { idleMs: 30_000 } });
    const silent = await open('/v5/public/linear');
    const pinging = await open('/v5/public/linear');
    await wallClock.advance(20_000);
    pinging.send({ op: 'ping' });
    await pinging.next((m) => m.ret_msg === 'pong');
    await wallClock.advance(10_001);
    await clock.advance(100);
    await silent.closedSoon();
    expect(pinging.closed).toBe(false);
    expect(ex.control.getStats().streams.idleCuts).toBe(1);
  });
});

describe('stream faults', () => {
  it("drop ends one account's sockets at once; the public stream and other accounts stay", async () => {
    const { ex, authed, open, sim } = await start();
    const main = await authed('/v5/private', 0);
    const mirror = await authed('/v5/private', 1);
    const pub = await open('/v5/public/linear');
    expect((await sim('/streams/drop', { scope: 'main' })).dropped).toBe(1);
    await main.closedSoon();
    await io();
    expect(mirror.closed || pub.closed).toBe(false);
    expect(ex.control.getStats().streams.dropped).toBe(1);
  });

  it('stall keeps the socket open and silent (no push, no pong) for the window, then it speaks again', async () => {
    const { ex, clock, open, sim } = await start();
    const pub = await open('/v5/public/linear');
    pub.send({ op: 'subscribe', args: ['tickers.BTCUSDT'] });
    await pub.next((m) => m.topic === 'tickers.BTCUSDT');
    pub.got.length = 0;
    await sim('/streams/stall', { scope: 'public', ms: 5000 });
    ex.control.setPrice('BTCUSDT', 70_000);
    pub.send({ op: 'ping' });
    await clock.advance(1000);
    await io();
    expect(pub.got).toHaveLength(0);
    expect(pub.closed).toBe(false);
    expect(ex.control.getStats().streams.stalled).toBeGreaterThan(0);
    await clock.advance(4100);
    ex.control.setPrice('BTCUSDT', 71_000);
    await clock.advance(100);
    expect((await pub.next((m) => m.type === 'delta')).data.markPrice).toMatch(/^71000/);
  });

  it('refuse: the public handshake answers 503; a refused account is cut at auth; others connect', async () => {
    const { ex, open, authed, sim } = await start();
    await sim('/streams/refuse', { scope: 'public', ms: 10_000 });
    await sim('/streams/refuse', { scope: 'main', ms: 10_000 });
    await expect(open('/v5/public/linear')).rejects.toThrow('HTTP 503');
    const main = await open('/v5/private');
    main.send({ op: 'auth', args: authArgs(ex.accounts[0]!, Date.now() + 10_000) });
    await main.closedSoon();
    const mirror = await authed('/v5/private', 1);
    expect(mirror.closed).toBe(false);
    expect(ex.control.getStats().streams.refused.fault).toBe(2);
    await sim('/streams/clear', {});
    await expect(open('/v5/public/linear')).resolves.toBeDefined();
  });

  it('a lost push: the next position push of one account never arrives, the connection stays, the rest does', async () => {
    const { authed, sim, buy } = await start();
    const main = await authed('/v5/private', 0, ['order', 'execution', 'position']);
    const mirror = await authed('/v5/private', 1, ['order', 'execution', 'position']);
    expect((await sim('/streams/lose', { scope: 'main', topic: 'position' })).ok).toBe(true);
    expect((await buy(0)).retCode).toBe(0);
    expect((await buy(1)).retCode).toBe(0);
    await mirror.next((m) => m.topic === 'position');
    await main.next((m) => m.topic === 'execution');
    await io();
    expect(main.got.map((m) => m.topic)).toEqual(['order', 'execution']);
    expect(main.closed).toBe(false);
    // Only that one: the account's next fill is pushed whole, and its seq is at or past the fill's.
    main.got.length = 0;
    expect((await buy(0)).retCode).toBe(0);
    const pos = await main.next((m) => m.topic === 'position');
    const exec = main.got.find((m) => m.topic === 'execution');
    expect(Number(pos.data[0].seq)).toBeGreaterThanOrEqual(Number(exec?.data[0].seq));
  });

  it('injected push latency holds each private message for its time, in order', async () => {
    const { clock, authed, sim, buy } = await start();
    const main = await authed('/v5/private', 0);
    expect((await sim('/streams/latency', { fixedMs: 50, scope: 'main' })).latency.fixedMs).toBe(50);
    expect((await buy()).retCode).toBe(0);
    await io();
    expect(main.got).toHaveLength(0);
    await clock.advance(50);
    await main.next((m) => m.topic === 'position');
    expect(main.got.map((m) => m.topic)).toEqual(['order', 'position']);
  });
});
