import { afterEach, describe, expect, it } from 'vitest';
import { bybitWsAuthArgs as authArgs, type Msg, RawBybitSocket as Raw } from '../../../test-support/bybit-ws.ts';
import { ManualClock } from '../../core/clock.ts';
import { type PaperExchange, type PaperOptionsInput, signHeaders, startPaperExchange } from '../index.ts';

/**
 * The WebSocket side without ccxt, on injected time: the market and the push rounds move only when the test
 * advances the clock, so every delta and every push below is the consequence of one known step.
 */

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
  ex = await startPaperExchange({ positionsPerAccount: 5, volatilityPerMinute: 0, clock, wallClock, ...over });
  const ws = ex.url.replace('http', 'ws');
  const open = async (path: string) => {
    const r = await Raw.open(`${ws}${path}`);
    raws.push(r);
    return r;
  };
  return { ex, clock, wallClock, open };
}

/** Lets socket I/O and the push loop run (they are on real sockets, whatever the clock). */
const io = (ms = 30) => new Promise((r) => setTimeout(r, ms));

describe('public linear stream', () => {
  it('tickers: an ack, a snapshot, then deltas carrying only the changed fields', async () => {
    const { ex, clock, open } = await start();
    const pub = await open('/v5/public/linear');
    pub.send({ op: 'subscribe', req_id: 'a1', args: ['tickers.BTCUSDT'] });
    expect(await pub.next((m) => m.op === 'subscribe')).toMatchObject({ success: true, req_id: 'a1' });
    const snap = await pub.next((m) => m.topic === 'tickers.BTCUSDT');
    expect(snap.type).toBe('snapshot');
    const dp = ex.engine.instrument('BTCUSDT')!.priceDecimals;
    expect(snap.data.markPrice).toBe(ex.control.price('BTCUSDT').toFixed(dp));
    ex.control.setPrice('BTCUSDT', 70_000);
    await clock.advance(100);
    const delta = await pub.next((m) => m.topic === 'tickers.BTCUSDT' && m.type === 'delta');
    expect(delta.data).toMatchObject({
      symbol: 'BTCUSDT',
      markPrice: (70_000).toFixed(dp),
      lastPrice: (70_000).toFixed(dp),
    });
    expect(delta.data.prevPrice24h).toBeUndefined();
    expect(delta.data.fundingRate).toBeUndefined();
    expect(delta.cs).toBeGreaterThan(snap.cs);
    // No change, no push.
    const before = pub.got.length;
    await clock.advance(500);
    await io();
    expect(pub.got.length).toBe(before);
    expect(ex.control.getStats().streams.byTopic.tickers).toBe(2);
  });

  it('an unknown topic is refused in Bybit shape and subscribes nothing', async () => {
    const { open } = await start();
    const pub = await open('/v5/public/linear');
    pub.send({ op: 'subscribe', req_id: 7, args: ['tickers.BTCUSDT', 'tickers.NOSUCHUSDT'] });
    const err = await pub.next((m) => m.op === 'subscribe');
    expect(err).toMatchObject({ success: false, req_id: '7' });
    expect(err.ret_msg).toContain('tickers.NOSUCHUSDT');
    await io();
    expect(pub.take((m) => m.topic)).toHaveLength(0);
  });

  it('kline and orderbook.1 in Bybit shape, pushed when the price moves', async () => {
    const { ex, clock, open } = await start();
    const pub = await open('/v5/public/linear');
    pub.send({ op: 'subscribe', args: ['kline.1.ETHUSDT', 'orderbook.1.ETHUSDT'] });
    const k = await pub.next((m) => m.topic === 'kline.1.ETHUSDT');
    expect(k.data[0]).toMatchObject({ interval: '1', confirm: false });
    expect(k.data[0].end - k.data[0].start).toBe(59_999);
    const ob = await pub.next((m) => m.topic === 'orderbook.1.ETHUSDT');
    expect(ob.data.b).toHaveLength(1);
    expect(ob.data.a).toHaveLength(1);
    expect(Number(ob.data.a[0][0])).toBeGreaterThan(Number(ob.data.b[0][0]));
    ex.control.setPrice('ETHUSDT', 4000);
    await clock.advance(100);
    const k2 = await pub.next((m) => m.topic === 'kline.1.ETHUSDT' && Number(m.data[0].close) === 4000);
    expect(Number(k2.data[0].high)).toBe(4000);
    const ob2 = await pub.next((m) => m.topic === 'orderbook.1.ETHUSDT' && m.data.u > ob.data.u);
    expect(Number(ob2.data.b[0][0])).toBeLessThan(4000);
  });

  it('ping answers in the public shape; the private stream answers op pong', async () => {
    const { open } = await start();
    const pub = await open('/v5/public/linear');
    pub.send({ op: 'ping', req_id: '9' });
    expect(await pub.next((m) => m.ret_msg === 'pong')).toMatchObject({ success: true, op: 'ping', req_id: '9' });
    const priv = await open('/v5/private');
    priv.send({ op: 'ping', req_id: '10' });
    const p = await priv.next((m) => m.op === 'pong');
    expect(p.req_id).toBe('10');
    expect(Number(p.args[0])).toBeGreaterThan(0);
  });

  it('an unknown path answers 404 at the handshake', async () => {
    const { open, ex } = await start();
    await expect(open('/v5/public/spotty')).rejects.toThrow('HTTP 404');
    expect(ex.control.getStats().streams.refused.path).toBe(1);
  });
});

describe('private stream', () => {
  it('auth as Bybit signs it; a wrong signature and an expired one are refused; subscribe needs auth', async () => {
    const { ex, wallClock, open } = await start();
    const acc = ex.accounts[0]!;
    const priv = await open('/v5/private');
    priv.send({ op: 'subscribe', req_id: 's0', args: ['position'] });
    expect(await priv.next((m) => m.req_id === 's0')).toMatchObject({
      success: false,
      ret_msg: 'Request not authorized',
    });
    priv.send({ op: 'auth', args: authArgs({ ...acc, secret: 'wrong' }, wallClock.now() + 10_000) });
    expect(await priv.next((m) => m.op === 'auth')).toMatchObject({ success: false, request: { op: 'auth' } });
    priv.got.length = 0;
    priv.send({ op: 'auth', args: authArgs(acc, wallClock.now() - 1) });
    expect(await priv.next((m) => m.op === 'auth')).toMatchObject({ success: false, ret_msg: 'error:request expired' });
    priv.got.length = 0;
    priv.send({ op: 'auth', args: authArgs(acc, wallClock.now() + 10_000) });
    expect(await priv.next((m) => m.op === 'auth')).toMatchObject({ success: true });
    priv.send({ op: 'subscribe', req_id: 's1', args: ['position', 'order', 'execution', 'wallet'] });
    expect(await priv.next((m) => m.req_id === 's1')).toMatchObject({ success: true });
    expect(ex.control.getStats().streams.authFailures).toBe(2);
  });

  async function authed(topics = ['position', 'order', 'execution', 'wallet'], over: PaperOptionsInput = {}) {
    const s = await start(over);
    const priv = await s.open('/v5/private');
    priv.send({ op: 'auth', args: authArgs(s.ex.accounts[0]!, s.wallClock.now() + 10_000) });
    await priv.next((m) => m.op === 'auth' && m.success);
    priv.send({ op: 'subscribe', req_id: 'sub', args: topics });
    await priv.next((m) => m.req_id === 'sub');
    priv.got.length = 0;
    return { ...s, priv };
  }

  async function rest(path: string, params: Record<string, unknown>) {
    const e = ex as PaperExchange;
    const body = JSON.stringify(params);
    const res = await fetch(`${e.url}${path}`, {
      method: 'POST',
      headers: signHeaders(e.accounts[0]!, body, Date.now()),
      body,
    });
    return (await res.json()) as Msg;
  }

  it('a market fill pushes order, execution, position and wallet, in that order', async () => {
    const { priv } = await authed();
    const placed = await rest('/v5/order/create', {
      category: 'linear',
      symbol: 'SOLUSDT',
      side: 'Buy',
      orderType: 'Market',
      qty: '1',
    });
    expect(placed.retCode).toBe(0);
    await priv.next((m) => m.topic === 'wallet');
    expect(priv.got.map((m) => m.topic)).toEqual(['order', 'execution', 'position', 'wallet']);
    const [order, exec, pos] = priv.got;
    expect(order!.data[0]).toMatchObject({ orderId: placed.result.orderId, orderStatus: 'Filled', category: 'linear' });
    expect(exec!.data[0]).toMatchObject({ orderId: placed.result.orderId, execType: 'Trade' });
    expect(pos!.data[0]).toMatchObject({ symbol: 'SOLUSDT', side: 'Buy', category: 'linear' });
    expect(Number(exec!.data[0].execQty)).toBe(1);
    expect(Number(pos!.data[0].size)).toBe(1);
    expect(Number.isInteger(pos!.creationTime)).toBe(true);
  });

  it('a trading-stop change and a TP trigger on the loop are pushed; the close says side "" and size 0', async () => {
    const { ex, clock, priv } = await authed(['position.linear', 'execution']);
    ex.control.setPrice('SOLUSDT', 150);
    const placed = await rest('/v5/order/create', {
      category: 'linear',
      symbol: 'SOLUSDT',
      side: 'Buy',
      orderType: 'Market',
      qty: '1',
    });
    expect(placed).toMatchObject({ retCode: 0 });
    await priv.next((m) => m.topic === 'position.linear');
    priv.got.length = 0;
    expect(
      (await rest('/v5/position/trading-stop', { category: 'linear', symbol: 'SOLUSDT', takeProfit: '160' })).retCode,
    ).toBe(0);
    const tp = await priv.next((m) => m.topic === 'position.linear');
    expect(Number(tp.data[0].takeProfit)).toBe(160);
    priv.got.length = 0;
    // The mark crosses TP with nobody calling REST: the stream's own round syncs the engine, and the
    // next market step (1 s) checks the trigger.
    ex.engine.market('SOLUSDT')!.mark = 161;
    await clock.advance(1000);
    const closed = await priv.next((m) => m.topic === 'position.linear');
    expect(closed.data[0]).toMatchObject({ symbol: 'SOLUSDT', side: '', size: '0' });
    expect(priv.take((m) => m.topic === 'execution')[0]!.data[0].stopOrderType).toBe('TakeProfit');
  });

  it('amend, cancel and a liquidation are pushed as they happen', async () => {
    const { ex, priv } = await authed(['order', 'execution', 'position']);
    ex.control.setPrice('SOLUSDT', 100);
    const limit = { category: 'linear', symbol: 'SOLUSDT', side: 'Buy', orderType: 'Limit', qty: '1', price: '90' };
    const placed = await rest('/v5/order/create', limit);
    const id = placed.result.orderId;
    await priv.next((m) => m.topic === 'order' && m.data[0].orderId === id);
    expect(
      (await rest('/v5/order/amend', { category: 'linear', symbol: 'SOLUSDT', orderId: id, price: '91' })).retCode,
    ).toBe(0);
    await priv.next((m) => m.topic === 'order' && m.data[0].price === '91.00');
    expect((await rest('/v5/order/cancel', { category: 'linear', symbol: 'SOLUSDT', orderId: id })).retCode).toBe(0);
    await priv.next((m) => m.topic === 'order' && m.data[0].orderStatus === 'Cancelled');
    await rest('/v5/order/create', {
      category: 'linear',
      symbol: 'SOLUSDT',
      side: 'Buy',
      orderType: 'Market',
      qty: '1',
    });
    await priv.next((m) => m.topic === 'position' && m.data[0].size !== '0');
    priv.got.length = 0;
    ex.control.setPrice('SOLUSDT', 80);
    const bust = await priv.next((m) => m.topic === 'execution');
    expect(bust.data[0]).toMatchObject({ execType: 'BustTrade', createType: 'CreateByLiq' });
    expect((await priv.next((m) => m.topic === 'position')).data[0]).toMatchObject({ side: '', size: '0' });
  });

  it("another account's changes are not pushed", async () => {
    const { priv } = await authed();
    const e = ex as PaperExchange;
    const body = JSON.stringify({ category: 'linear', symbol: 'SOLUSDT', side: 'Buy', orderType: 'Market', qty: '1' });
    await fetch(`${e.url}/v5/order/create`, {
      method: 'POST',
      headers: signHeaders(e.accounts[1]!, body, Date.now()),
      body,
    });
    await io(80);
    expect(priv.got).toHaveLength(0);
  });
});
