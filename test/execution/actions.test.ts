import { type ActionRequestInput, ExecuteResult } from '@tierwatch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakEvenPrice } from '../../companion/src/execution/action-plan.ts';
import { clientOrderId } from '../../companion/src/execution/index.ts';
import { TAKER_FEE } from '../../companion/src/paper/engine/ledger.ts';
import type { RunningCompanion } from '../../companion/src/runtime.ts';
import { longOrder, postExecute, startTrio } from './support.ts';

/**
 * Actions through HTTP → journal → ccxt → the paper exchange (Bybit v5). What is asserted is read from the
 * exchange's own book: position sizes, levels, orders per client id, order/create calls per account.
 */

let c: RunningCompanion;
beforeAll(async () => {
  c = await startTrio({ paper: { positionsPerAccount: 40, latencyMs: 20 } });
});
afterAll(async () => {
  await c?.close();
});

const FAMILY = ['main', 'mirror1'];

async function postAction(req: ActionRequestInput): Promise<{ status: number; body: ExecuteResult }> {
  const res = await fetch(`${c.url}/api/v1/trading/actions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(req),
  });
  return { status: res.status, body: (await res.json()) as ExecuteResult };
}

/** A symbol no account holds yet, opened long on main and mirror1 (0.5×) at 20 steps: sizes to halve. */
async function openFamily(key: string, used: Set<string>): Promise<string> {
  const paper = c.paper!;
  const inst = paper.engine
    .instruments()
    .find(
      (i) =>
        !used.has(i.symbol) &&
        paper.control.price(i.symbol) > 1 &&
        paper.engine.accounts.every((a) => !a.positions.has(i.symbol)),
    )!;
  used.add(inst.symbol);
  const order = longOrder(inst, paper.control.price(inst.symbol), inst.symbol, key);
  const quantity = Number((Math.max(order.quantity!, inst.minQty * 20) * 2).toFixed(10));
  const r = await postExecute(c, { ...order, quantity, accounts: FAMILY });
  expect(r.body.status).toBe('complete');
  return inst.symbol;
}

const size = (account: string, symbol: string) =>
  c.paper!.control.positions(account).find((p) => p.symbol === symbol)?.size ?? 0;

const used = new Set<string>();

describe('actions on the paper exchange', () => {
  it('close 50 % sent 20 times with one key: one reduce-only order per account, each half its own size', async () => {
    const symbol = await openFamily('open-close-half', used);
    const before = FAMILY.map((a) => size(a, symbol));
    c.paper!.control.resetStats();
    const req: ActionRequestInput = {
      idempotencyKey: 'close-half-20x',
      symbol,
      side: 'long',
      action: { kind: 'close', percent: 50 },
    };
    const answers = await Promise.all(Array.from({ length: 20 }, () => postAction(req)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((a) => ExecuteResult.parse(a.body).executionId)).size).toBe(1);
    expect(answers[0]!.body.status).toBe('complete');
    // mirror2 holds none of it: left out, said so.
    expect(answers[0]!.body.legs.map((l) => l.account)).toEqual(FAMILY);
    expect(answers[0]!.body.adjustments.join(' ')).toMatch(/mirror2 holds no long/);
    const creates = c.paper!.control.getStats().byAccountEndpoint;
    expect(FAMILY.map((a) => creates[a]?.['/v5/order/create'])).toEqual([1, 1]);
    expect(FAMILY.map((a) => size(a, symbol))).toEqual(before.map((s) => s / 2));
    for (const a of FAMILY) {
      const o = c.paper!.engine.account(a)!.linkIds.get(clientOrderId(req.idempotencyKey, a, 'close'))!;
      expect([o.side, o.reduceOnly]).toEqual(['Sell', true]);
    }
  });

  it('SL to break-even: each account gets its entry plus the round trip at the fee rate, on the tick, read from the exchange', async () => {
    const symbol = await openFamily('open-for-be', used);
    c.paper!.control.movePrice(symbol, 3);
    const r = await postAction({
      idempotencyKey: 'sl-to-be-1',
      symbol,
      side: 'long',
      action: { kind: 'sl-break-even' },
    });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('complete');
    const tick = c.paper!.engine.instrument(symbol)!.tickSize;
    for (const a of FAMILY) {
      const p = c.paper!.control.positions(a).find((x) => x.symbol === symbol)!;
      const be = breakEvenPrice('long', p.entryPrice, TAKER_FEE, tick);
      expect(p.stopLoss).toBe(be);
      // Closing at that SL loses nothing after both fees.
      expect((p.stopLoss! - p.entryPrice) * p.size).toBeGreaterThanOrEqual(
        (p.entryPrice + p.stopLoss!) * p.size * TAKER_FEE - 1e-9,
      );
      expect(r.body.legs.find((l) => l.account === a)!.stopLoss).toBe(be);
    }
    // The same again: the exchange answers "not modified" (34040), and the key answers the first result.
    const again = await postAction({
      idempotencyKey: 'sl-to-be-1',
      symbol,
      side: 'long',
      action: { kind: 'sl-break-even' },
    });
    expect(again.body).toEqual(r.body);
  });

  it('close all: both legs closed on the exchange, never flipped', async () => {
    const symbol = await openFamily('open-close-all', used);
    const r = await postAction({ idempotencyKey: 'close-all-1', symbol, side: 'long', action: { kind: 'close' } });
    expect(r.body.status).toBe('complete');
    expect(FAMILY.map((a) => size(a, symbol))).toEqual([0, 0]);
    // A second close under a new key finds nothing to close: 404, nothing sent.
    c.paper!.control.resetStats();
    const none = await postAction({ idempotencyKey: 'close-all-2', symbol, side: 'long', action: { kind: 'close' } });
    expect(none.status).toBe(404);
    expect(c.paper!.control.getStats().byEndpoint['/v5/order/create'] ?? 0).toBe(0);
  });

  it('set and clear TP and SL, trailing stop, cancel orders: the levels on the exchange', async () => {
    const symbol = await openFamily('open-for-levels', used);
    const mark = c.paper!.control.price(symbol);
    const tick = c.paper!.engine.instrument(symbol)!.tickSize;
    const snap = (x: number) => Number((Math.round(x / tick) * tick).toFixed(10));
    const tp = snap(mark * 1.2);
    const set = await postAction({
      idempotencyKey: 'set-tpsl-1',
      symbol,
      side: 'long',
      action: { kind: 'set-tpsl', takeProfit: tp, stopLoss: null },
    });
    expect(set.body.status).toBe('complete');
    for (const a of FAMILY) {
      const p = c.paper!.control.positions(a).find((x) => x.symbol === symbol)!;
      expect([p.takeProfit, p.stopLoss]).toEqual([tp, null]);
    }
    const trail = await postAction({
      idempotencyKey: 'trailing-1',
      symbol,
      side: 'long',
      action: { kind: 'trailing', distance: snap(mark * 0.02) },
    });
    expect(trail.body.status).toBe('complete');
    for (const a of FAMILY)
      expect(c.paper!.engine.account(a)!.positions.get(symbol)!.trailing?.distance).toBe(snap(mark * 0.02));
    // A resting limit order on the symbol (an add below the mark) on both accounts, then cancel-orders.
    const inst = c.paper!.engine.instrument(symbol)!;
    const resting = longOrder(inst, mark, symbol, 'resting-limit-1');
    const placed = await postExecute(c, {
      ...resting,
      quantity: Number((resting.quantity! * 3).toFixed(10)),
      orderType: 'limit',
      price: snap(mark * 0.9),
      takeProfit: null,
      stopLoss: null,
      accounts: FAMILY,
    });
    expect(placed.body, JSON.stringify(placed.body)).toMatchObject({ status: 'complete' });
    const openOn = (a: string) =>
      [...c.paper!.engine.account(a)!.open.values()].filter((o) => o.symbol === symbol).length;
    expect(FAMILY.map(openOn)).toEqual([1, 1]);
    const cancel = await postAction({
      idempotencyKey: 'cancel-1',
      symbol,
      side: 'long',
      action: { kind: 'cancel-orders' },
    });
    expect(cancel.body.status).toBe('complete');
    expect(FAMILY.map(openOn)).toEqual([0, 0]);
    expect(FAMILY.map((a) => size(a, symbol) > 0)).toEqual([true, true]);
  });

  it('an invalid level is refused with nothing sent', async () => {
    const symbol = await openFamily('open-for-invalid', used);
    const mark = c.paper!.control.price(symbol);
    c.paper!.control.resetStats();
    const r = await postAction({
      idempotencyKey: 'bad-sl-1',
      symbol,
      side: 'long',
      action: { kind: 'set-tpsl', stopLoss: Number((mark * 2).toFixed(2)) },
    });
    expect(r.status).toBe(400);
    expect(c.paper!.control.getStats().byEndpoint['/v5/position/trading-stop'] ?? 0).toBe(0);
  });
});
