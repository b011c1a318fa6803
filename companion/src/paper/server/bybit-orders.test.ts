import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.ts';
import { type PaperExchange, type PaperOptionsInput, signHeaders, startPaperExchange } from '../index.ts';

/** Order and position behaviours as Bybit has them: conditional, partial, trailing, reduce-only, liquidation. */

let ex: PaperExchange | undefined;
afterEach(async () => {
  await ex?.close();
  ex = undefined;
});

// biome-ignore lint/suspicious/noExplicitAny: Bybit's result objects, read field by field
type Result = Record<string, any>;

async function start(over: PaperOptionsInput = {}) {
  const clock = new ManualClock(Date.now());
  const e = await startPaperExchange({ positionsPerAccount: 0, volatilityPerMinute: 0, clock, ...over });
  ex = e;
  e.control.setPrice('SOLUSDT', 100);
  return { ex: e, clock };
}

async function call(method: 'GET' | 'POST', path: string, params: Record<string, unknown> = {}) {
  const e = ex as PaperExchange;
  const query = new URLSearchParams(params as Record<string, string>).toString();
  const payload = method === 'GET' ? query : JSON.stringify(params);
  const res = await fetch(`${e.url}${path}${method === 'GET' && query ? `?${query}` : ''}`, {
    method,
    headers: signHeaders(e.accounts[0]!, payload, Date.now()),
    body: method === 'POST' ? payload : undefined,
  });
  return (await res.json()) as { retCode: number; retMsg: string; result: Result };
}

const L = { category: 'linear', symbol: 'SOLUSDT' };
const create = (p: Record<string, unknown>) =>
  call('POST', '/v5/order/create', { ...L, side: 'Buy', orderType: 'Market', qty: '1', ...p });
const order = async (orderId: string) =>
  (await call('GET', '/v5/order/realtime', { ...L, orderId })).result.list[0] as Result;
const position = async () => (await call('GET', '/v5/position/list', L)).result.list[0] as Result | undefined;
const lastExec = () => ex!.engine.accounts[0]!.executions.at(-1);

describe('conditional orders', () => {
  it('a market order with triggerPrice 30 % away rests Untriggered, holds no margin, then fills when the price crosses', async () => {
    const { ex } = await start();
    const r = await create({ triggerPrice: '130', triggerDirection: 1, triggerBy: 'MarkPrice' });
    expect(r.retCode).toBe(0);
    const o = await order(r.result.orderId);
    expect(o).toMatchObject({
      orderStatus: 'Untriggered',
      triggerPrice: '130.00',
      triggerDirection: 1,
      triggerBy: 'MarkPrice',
      stopOrderType: 'Stop',
    });
    expect(await position()).toBeUndefined();
    const w = (await call('GET', '/v5/account/wallet-balance', { accountType: 'UNIFIED' })).result.list[0];
    expect(Number(w.totalInitialMargin)).toBe(0);
    ex.control.setPrice('SOLUSDT', 129.99);
    expect((await order(r.result.orderId)).orderStatus).toBe('Untriggered');
    ex.control.setPrice('SOLUSDT', 130.5);
    expect((await order(r.result.orderId)).orderStatus).toBe('Filled');
    expect(Number((await position())!.size)).toBe(1);
  });

  it('refuses a trigger on the wrong side of the mark (110092, 110093); a conditional limit rests as New once triggered', async () => {
    const { ex } = await start();
    expect((await create({ triggerPrice: '90', triggerDirection: 1 })).retCode).toBe(110092);
    expect((await create({ triggerPrice: '110', triggerDirection: 2 })).retCode).toBe(110093);
    const r = await create({ orderType: 'Limit', price: '80', triggerPrice: '90', triggerDirection: 2 });
    expect(r.retCode).toBe(0);
    ex.control.setPrice('SOLUSDT', 89);
    expect(await order(r.result.orderId)).toMatchObject({ orderStatus: 'New', price: '80.00' });
    ex.control.setPrice('SOLUSDT', 79);
    expect((await order(r.result.orderId)).orderStatus).toBe('Filled');
  });

  it('closeOnTrigger is reduce-only: it closes at most the position when it fires', async () => {
    const { ex } = await start();
    await create({});
    const r = await create({ side: 'Sell', qty: '5', triggerPrice: '95', triggerDirection: 2, closeOnTrigger: true });
    expect(await order(r.result.orderId)).toMatchObject({ reduceOnly: true, closeOnTrigger: true });
    ex.control.setPrice('SOLUSDT', 94);
    expect(await position()).toBeUndefined();
    expect(ex.engine.accounts[0]!.positions.size).toBe(0);
    expect((await create({ side: 'Sell', reduceOnly: true })).retCode).toBe(110017);
  });
});

describe('trading-stop', () => {
  it('tpslMode Partial: a TP order of tpSize; crossing it closes that much and no more', async () => {
    const { ex } = await start();
    await create({ qty: '4' });
    const r = await call('POST', '/v5/position/trading-stop', {
      ...L,
      tpslMode: 'Partial',
      takeProfit: '110',
      tpSize: '1.5',
    });
    expect(r.retCode).toBe(0);
    const tpsl = (await call('GET', '/v5/order/realtime', { ...L, orderFilter: 'tpslOrder' })).result.list as Result[];
    expect(tpsl).toHaveLength(1);
    expect(tpsl[0]).toMatchObject({
      stopOrderType: 'PartialTakeProfit',
      orderStatus: 'Untriggered',
      qty: '1.50',
      tpslMode: 'Partial',
    });
    expect((await position())!.tpslMode).toBe('Partial');
    ex.control.setPrice('SOLUSDT', 111);
    expect(Number((await position())!.size)).toBe(2.5);
    expect(lastExec()?.stopOrderType).toBe('PartialTakeProfit');
  });

  it('an order with Partial TP/SL attached places them on fill', async () => {
    await start();
    await create({ qty: '2', tpslMode: 'Partial', takeProfit: '120', tpSize: '1', stopLoss: '90', slSize: '1' });
    const tpsl = (await call('GET', '/v5/order/realtime', { ...L, orderFilter: 'tpslOrder' })).result.list as Result[];
    expect(tpsl.map((o) => o.stopOrderType).sort()).toEqual(['PartialStopLoss', 'PartialTakeProfit']);
    expect((await position())!.takeProfit).toBe('');
  });

  it('trailingStop with activePrice: inactive below it, then follows the best price and closes a distance behind', async () => {
    const { ex } = await start();
    await create({});
    const r = await call('POST', '/v5/position/trading-stop', { ...L, trailingStop: '5', activePrice: '105' });
    expect(r.retCode).toBe(0);
    expect(await position()).toMatchObject({ trailingStop: '5.00', activePrice: '105.00' });
    ex.control.setPrice('SOLUSDT', 96);
    expect(await position()).toBeDefined();
    ex.control.setPrice('SOLUSDT', 112);
    ex.control.setPrice('SOLUSDT', 108);
    expect(await position()).toBeDefined();
    ex.control.setPrice('SOLUSDT', 106.9);
    expect(await position()).toBeUndefined();
    expect(lastExec()?.stopOrderType).toBe('TrailingStop');
    expect((await call('POST', '/v5/position/trading-stop', { ...L, trailingStop: '5' })).retCode).toBe(10001);
  });
});

describe('liquidation', () => {
  it('the mark through liqPrice liquidates at the bust price, before a stop-loss placed beyond it', async () => {
    const { ex } = await start();
    await create({ stopLoss: '85' });
    const p = (await position())!;
    const liq = Number(p.liqPrice);
    expect(liq).toBeGreaterThan(85);
    const wallet = ex.engine.accounts[0]!.wallet;
    ex.control.setPrice('SOLUSDT', 80);
    expect(await position()).toBeUndefined();
    const e = lastExec()!;
    expect(e.execType).toBe('BustTrade');
    expect(e.execPrice).toBeCloseTo(Number(p.bustPrice), 6);
    expect(ex.engine.accounts[0]!.history.at(-1)?.createType).toBe('CreateByLiq');
    // The whole initial margin is gone.
    expect(wallet - ex.engine.accounts[0]!.wallet).toBeGreaterThan(Number(p.positionIM) * 0.99);
    const pnl = (await call('GET', '/v5/position/closed-pnl', L)).result.list[0];
    expect(pnl.execType).toBe('BustTrade');
  });

  it('a stop-loss above liqPrice is reached first when one step crosses both', async () => {
    const { ex } = await start();
    await create({ stopLoss: '95' });
    ex.control.setPrice('SOLUSDT', 80);
    expect(lastExec()?.stopOrderType).toBe('StopLoss');
    expect(lastExec()?.execType).toBe('Trade');
  });
});

describe('amend, cancel-all, set-leverage, closed-pnl', () => {
  it('amend changes an open order; amended across the mark it fills; unchanged is 10001; unknown is 110001', async () => {
    await start();
    const r = await create({ orderType: 'Limit', price: '90' });
    const id = r.result.orderId;
    expect((await call('POST', '/v5/order/amend', { ...L, orderId: id, price: '91', qty: '2' })).retCode).toBe(0);
    expect(await order(id)).toMatchObject({ price: '91.00', qty: '2.00', orderStatus: 'New' });
    expect((await call('POST', '/v5/order/amend', { ...L, orderId: id, price: '91' })).retCode).toBe(10001);
    expect((await call('POST', '/v5/order/amend', { ...L, orderId: id, price: '101' })).retCode).toBe(0);
    expect((await order(id)).orderStatus).toBe('Filled');
    expect((await call('POST', '/v5/order/amend', { ...L, orderId: 'nope', price: '95' })).retCode).toBe(110001);
  });

  it("cancel-all cancels a symbol's open orders and lists them", async () => {
    await start();
    const a = await create({ orderType: 'Limit', price: '90' });
    const b = await create({ orderType: 'Limit', price: '91' });
    const c = await create({ triggerPrice: '120' });
    const r = await call('POST', '/v5/order/cancel-all', L);
    expect(r.result.success).toBe('1');
    expect(r.result.list.map((o: Result) => o.orderId).sort()).toEqual([a, b, c].map((x) => x.result.orderId).sort());
    expect((await call('GET', '/v5/order/realtime', L)).result.list).toHaveLength(0);
    expect((await order(c.result.orderId)).orderStatus).toBe('Deactivated');
  });

  it("set-leverage moves the position's leverage and liqPrice; the same again is 110043; buy != sell is 10001", async () => {
    await start();
    await create({});
    const before = await position();
    expect(
      (await call('POST', '/v5/position/set-leverage', { ...L, buyLeverage: '5', sellLeverage: '5' })).retCode,
    ).toBe(0);
    const after = (await position())!;
    expect(after.leverage).toBe('5');
    expect(Number(after.liqPrice)).toBeLessThan(Number(before!.liqPrice));
    expect(
      (await call('POST', '/v5/position/set-leverage', { ...L, buyLeverage: '5', sellLeverage: '5' })).retCode,
    ).toBe(110043);
    expect(
      (await call('POST', '/v5/position/set-leverage', { ...L, buyLeverage: '5', sellLeverage: '6' })).retCode,
    ).toBe(10001);
  });

  it('closed-pnl records a close with entry, exit and PnL', async () => {
    const { ex } = await start();
    await create({ qty: '2' });
    ex.control.setPrice('SOLUSDT', 110);
    await create({ side: 'Sell', qty: '2', reduceOnly: true });
    const [rec] = (await call('GET', '/v5/position/closed-pnl', L)).result.list as Result[];
    expect(rec).toMatchObject({ symbol: 'SOLUSDT', side: 'Sell', closedSize: '2.00', execType: 'Trade' });
    expect(Number(rec!.closedPnl)).toBeGreaterThan(19);
    expect(Number(rec!.closedPnl)).toBeLessThan(20);
    expect(rec!.updatedTime).toMatch(/^\d+$/);
  });
});
