import { ExecuteResult } from '@tierwatch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOrderId } from '../../companion/src/execution/index.ts';
import type { RunningCompanion } from '../../companion/src/runtime.ts';
import { criticalGaps, makeCritical, marketLong, ordersOnExchange, postExecute, startTrio } from './support.ts';

/**
 * The whole path in one process: HTTP → validation → journal → ccxt → the paper exchange (Bybit v5 dialect),
 * with the monitor running on 3 accounts. Order counts come from the exchange, not from our records.
 */

let c: RunningCompanion;
beforeAll(async () => {
  c = await startTrio({ paper: { positionsPerAccount: 40, latencyMs: 100 } });
});
afterAll(async () => {
  await c?.close();
});

describe('execute on the paper exchange', () => {
  it('the same key sent 20 times at once: one order per account, counted on the exchange', async () => {
    const req = marketLong(c, 'BTCUSDT', 'same-key-20x');
    c.paper!.control.resetStats();
    const answers = await Promise.all(Array.from({ length: 20 }, () => postExecute(c, req)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const ids = new Set(answers.map((a) => ExecuteResult.parse(a.body).executionId));
    expect(ids.size).toBe(1);
    expect(answers[0]!.body.status).toBe('complete');
    const creates = c.paper!.control.getStats().byAccountEndpoint;
    expect(
      Object.fromEntries(['main', 'mirror1', 'mirror2'].map((a) => [a, creates[a]?.['/v5/order/create']])),
    ).toEqual({
      main: 1,
      mirror1: 1,
      mirror2: 1,
    });
    const linkIds = ['main', 'mirror1', 'mirror2'].map((a) => clientOrderId('same-key-20x', a));
    expect(ordersOnExchange(c.paper!, linkIds)).toEqual({ main: 1, mirror1: 1, mirror2: 1 });
    // Legs sized main x ratio, each with TP/SL attached on the exchange's order.
    const qty = answers[0]!.body.legs.map((l) => l.qty);
    expect(qty[1]).toBeCloseTo(qty[0]! * 0.5);
    expect(qty[2]).toBeCloseTo(qty[0]! * 2);
    const order = c.paper!.engine.account('main')!.linkIds.get(linkIds[0]!)!;
    expect([order.takeProfit, order.stopLoss]).toEqual([req.takeProfit, req.stopLoss]);
    // A retry after the fact: same answer, nothing sent.
    const again = await postExecute(c, req);
    expect(again.body).toEqual(answers[0]!.body);
    expect(c.paper!.control.getStats().byEndpoint['/v5/order/create']).toBe(3);
  });

  it('a key reused from a fresh data dir: the order found under it differs, so nothing is adopted', async () => {
    const req = marketLong(c, 'BTCUSDT', 'reused-key-fresh-dir');
    expect((await postExecute(c, req)).body.status).toBe('complete');
    // A second companion on the same exchange accounts, with a journal that never saw this key.
    const paper = c.paper!;
    const env: NodeJS.ProcessEnv = {};
    for (const a of paper.accounts) {
      env[`COMPANION_SECRET__${a.name.toUpperCase()}__API_KEY`] = a.apiKey;
      env[`COMPANION_SECRET__${a.name.toUpperCase()}__SECRET`] = a.secret;
    }
    const other = await startTrio({
      accounts: c.accounts.map((a) => ({ name: a.name, role: a.role, mirrorRatio: a.mirrorRatio, baseUrl: paper.url })),
      env,
    });
    try {
      // The same key, another trade: short, three times the size, an SL above the mark and no TP.
      const { tickSize } = other.exchange.market.instrument('BTCUSDT')!;
      const stopLoss = Number((Math.ceil((paper.control.price('BTCUSDT') * 1.08) / tickSize) * tickSize).toFixed(10));
      const short = { ...req, side: 'short' as const, quantity: req.quantity! * 3, takeProfit: null, stopLoss };
      const r = await postExecute(other, short);
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('failed');
      expect(r.body.legs.map((l) => [l.status, l.orderId, l.error?.code])).toEqual(
        Array(3).fill(['rejected', null, 'IDEMPOTENCY_CONFLICT']),
      );
      // The exchange still holds exactly the first long per account.
      const linkIds = ['main', 'mirror1', 'mirror2'].map((a) => clientOrderId(req.idempotencyKey, a));
      expect(ordersOnExchange(paper, linkIds)).toEqual({ main: 1, mirror1: 1, mirror2: 1 });
      expect(paper.engine.account('main')!.linkIds.get(linkIds[0]!)!.side).toBe('Buy');
    } finally {
      await other.close();
    }
  });

  it('a bad request places nothing on any account', async () => {
    c.paper!.control.resetStats();
    const req = { ...marketLong(c, 'BTCUSDT', 'bad-sl-key'), stopLoss: c.paper!.control.price('BTCUSDT') * 2 };
    const r = await postExecute(c, req);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: 'INVALID_ORDER', path: ['stopLoss'] } });
    expect(c.paper!.control.getStats().byEndpoint['/v5/order/create']).toBeUndefined();
  });

  it('while executions run (critical-only mode) the streams are never paused: prices keep arriving', async () => {
    makeCritical(c.paper!);
    const modes: string[] = [];
    const off = c.bus.subscribe((e) => {
      if (e.type === 'guard-mode') modes.push(e.mode);
    });
    await new Promise((r) => setTimeout(r, 1500));
    const heard = () =>
      c.exchange.streams
        .status()
        .filter((s) => s.kind === 'public')
        .reduce((n, s) => n + (s.messages.tickers ?? 0), 0);
    const from = Date.now();
    let n = 0;
    let during = 0;
    while (Date.now() - from < 3000) {
      const before = heard();
      await postExecute(c, marketLong(c, 'ETHUSDT', `stream-${n++}`));
      during += heard() - before;
    }
    off();
    expect(modes.filter((m) => m === 'critical-only').length).toBeGreaterThanOrEqual(1);
    expect(during).toBeGreaterThan(0);
    expect(c.monitor.computeStats().streams?.sources.public).toBe('stream');
  });

  // Today's polling monitor (monitor.source: poll, also what a stale stream falls back to): its REST checks.
  it('CRITICAL checks keep their cadence while executions run (critical-only mode), measured (poll)', async () => {
    const c = await startTrio({ paper: { positionsPerAccount: 40, latencyMs: 100 }, monitor: { source: 'poll' } });
    try {
      await cadenceUnderExecutions(c);
    } finally {
      await c.close();
    }
  });
});

async function cadenceUnderExecutions(c: RunningCompanion): Promise<void> {
  makeCritical(c.paper!);
  const modes: string[] = [];
  const off = c.bus.subscribe((e) => {
    if (e.type === 'guard-mode') modes.push(e.mode);
  });
  await new Promise((r) => setTimeout(r, 2500)); // the monitor sees the critical position
  const from = Date.now();
  let n = 0;
  const statuses: string[] = [];
  while (Date.now() - from < 5000) {
    const r = await postExecute(c, marketLong(c, 'ETHUSDT', `cadence-${n++}`));
    statuses.push(r.body.status);
  }
  const to = Date.now();
  off();
  const gaps = criticalGaps(c, 'main', from, to);
  const cadence = c.monitor.computeStats().cadence.CRITICAL;
  const interval = cadence.intervalMs;
  console.log(
    JSON.stringify({
      executions: n,
      criticalChecks: gaps.length - 1,
      intervalMs: interval,
      maxGapMs: Math.max(...gaps),
      monitorP99GapMs: cadence.p99GapMs,
    }),
  );
  expect(statuses.every((s) => s === 'complete')).toBe(true);
  expect(gaps.length).toBeGreaterThanOrEqual(4);
  // One interval, plus one paper round trip (100 ms) and scheduling slack.
  expect(Math.max(...gaps)).toBeLessThanOrEqual(interval + 400);
  expect(modes.filter((m) => m === 'critical-only').length).toBeGreaterThanOrEqual(1);
  expect(modes.at(-1)).toBe('normal');
  expect(c.monitor.mode).toBe('normal');
}
