import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionRequestInput, BusEvent, GuardMode } from '@tierwatch/shared';
import { ActionRequest } from '@tierwatch/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { btcLong, fakeExchange, heldPosition } from '../../test-support/execution.ts';
import { CacheConfig } from '../cache/config.ts';
import { ResourceCache } from '../cache/index.ts';
import { EventBus } from '../core/bus.ts';
import { type Clock, systemClock } from '../core/clock.ts';
import { breakEvenPrice } from './action-plan.ts';
import { ExecutionConfig } from './config.ts';
import { clientOrderId } from './ids.ts';
import { ExecutionService } from './service.ts';

// Actions on the money path, over the in-memory exchange: what is sent per account, what a lost answer or a
// crash leaves, and that nothing is ever sent twice.

const open: ExecutionService[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close(200);
});

function family() {
  const ex = fakeExchange();
  ex.clients.get('main')!.positions = [heldPosition('main')];
  ex.clients.get('mirror1')!.positions = [heldPosition('mirror1', { size: 0.05, entryPrice: 50_010 })];
  ex.clients.get('mirror2')!.positions = [heldPosition('mirror2', { size: 0.2, entryPrice: 49_990 })];
  return ex;
}

async function start(
  ex = family(),
  dataDir = mkdtempSync(join(tmpdir(), 'tw-act-')),
  clock: Clock = systemClock,
  cache?: ResourceCache,
  markOf?: (symbol: string) => { price: number; at: number } | null,
) {
  const events: BusEvent[] = [];
  const modes: GuardMode[] = [];
  const bus = new EventBus();
  bus.subscribe((e) => events.push(e));
  const service = await ExecutionService.open({
    accounts: ex.accounts,
    clients: ex.clients,
    market: ex.market,
    monitor: { setMode: (m) => modes.push(m), markOf },
    bus,
    clock,
    dataDir,
    cache,
    config: ExecutionConfig.parse({ settleMs: 20 }),
  });
  open.push(service);
  return { service, ex, events, modes, dataDir };
}

const act = (action: ActionRequestInput['action'], key = 'action-key-1') =>
  ActionRequest.parse({ idempotencyKey: key, symbol: 'BTCUSDT', side: 'long', action });

describe('ExecutionService.act', () => {
  it('close 50 %: one reduce-only order per account on its own size, in critical-only mode, pushed on the stream', async () => {
    const { service, ex, events, modes } = await start();
    const r = await service.act(act({ kind: 'close', percent: 50 }));
    expect(r.status).toBe('complete');
    expect(r.action).toEqual({ kind: 'close', percent: 50 });
    for (const [name, qty] of [
      ['main', 0.05],
      ['mirror1', 0.025],
      ['mirror2', 0.1],
    ] as const) {
      const o = ex.clients.get(name)!.placed.get(clientOrderId('action-key-1', name, 'close'))!;
      expect([o.side, o.qty, o.reduceOnly, o.takeProfit, o.stopLoss]).toEqual(['sell', qty, true, null, null]);
    }
    expect(modes).toEqual(['critical-only', 'normal']);
    expect(events.map((e) => e.type).filter((t) => t.startsWith('execution'))).toEqual([
      'execution-started',
      'execution-finished',
    ]);
  });

  it('a failing leg is reported with the others, and nothing is retried', async () => {
    const ex = family();
    ex.clients.get('mirror1')!.placeFault = 'reject';
    const { service } = await start(ex);
    const r = await service.act(act({ kind: 'close' }));
    expect(r.status).toBe('partial');
    expect(r.legs.map((l) => [l.account, l.status])).toEqual([
      ['main', 'placed'],
      ['mirror1', 'rejected'],
      ['mirror2', 'placed'],
    ]);
    expect(r.legs[1]!.error?.code).toBe('INSUFFICIENT_BALANCE');
    expect([...ex.clients.values()].map((c) => c.calls.placeOrder)).toEqual([1, 1, 1]);
  });

  it('the same key 20 times at once: one action, one trading-stop call per account', async () => {
    const { service, ex } = await start();
    const answers = await Promise.all(Array.from({ length: 20 }, () => service.act(act({ kind: 'sl-break-even' }))));
    expect(new Set(answers.map((a) => a.executionId)).size).toBe(1);
    expect([...ex.clients.values()].map((c) => c.stopCalls.length)).toEqual([1, 1, 1]);
    expect(ex.clients.get('main')!.positions[0]!.stopLoss).toBe(breakEvenPrice('long', 50_000, 0.00055, 0.1));
  });

  it('the same key with another action is a conflict, nothing sent', async () => {
    const { service, ex } = await start();
    await service.act(act({ kind: 'close', percent: 10 }));
    await expect(service.act(act({ kind: 'close', percent: 20 }))).rejects.toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
    });
    expect(ex.clients.get('main')!.calls.placeOrder).toBe(1);
  });

  it.each([
    ['applied, answer lost: read back as done', 'timeout-after-apply', 'placed'],
    ['lost before it applied: not done, never sent again', 'timeout-before-apply', 'rejected'],
  ] as const)('a trading-stop %s', async (_, fault, status) => {
    const ex = family();
    ex.clients.get('mirror1')!.stopFault = fault;
    const { service } = await start(ex);
    const r = await service.act(act({ kind: 'set-tpsl', stopLoss: 51_000 }));
    expect(r.legs.map((l) => l.status)).toEqual(['placed', status, 'placed']);
    expect(ex.clients.get('mirror1')!.stopCalls).toEqual([{ stopLoss: 51_000 }]);
  });

  it('a crash mid-action: recovery reads each leg back and never sends again', async () => {
    const ex = family();
    ex.clients.get('mirror1')!.stopFault = 'hang';
    ex.clients.get('mirror2')!.placeGate = null;
    const first = await start(ex);
    void first.service.act(act({ kind: 'sl-break-even' })).catch(() => {});
    await new Promise((r) => setTimeout(r, 50));
    await first.service.close(100);
    open.splice(open.indexOf(first.service), 1);
    // The lines on disk: the action's intent (old-style execution lines read the same way).
    const lines = readFileSync(join(first.dataDir, 'executions.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!).request.action).toEqual({ kind: 'sl-break-even' });
    for (const c of ex.clients.values()) c.stopFault = null;
    const calls = [...ex.clients.values()].map((c) => c.stopCalls.length);
    const second = await start(ex, first.dataDir);
    expect(second.service.unfinished()).toHaveLength(1);
    const report = await second.service.recover();
    expect(report.settled).toHaveLength(1);
    const r = second.service.get(report.settled[0]!.executionId)!;
    // main and mirror2 answered before the crash; mirror1's call never applied: not done, and not re-sent.
    expect(r.legs.map((l) => l.status)).toEqual(['placed', 'rejected', 'placed']);
    expect([...ex.clients.values()].map((c) => c.stopCalls.length)).toEqual(calls);
    // Sending the key again answers the recovered result: nothing new is sent.
    expect((await second.service.act(act({ kind: 'sl-break-even' }))).executionId).toBe(r.executionId);
    expect([...ex.clients.values()].map((c) => c.stopCalls.length)).toEqual(calls);
  });

  it("positions read in the last seconds (the popup's preview) are planned from as read; older ones are read again", async () => {
    const ex = family();
    let now = 1_000_000;
    const clock: Clock = { ...systemClock, now: () => now };
    const cache = new ResourceCache(CacheConfig.parse({}), clock);
    for (const c of ex.clients.values())
      await cache.read(c.account.name, 'positions', () => c.fetchPositions(), { useCache: false });
    const { service } = await start(ex, undefined, clock, cache);
    const calls = () => [...ex.clients.values()].map((c) => c.calls.positions);
    const before = calls();
    await service.act(act({ kind: 'sl-break-even' }, 'cached-read-1'));
    expect(calls()).toEqual(before);
    // The action dropped the accounts' cached positions (they changed): the next one reads them.
    await service.act(act({ kind: 'set-tpsl', takeProfit: 60_000 }, 'cached-read-2'));
    expect(calls()).toEqual(before.map((n) => n + 1));
    // An old read is not trusted.
    for (const c of ex.clients.values())
      await cache.read(c.account.name, 'positions', () => c.fetchPositions(), { useCache: false });
    now += 10_000;
    await service.act(act({ kind: 'close', percent: 10 }, 'cached-read-3'));
    expect(calls()).toEqual(before.map((n) => n + 3));
    // The fee rate: one read per account for the break-even.
    expect([...ex.clients.values()].map((c) => c.calls.feeRate)).toEqual([1, 1, 1]);
  });

  // The preview read (mark 50,010: short of break-even, ~50,055) against the mark the monitor heard later.
  it.each([
    ['a push after the preview read: past break-even, the SL goes out', 1, 'complete'],
    ['a push before it: the read is the newer price, nothing is sent', -1, 'failed'],
  ])('break-even checked against the freshest mark: %s', async (_name, pushAfterMs, status) => {
    const ex = family();
    for (const c of ex.clients.values()) c.positions = c.positions.map((p) => ({ ...p, markPrice: 50_010 }));
    const now = 1_000_000;
    const clock: Clock = { ...systemClock, now: () => now };
    const cache = new ResourceCache(CacheConfig.parse({}), clock);
    for (const c of ex.clients.values())
      await cache.read(c.account.name, 'positions', () => c.fetchPositions(), { useCache: false });
    const heard = { price: 52_000, at: now + pushAfterMs };
    const { service } = await start(ex, undefined, clock, cache, (symbol) => (symbol === 'BTCUSDT' ? heard : null));
    const r = await service.act(act({ kind: 'sl-break-even' }, `freshest-${pushAfterMs}`));
    expect(r.status).toBe(status);
    const sent = [...ex.clients.values()].map((c) => c.stopCalls.length);
    expect(sent).toEqual(status === 'complete' ? [1, 1, 1] : [0, 0, 0]);
  });

  it('an ordinary execution still derives its ids from key and account only', async () => {
    const { service, ex } = await start();
    const r = await service.execute(btcLong({ idempotencyKey: 'plain-exec-1' }));
    expect(r.legs[0]!.clientOrderId).toBe(clientOrderId('plain-exec-1', 'main'));
    expect(r.action).toBeUndefined();
    expect(ex.clients.get('main')!.placed.get(clientOrderId('plain-exec-1', 'main'))!.reduceOnly).toBe(false);
  });
});
