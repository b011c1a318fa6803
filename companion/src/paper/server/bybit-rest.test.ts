import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.ts';
import { type PaperExchange, type PaperOptionsInput, signHeaders, startPaperExchange } from '../index.ts';

/** REST answers as Bybit gives them, where real clients tripped over the difference. */

let ex: PaperExchange | undefined;
afterEach(async () => {
  await ex?.close();
  ex = undefined;
});

async function start(over: PaperOptionsInput = {}) {
  const clock = new ManualClock(Date.now());
  ex = await startPaperExchange({ positionsPerAccount: 30, volatilityPerMinute: 0, clock, ...over });
  return { ex, clock };
}

// biome-ignore lint/suspicious/noExplicitAny: Bybit's result objects, read field by field
type Result = Record<string, any>;

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

const linear = { category: 'linear', settleCoin: 'USDT' };

describe('times and sequence numbers', () => {
  it('seeded positions, orders and executions carry whole-millisecond times and an integer seq', async () => {
    await start();
    const pos = (await call('GET', '/v5/position/list', { ...linear, limit: '200' })).result.list as Result[];
    const orders = (await call('GET', '/v5/order/realtime', linear)).result.list as Result[];
    const execs = (await call('GET', '/v5/execution/list', { category: 'linear', limit: '100' })).result
      .list as Result[];
    expect(pos.length).toBe(30);
    expect(orders.length).toBeGreaterThan(0);
    expect(execs.length).toBeGreaterThan(0);
    const whole = /^\d+$/;
    for (const p of pos) {
      expect(p.createdTime).toMatch(whole);
      expect(p.updatedTime).toMatch(whole);
      expect(Number.isInteger(p.seq)).toBe(true);
    }
    for (const o of orders) expect(`${o.createdTime} ${o.updatedTime}`).toMatch(/^\d+ \d+$/);
    for (const e of execs) {
      expect(e.execTime).toMatch(whole);
      expect(Number.isInteger(e.seq)).toBe(true);
    }
  });
});

describe('cursors', () => {
  it('are opaque and URL-encoded, lead through every page, and a forged one is refused', async () => {
    await start({ positionsPerAccount: 45, symbols: 50 });
    const seen = new Set<string>();
    let cursor: string | undefined;
    const cursors: string[] = [];
    do {
      const r = await call('GET', '/v5/position/list', { ...linear, limit: '20', ...(cursor ? { cursor } : {}) });
      expect(r.retCode).toBe(0);
      for (const p of r.result.list) seen.add(p.symbol);
      cursor = r.result.nextPageCursor || undefined;
      if (cursor) cursors.push(cursor);
    } while (cursor);
    expect(seen.size).toBe(45);
    expect(cursors).toHaveLength(2);
    for (const c of cursors) {
      expect(c).not.toMatch(/^p\d+$/);
      expect(c).toContain('%3A');
    }
    // Taken back decoded too (the loop above passed it as given, still encoded): the same page.
    const given = await call('GET', '/v5/position/list', { ...linear, limit: '20', cursor: cursors[0]! });
    const decoded = await call('GET', '/v5/position/list', {
      ...linear,
      limit: '20',
      cursor: decodeURIComponent(cursors[0]!),
    });
    expect(decoded.result.list.map((p: Result) => p.symbol)).toEqual(given.result.list.map((p: Result) => p.symbol));
    const forged = await call('GET', '/v5/position/list', { ...linear, limit: '20', cursor: 'p20' });
    expect(forged.retCode).toBe(10001);
    const tampered = await call('GET', '/v5/position/list', {
      ...linear,
      limit: '20',
      cursor: decodeURIComponent(cursors[0]!).replace(/^20/, '21'),
    });
    expect(tampered.retCode).toBe(10001);
  });
});

describe('trading-stop', () => {
  it('answers 34040 "not modified" when the request changes nothing', async () => {
    const { ex } = await start();
    const p = ex.control.positions('main').find((x) => x.stopLoss !== null)!;
    const sl = String(p.stopLoss);
    const first = await call('POST', '/v5/position/trading-stop', {
      category: 'linear',
      symbol: p.symbol,
      stopLoss: sl,
    });
    expect(first).toMatchObject({ retCode: 34040, retMsg: 'not modified' });
    const inst = ex.engine.instrument(p.symbol)!;
    const moved = p.side === 'long' ? p.stopLoss! - inst.tickSize * 10 : p.stopLoss! + inst.tickSize * 10;
    const next = moved.toFixed(inst.priceDecimals);
    expect(
      (await call('POST', '/v5/position/trading-stop', { category: 'linear', symbol: p.symbol, stopLoss: next }))
        .retCode,
    ).toBe(0);
    expect(
      (await call('POST', '/v5/position/trading-stop', { category: 'linear', symbol: p.symbol, stopLoss: next }))
        .retCode,
    ).toBe(34040);
  });
});
