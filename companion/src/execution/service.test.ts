import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusEvent, GuardMode } from '@tierwatch/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNTS, btcLong, fakeExchange } from '../../test-support/execution.ts';
import { CacheConfig, MARKET_KEY, ResourceCache } from '../cache/index.ts';
import { AppError } from '../core/app-error.ts';
import { EventBus } from '../core/bus.ts';
import { type Clock, ManualClock, systemClock } from '../core/clock.ts';
import type { ExecutionConfigInput } from './config.ts';
import { ExecutionConfig } from './config.ts';
import { clientOrderId } from './ids.ts';
import type { JournalRecord } from './journal/index.ts';
import { ExecutionService } from './service.ts';

const req = btcLong;

/**
 * Waits for `done` in real time (journal writes are real I/O, not microtasks), moving a manual clock on
 * by a second between looks when one is given.
 */
async function realWait(done: () => boolean, clock?: ManualClock): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) {
    await clock?.advance(1_000);
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(done()).toBe(true);
}

const open: ExecutionService[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function setup(
  opts: {
    dataDir?: string;
    clock?: Clock;
    config?: ExecutionConfigInput;
    ex?: ReturnType<typeof fakeExchange>;
    cache?: ResourceCache;
  } = {},
) {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'tw-exec-'));
  const ex = opts.ex ?? fakeExchange();
  const bus = new EventBus();
  const events: BusEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const modes: GuardMode[] = [];
  const service = await ExecutionService.open({
    accounts: ex.accounts,
    clients: ex.clients,
    market: ex.market,
    monitor: { setMode: (m) => modes.push(m) },
    bus,
    clock: opts.clock ?? systemClock,
    dataDir,
    config: ExecutionConfig.parse({ settleMs: 20, ...opts.config }),
    cache: opts.cache,
  });
  open.push(service);
  const journal = (): JournalRecord[] =>
    readFileSync(join(dataDir, 'executions.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  const m = ex.clients.get('main')!;
  const m1 = ex.clients.get('mirror1')!;
  const m2 = ex.clients.get('mirror2')!;
  return { service, ex, events, modes, journal, dataDir, m, m1, m2 };
}

const rejectionOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
};

describe('ExecutionService: one execution', () => {
  it('places every leg with TP/SL and its derived client order id, journaling the intent first', async () => {
    const { service, m, m1, m2, journal, events, modes } = await setup();
    let journalAtFirstSend: JournalRecord[] = [];
    m.onPlace = () => {
      journalAtFirstSend = journal();
    };
    const r = await service.execute(req());
    expect(journalAtFirstSend.map((x) => x.type)).toEqual(['intent']);
    expect(r.status).toBe('complete');
    expect(r.legs.map((l) => [l.account, l.status, l.qty, l.takeProfit, l.stopLoss])).toEqual([
      ['main', 'placed', 0.01, 55_000, 48_000],
      ['mirror1', 'placed', 0.005, 55_000, 48_000],
      ['mirror2', 'placed', 0.02, 55_000, 48_000],
    ]);
    for (const [client, leg] of [
      [m, r.legs[0]],
      [m1, r.legs[1]],
      [m2, r.legs[2]],
    ] as const) {
      expect(leg!.clientOrderId).toBe(clientOrderId('key-0000001', client.account.name));
      expect(leg!.clientOrderId.length).toBeLessThanOrEqual(36);
      expect(leg!.orderId).toBe(client.placed.get(leg!.clientOrderId)!.orderId);
    }
    await service.settled(); // the market legs' fills are read back after the answer
    const now = service.get(r.executionId)!;
    expect(now).toEqual({ ...r, legs: now.legs });
    expect(now.legs.map((l) => [l.orderId, l.status, l.filledQty])).toEqual(
      r.legs.map((l) => [l.orderId, 'filled', l.qty]),
    );
    expect(journal().map((x) => x.type)).toEqual(['intent', 'leg', 'leg', 'leg', 'finished', 'leg', 'leg', 'leg']);
    expect(modes).toEqual(['critical-only', 'normal']);
    expect(events.map((e) => (e.type === 'guard-mode' ? `${e.type}:${e.mode}` : e.type))).toEqual([
      'guard-mode:critical-only',
      'execution-started',
      'execution-finished',
      'guard-mode:normal',
      'execution-updated',
    ]);
  });

  it('20 concurrent identical requests: one order per account, the same result for all', async () => {
    const { service, m, m1, m2, journal } = await setup();
    const results = await Promise.all(Array.from({ length: 20 }, () => service.execute(req())));
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect([m.calls.placeOrder, m1.calls.placeOrder, m2.calls.placeOrder]).toEqual([1, 1, 1]);
    expect([m.placed.size, m1.placed.size, m2.placed.size]).toEqual([1, 1, 1]);
    expect(journal().filter((x) => x.type === 'intent')).toHaveLength(1);
  });

  it('the same key later returns the first result and sends nothing; a different body is a 409', async () => {
    const { service, m } = await setup();
    await service.execute(req());
    await service.settled();
    const first = service.get((await service.execute(req())).executionId)!;
    expect(await service.execute(req())).toEqual(first);
    expect(m.calls.placeOrder).toBe(1);
    const e = await rejectionOf(service.execute(req({ quantity: 0.02 })));
    expect(e).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT', path: ['idempotencyKey'] });
    expect(m.calls.placeOrder).toBe(1);
  });

  it('a rejected request sends and journals nothing, and its key stays free for a corrected one', async () => {
    const { service, m, journal, events } = await setup();
    const e = await rejectionOf(service.execute(req({ stopLoss: 51_000 })));
    expect(e).toMatchObject({ code: 'INVALID_ORDER', path: ['stopLoss'] });
    m.balance = { total: 10, free: 10, used: 0 };
    expect(await rejectionOf(service.execute(req()))).toMatchObject({ code: 'INSUFFICIENT_BALANCE' });
    expect(m.calls.placeOrder).toBe(0);
    expect(journal()).toEqual([]);
    m.balance = { total: 1e6, free: 1e6, used: 0 };
    expect((await service.execute(req())).status).toBe('complete');
    expect(events.filter((x) => x.type === 'guard-mode').map((x) => x.type === 'guard-mode' && x.reason)).toEqual([
      'execution-started',
      'error',
      'execution-started',
      'error',
      'execution-started',
      'execution-finished',
    ]);
  });
});

describe('ExecutionService: fills', () => {
  it("reads a market order's fills back after answering: journaled, published, nothing placed", async () => {
    const { service, events, journal, m, m1, m2 } = await setup();
    const r = await service.execute(req({ idempotencyKey: 'fills-0001' }));
    expect(r.legs.every((l) => l.status === 'placed')).toBe(true);
    // The read-back runs after the answer; wait for its event.
    for (let i = 0; i < 100 && !events.some((e) => e.type === 'execution-updated'); i++) {
      await new Promise((done) => setTimeout(done, 5));
    }
    const updated = events.find((e) => e.type === 'execution-updated');
    expect(
      updated && 'result' in updated && updated.result.legs.map((l) => [l.account, l.status, l.filledQty, l.avgPrice]),
    ).toEqual([
      ['main', 'filled', 0.01, 50_000],
      ['mirror1', 'filled', 0.005, 50_000],
      ['mirror2', 'filled', 0.02, 50_000],
    ]);
    expect(service.get(r.executionId)!.legs.every((l) => l.status === 'filled')).toBe(true);
    expect(journal().filter((x) => x.type === 'leg').length).toBe(6);
    expect([m, m1, m2].map((c) => c.calls.placeOrder)).toEqual([1, 1, 1]);
  });

  it('a limit order is not read back (it fills when the price comes)', async () => {
    const { service, events, m } = await setup();
    await service.execute(req({ idempotencyKey: 'fills-0002', orderType: 'limit', price: 49_000 }));
    await new Promise((done) => setTimeout(done, 50));
    expect(events.some((e) => e.type === 'execution-updated')).toBe(false);
    expect(m.calls.findOrder).toBe(0);
  });
});

describe('ExecutionService: the pre-check and the cache', () => {
  it('uses balances and the mark the API read recently, reads fresh when older, and drops them after', async () => {
    const cache = new ResourceCache(CacheConfig.parse({}), systemClock);
    const { service, ex, m, m1, m2 } = await setup({ cache, config: { balanceMaxAgeMs: 10_000, markMaxAgeMs: 3_000 } });
    const now = systemClock.now();
    const seed = (balancesAt: number, markAt: number) => {
      for (const c of [m, m1, m2]) {
        const balance = { account: c.account.name, currency: 'USDT', total: 1e6, free: 1e6, used: 0 };
        cache.put(c.account.name, 'balances', [balance], balancesAt);
      }
      cache.put(
        MARKET_KEY,
        'tickers',
        [{ symbol: 'BTCUSDT', markPrice: 50_000, lastPrice: 50_000, at: markAt }],
        markAt,
      );
    };
    const calls = () => [m, m1, m2].map((c) => c.calls.balances);

    seed(now - 5_000, now - 1_000); // read when the trader reviewed the order: young enough
    const first = await service.execute(req({ idempotencyKey: 'cache-0001' }));
    expect(first.status).toBe('complete');
    expect(calls()).toEqual([0, 0, 0]);
    expect(ex.market.calls).toBe(0);
    // The legs changed margin: nothing of those accounts is left for the next pre-check.
    expect(cache.peek('main', 'balances')).toBeUndefined();

    cache.invalidate(MARKET_KEY); // (the cache never lets older data replace newer)
    seed(now - 20_000, now - 4_000); // too old: read fresh
    await service.execute(req({ idempotencyKey: 'cache-0002' }));
    expect(calls()).toEqual([1, 1, 1]);
    expect(ex.market.calls).toBe(1);
  });
});

describe('ExecutionService: failures', () => {
  it('a mirror rejects: partial, the placed legs stand, and the finished event carries the status', async () => {
    const { service, m1, events } = await setup();
    m1.placeFault = 'reject';
    const r = await service.execute(req());
    expect(r.status).toBe('partial');
    expect(r.legs.map((l) => l.status)).toEqual(['placed', 'rejected', 'placed']);
    expect(r.legs[1]!.error).toMatchObject({ code: 'INSUFFICIENT_BALANCE' });
    const fin = events.find((e) => e.type === 'execution-finished');
    expect(fin?.type === 'execution-finished' && fin.result.status).toBe('partial');
  });

  it('every leg rejected: failed', async () => {
    const { service, ex } = await setup();
    for (const c of ex.clients.values()) c.placeFault = 'reject';
    expect((await service.execute(req())).status).toBe('failed');
  });

  it('a lost answer is looked up, never re-sent: placed if the exchange has it, not placed if not', async () => {
    const { service, m, m1 } = await setup();
    m.placeFault = 'timeout-after-place';
    m1.placeFault = 'timeout-before-place';
    const r = await service.execute(req());
    expect(r.legs.map((l) => l.status)).toEqual(['filled', 'rejected', 'placed']);
    expect(r.legs[1]!.error!.message).toMatch(/not placed.*timed out/);
    expect(r.status).toBe('partial');
    expect([m.calls.placeOrder, m1.calls.placeOrder]).toEqual([1, 1]);
    expect(m1.calls.findOrder).toBe(2); // once at once, once after the settle window
  });

  it('a duplicate client id from the exchange means an earlier send got through: looked up, placed', async () => {
    const { service, m, ex } = await setup();
    await ex.clients.get('main')!.placeOrder({
      symbol: 'BTCUSDT',
      side: 'long',
      type: 'market',
      qty: 0.01,
      price: null,
      takeProfit: 55_000,
      stopLoss: 48_000,
      reduceOnly: false,
      clientOrderId: clientOrderId('key-0000001', 'main'),
    });
    const r = await service.execute(req());
    expect(r.legs[0]!.status).toBe('filled');
    expect(m.placed.size).toBe(1);
  });

  it('a key reused after its intent was lost never adopts the other order: every leg a conflict, as it is', async () => {
    // The first companion's journal is gone (a fresh data dir on the same exchange): the key is unknown here.
    const ex = fakeExchange();
    const first = await setup({ ex });
    const placed = await first.service.execute(req());
    await first.service.settled();
    const second = await setup({ ex });
    const r = await second.service.execute(req({ side: 'short', quantity: 0.3, takeProfit: null, stopLoss: 52_000 }));
    expect(r.status).toBe('failed');
    for (const leg of r.legs) {
      expect(leg).toMatchObject({ status: 'rejected', orderId: null, filledQty: 0, takeProfit: null, stopLoss: null });
      expect(leg.error!.code).toBe('IDEMPOTENCY_CONFLICT');
    }
    const mainLeg = r.legs[0]!;
    expect(mainLeg.error!.message).toContain(placed.legs[0]!.orderId!);
    expect(mainLeg.error!.message).toMatch(/side buy \(asked sell\), quantity 0\.01 \(asked 0\.3\)/);
    expect(mainLeg.error!.message).toMatch(/stop-loss 48000 \(asked 52000\)/);
    // One order per account on the exchange, still the first one's.
    expect([...ex.clients.values()].map((c) => [c.placed.size, c.calls.placeOrder])).toEqual([
      [1, 2],
      [1, 2],
      [1, 2],
    ]);
  });

  it('an answer lost in an outage: looked up in the background until known, then finished and published', async () => {
    const clock = new ManualClock(Date.now());
    const { service, m, events } = await setup({ clock, config: { settleMs: 0 } });
    m.placeFault = 'timeout-after-place';
    m.findFails = 1_000; // the exchange keeps failing the lookups
    const answer = service.execute(req({ accounts: ['main'] }));
    await realWait(() => m.calls.placeOrder > 0);
    for (let i = 0; i < 35; i++) await clock.advance(1_000); // past the 30 s give-up
    const first = await answer;
    expect(first.status).toBe('pending');
    expect(first.legs[0]!.status).toBe('unknown');
    expect(events.some((e) => e.type === 'execution-finished')).toBe(false);
    const looked = m.calls.findOrder;
    for (let i = 0; i < 10; i++) await clock.advance(1_000);
    expect(m.calls.findOrder).toBeGreaterThan(looked); // still looking, with backoff
    m.findFails = 0; // the exchange is back
    await realWait(() => events.some((e) => e.type === 'execution-finished'), clock);
    const finished = events.find((e) => e.type === 'execution-finished');
    expect(finished?.type === 'execution-finished' && finished.result.status).toBe('complete');
    expect(service.get(first.executionId)!.legs[0]).toMatchObject({ status: 'filled', orderId: 'main-1' });
    expect((await service.execute(req({ accounts: ['main'] }))).status).toBe('complete');
    expect(m.calls.placeOrder).toBe(1);
  });

  it('the background lookups back off: 1 s, 2 s, 4 s … capped at 30 s', async () => {
    const clock = new ManualClock(Date.now());
    const { service, m } = await setup({ clock, config: { settleMs: 0 } });
    m.placeFault = 'timeout-after-place';
    m.findFails = 1_000_000;
    const answer = service.execute(req({ accounts: ['main'] }));
    await realWait(() => m.calls.placeOrder > 0);
    for (let i = 0; i < 35; i++) await clock.advance(1_000);
    await answer;
    const at: number[] = [];
    let seen = m.calls.findOrder;
    for (let t = 0; t < 200; t++) {
      await clock.advance(1_000);
      if (m.calls.findOrder > seen) at.push(t + 1);
      seen = m.calls.findOrder;
    }
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(gaps.slice(0, 6)).toEqual([2, 4, 8, 16, 30, 30]);
  });

  it('a hung execution: the guard restores normal monitoring at the timeout', async () => {
    const clock = new ManualClock();
    const { service, m1, modes, events } = await setup({ clock, config: { timeoutMs: 180_000 } });
    m1.placeFault = 'hang';
    service.execute(req()).catch(() => {});
    while (m1.calls.placeOrder === 0) await new Promise((r) => setTimeout(r, 1));
    expect(modes).toEqual(['critical-only']);
    await clock.advance(180_000);
    expect(modes).toEqual(['critical-only', 'normal']);
    const last = events.filter((e) => e.type === 'guard-mode').at(-1);
    expect(last?.type === 'guard-mode' && last.reason).toBe('timeout');
  });
});

describe('ExecutionService: durability and recovery', () => {
  it('a restart answers the same key from the journal without sending anything', async () => {
    const first = await setup();
    const { executionId } = await first.service.execute(req());
    await first.service.settled();
    const r = first.service.get(executionId)!;
    await first.service.close();
    const ex = fakeExchange();
    const second = await setup({ dataDir: first.dataDir, ex });
    expect(await second.service.execute(req())).toEqual(r);
    expect(second.service.get(r.executionId)).toEqual(r);
    expect([...ex.clients.values()].map((c) => c.calls.placeOrder + c.calls.findOrder)).toEqual([0, 0, 0]);
    expect((await rejectionOf(second.service.execute(req({ quantity: 0.5 })))).code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('an unfinished intent is reconciled by lookups: kept, found, or not placed (never sent late)', async () => {
    // The journal of a companion killed after main's outcome was written and mirror1's order was sent.
    const first = await setup();
    first.m1.placeGate = new Promise(() => {}); // mirror1 never answers
    first.m2.placeGate = new Promise(() => {});
    first.service.execute(req()).catch(() => {});
    while (first.journal().filter((x) => x.type === 'leg').length < 1) await new Promise((r) => setTimeout(r, 2));
    const snapshot = readFileSync(join(first.dataDir, 'executions.jsonl'), 'utf8');

    const dataDir = mkdtempSync(join(tmpdir(), 'tw-exec-'));
    writeFileSync(join(dataDir, 'executions.jsonl'), `${snapshot}{"v":1,"type":"leg","at":1,"execu`); // + a torn line
    const ex = fakeExchange();
    const mirror1Id = clientOrderId('key-0000001', 'mirror1');
    ex.clients.get('mirror1')!.placed.set(mirror1Id, {
      orderId: 'm1-late',
      clientOrderId: mirror1Id,
      status: 'filled',
      qty: 0.005,
      filledQty: 0.005,
      avgPrice: 50_010,
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      price: null,
      reduceOnly: false,
      takeProfit: 55_000,
      stopLoss: 48_000,
    });
    const second = await setup({ dataDir, ex, config: { settleMs: 50 } });
    const [id] = second.service.unfinished();
    expect(second.service.get(id!)!.status).toBe('pending');
    const report = await second.service.recover();
    const r = second.service.get(id!)!;
    expect(report).toMatchObject({ settled: [{ executionId: id, status: 'partial' }], stillPending: [] });
    expect(r.legs.map((l) => [l.account, l.status, l.orderId])).toEqual([
      ['main', 'placed', 'main-1'],
      ['mirror1', 'filled', 'm1-late'],
      ['mirror2', 'rejected', null],
    ]);
    expect(r.legs[2]!.error!.message).toMatch(/not placed: the companion stopped/);
    expect(r.recovery!.note).toMatch(/mirror1 filled, mirror2 not placed/);
    expect([...ex.clients.values()].map((c) => c.calls.placeOrder)).toEqual([0, 0, 0]);
    expect(ex.clients.get('main')!.calls.findOrder).toBe(0); // main's outcome was journaled
    expect(ex.clients.get('mirror2')!.calls.findOrder).toBe(2); // before and after the settle window
    expect(second.events.find((e) => e.type === 'execution-finished')).toBeTruthy();
    expect(second.service.unfinished()).toEqual([]);
  });

  it('a leg on an account no longer configured stays pending; the others still settle', async () => {
    const first = await setup();
    first.m.placeGate = new Promise(() => {});
    first.m1.placeGate = new Promise(() => {});
    first.m2.placeGate = new Promise(() => {});
    first.service.execute(req()).catch(() => {});
    while (first.journal().length < 1) await new Promise((r) => setTimeout(r, 2));
    const snapshot = readFileSync(join(first.dataDir, 'executions.jsonl'), 'utf8');

    const dataDir = mkdtempSync(join(tmpdir(), 'tw-exec-'));
    writeFileSync(join(dataDir, 'executions.jsonl'), snapshot);
    // mirror2 was removed from the config between the runs.
    const ex = fakeExchange(ACCOUNTS.filter((a) => a.name !== 'mirror2'));
    const second = await setup({ dataDir, ex, config: { settleMs: 20 } });
    const [id] = second.service.unfinished();
    const report = await second.service.recover();
    expect(report).toEqual({ settled: [], stillPending: [id] });
    expect(second.service.get(id!)!.legs.map((l) => [l.account, l.status])).toEqual([
      ['main', 'rejected'],
      ['mirror1', 'rejected'],
      ['mirror2', 'pending'],
    ]);
  });

  it('lookups that keep failing leave the execution pending; it settles once they answer (or on the next start)', async () => {
    const first = await setup();
    first.m.placeGate = new Promise(() => {});
    first.service.execute(req({ accounts: ['main'] })).catch(() => {});
    while (first.journal().length < 1) await new Promise((r) => setTimeout(r, 2));
    const snapshot = readFileSync(join(first.dataDir, 'executions.jsonl'), 'utf8');
    const dataDir = mkdtempSync(join(tmpdir(), 'tw-exec-'));
    writeFileSync(join(dataDir, 'executions.jsonl'), snapshot);
    const ex = fakeExchange();
    ex.clients.get('main')!.findFails = 1_000;
    // Give-up is 30 s past the settle deadline: a manual clock gets there without waiting.
    const clock = new ManualClock(Date.now());
    const second = await setup({ dataDir, ex, clock, config: { settleMs: 0 } });
    const p = second.service.recover();
    for (let i = 0; i < 40; i++) await clock.advance(1000);
    const [pending] = (await p).stillPending;
    expect(pending).toEqual(expect.any(String));
    // Still in this process: the lookups go on, and settle it once the exchange answers.
    ex.clients.get('main')!.findFails = 0;
    await realWait(() => second.events.some((e) => e.type === 'execution-finished'), clock);
    expect(second.service.get(pending!)!.status).toBe('failed');
    expect(second.service.get(pending!)!.recovery!.note).toMatch(/later lookups settled it/);
    expect(second.events.filter((e) => e.type === 'execution-finished')).toHaveLength(1);
    await second.service.close();
    open.pop();
    // A stop before they answer: the next start settles it (journaled as still unfinished).
    const dataDir2 = mkdtempSync(join(tmpdir(), 'tw-exec-'));
    writeFileSync(join(dataDir2, 'executions.jsonl'), snapshot);
    ex.clients.get('main')!.findFails = 1_000;
    const clock2 = new ManualClock(Date.now());
    const interrupted = await setup({ dataDir: dataDir2, ex, clock: clock2, config: { settleMs: 0 } });
    const p2 = interrupted.service.recover();
    for (let i = 0; i < 40; i++) await clock2.advance(1000);
    expect((await p2).stillPending).toHaveLength(1);
    await interrupted.service.close();
    open.pop();
    ex.clients.get('main')!.findFails = 0;
    const third = await setup({ dataDir: dataDir2, ex, config: { settleMs: 0 } });
    const report = await third.service.recover();
    expect(report.settled.map((s) => s.status)).toEqual(['failed']);
  });
});

describe('ExecutionService: a failure after the intent is journaled', () => {
  it('still answers with the execution (orders stand) and keeps the key bound to it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tw-exec-'));
    const ex = fakeExchange();
    const service = await ExecutionService.open({
      accounts: ex.accounts,
      clients: ex.clients,
      market: ex.market,
      monitor: {
        setMode: () => {},
        refreshAccount: () => {
          throw new Error('monitor refresh failed');
        },
      },
      bus: new EventBus(),
      clock: systemClock,
      dataDir,
      config: ExecutionConfig.parse({ settleMs: 20 }),
    });
    open.push(service);
    const r = await service.execute(req());
    expect(r.status).toBe('complete');
    // Same key, different body: a conflict, never a new execution that would "find" the first one's orders.
    expect((await rejectionOf(service.execute(req({ quantity: 0.02 })))).code).toBe('IDEMPOTENCY_CONFLICT');
    expect((await service.execute(req())).executionId).toBe(r.executionId);
    expect([...ex.clients.values()].map((c) => c.calls.placeOrder)).toEqual([1, 1, 1]);
  });
});
