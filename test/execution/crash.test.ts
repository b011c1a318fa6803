import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecuteRequest, ExecuteResult } from '@tierwatch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOrderId } from '../../companion/src/execution/index.ts';
import { type PaperExchange, startPaperExchange } from '../../companion/src/paper/index.ts';
import { type CompanionProcess, onStandalonePaper, startCompanionProcess } from '../support/companion-process.ts';
import { longOrder, ordersOnExchange, postExecute } from './support.ts';

/**
 * SIGKILL of the real companion process in the middle of an execution, then a restart on the same data
 * dir. The paper exchange runs in this test process, so it outlives the companion and keeps processing
 * whatever was in flight, exactly like a real exchange. Per-account latency holds the mirrors' orders in
 * flight: one lands after the kill (a lost answer), one arrives after Bybit's recv_window and is refused
 * (never placed). The restart must agree with the exchange on every leg, and send nothing.
 */

const ACCOUNTS = ['main', 'mirror1', 'mirror2'];
let paper: PaperExchange;
let dataDir: string;
let setup: { args: string[]; env: NodeJS.ProcessEnv };

beforeAll(async () => {
  paper = await startPaperExchange({ accounts: ACCOUNTS, positionsPerAccount: 3, seed: 7 });
  dataDir = mkdtempSync(join(tmpdir(), 'tw-crash-'));
  setup = onStandalonePaper(paper, { dataDir, mirrorRatio: (i) => 0.5 * i });
});
afterAll(async () => {
  await paper?.close();
});

const start = () => startCompanionProcess(setup);
const journal = () => readFileSync(join(dataDir, 'executions.jsonl'), 'utf8').split('\n').filter(Boolean);
const creates = (account: string) => paper.control.getStats().byAccountEndpoint[account]?.['/v5/order/create'] ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function order(symbol: string, key: string): ExecuteRequest {
  const inst = paper.engine.instrument(symbol)!;
  return longOrder(inst, paper.control.price(symbol), symbol, key);
}

async function settledAfterRestart(c: CompanionProcess, key: string): Promise<ExecuteResult> {
  return until(
    'the restarted companion to settle the execution',
    async () => {
      const res = await fetch(`${c.ready.url}/api/v1/trading/executions`, {
        headers: { authorization: `Bearer ${c.ready.token}` },
      });
      const list = ((await res.json()) as { data: ExecuteResult[] }).data;
      const r = list.find((x) => x.idempotencyKey === key);
      return r && r.status !== 'pending' ? r : undefined;
    },
    40_000,
  );
}

/** What the exchange says about each leg's client order id: the truth the journal must agree with. */
function exchangeTruth(key: string) {
  return Object.fromEntries(
    ACCOUNTS.map((a) => {
      const o = paper.engine.account(a)!.linkIds.get(clientOrderId(key, a));
      return [a, o ? o.orderId : null];
    }),
  );
}

describe('SIGKILL during an execution, then restart', () => {
  it('killed after the intent and the main leg, mirrors in flight: both found on restart; nothing twice, nothing lost', async () => {
    const key = 'crash-after-main-leg';
    const first = await start();
    paper.control.setAccountLatency('mirror1', { fixedMs: 1500 }); // in flight at the kill, lands after it
    paper.control.setAccountLatency('mirror2', { fixedMs: 3000 });
    const req = order('BTCUSDT', key);
    const before = Object.fromEntries(ACCOUNTS.map((a) => [a, creates(a)]));
    let answered: unknown = null;
    void postExecute(first.ready, req).then(
      (a) => {
        answered = a;
      },
      () => {},
    );
    const mainId = clientOrderId(key, 'main');
    await until(
      'the main leg on the exchange',
      () => {
        if (answered)
          throw new Error(`answered before the kill: ${JSON.stringify(answered)}\n${first.stderr().slice(-3000)}`);
        return paper.engine.account('main')!.linkIds.has(mainId);
      },
      40_000,
    );
    await first.kill('SIGKILL');
    const killedWith = journal()
      .filter((l) => l.includes(key))
      .map((l) => JSON.parse(l).type);
    expect(killedWith[0]).toBe('intent');
    expect(killedWith).not.toContain('finished');
    expect(exchangeTruth(key)).toMatchObject({ mirror1: null, mirror2: null }); // not yet: still in flight

    await until(
      "the mirrors' in-flight orders to land",
      () => !Object.values(exchangeTruth(key)).includes(null),
      10_000,
    );
    for (const a of ACCOUNTS) paper.control.setAccountLatency(a, null);
    await using second = await start();
    const r = await settledAfterRestart(second, key);
    const truth = exchangeTruth(key);
    expect(Object.fromEntries(r.legs.map((l) => [l.account, l.orderId]))).toEqual(truth);
    expect(r.status).toBe('complete');
    expect(r.recovery?.note).toMatch(/mirror1 (placed|filled), mirror2 (placed|filled)/);
    // One order/create per account in all, none from the restarted companion; one order each on the book.
    expect(Object.fromEntries(ACCOUNTS.map((a) => [a, creates(a) - before[a]!]))).toEqual({
      main: 1,
      mirror1: 1,
      mirror2: 1,
    });
    expect(
      ordersOnExchange(
        paper,
        ACCOUNTS.map((a) => clientOrderId(key, a)),
      ),
    ).toEqual({ main: 1, mirror1: 1, mirror2: 1 });
    // The client's retry after the lost response: the settled result, nothing new on the exchange.
    const retry = await postExecute(second.ready, req);
    expect(retry.body).toEqual(r);
    await sleep(300);
    expect(Object.fromEntries(ACCOUNTS.map((a) => [a, creates(a) - before[a]!]))).toEqual({
      main: 1,
      mirror1: 1,
      mirror2: 1,
    });
  }, 120_000);

  it('killed after the intent while the exchange refused the sends: not placed, and never sent late', async () => {
    const key = 'crash-after-intent';
    const first = await start();
    for (const a of ACCOUNTS) paper.control.setAccountLatency(a, { fixedMs: 1500 });
    const req = order('ETHUSDT', key);
    const before = Object.fromEntries(ACCOUNTS.map((a) => [a, creates(a)]));
    void postExecute(first.ready, req).catch(() => {});
    await until('the intent in the journal', () => {
      try {
        return journal().some((l) => l.includes('"type":"intent"') && l.includes(key));
      } catch {
        return false;
      }
    });
    // The orders are on their way (1.5 s of latency); the exchange goes down before it processes them.
    paper.control.startOutage(60_000);
    await until('the orders to reach the exchange', () => ACCOUNTS.every((a) => creates(a) > before[a]!), 10_000);
    await sleep(1700);
    await first.kill('SIGKILL');
    expect(
      journal()
        .filter((l) => l.includes(key))
        .map((l) => JSON.parse(l).type),
    ).not.toContain('finished');

    paper.control.setFaults({ outage: null });
    for (const a of ACCOUNTS) paper.control.setAccountLatency(a, null);
    await using second = await start();
    const r = await settledAfterRestart(second, key);
    expect(exchangeTruth(key)).toEqual({ main: null, mirror1: null, mirror2: null });
    expect(r.status).toBe('failed');
    for (const leg of r.legs) {
      expect(leg.status).toBe('rejected');
      expect(leg.error!.message).toMatch(/not placed: the companion stopped/);
    }
    expect(r.recovery?.note).toMatch(/main not placed, mirror1 not placed, mirror2 not placed/);
    await sleep(300);
    expect(Object.fromEntries(ACCOUNTS.map((a) => [a, creates(a) - before[a]!]))).toEqual({
      main: 1,
      mirror1: 1,
      mirror2: 1,
    });
  }, 120_000);
});
