import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionRequestInput, ExecuteResult } from '@tierwatch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakEvenPrice } from '../../companion/src/execution/action-plan.ts';
import { clientOrderId } from '../../companion/src/execution/index.ts';
import { TAKER_FEE } from '../../companion/src/paper/engine/ledger.ts';
import { type PaperExchange, startPaperExchange } from '../../companion/src/paper/index.ts';
import { type CompanionProcess, onStandalonePaper, startCompanionProcess } from '../support/companion-process.ts';
import { longOrder, postExecute } from './support.ts';

/**
 * SIGKILL of the companion during an action, then a restart on the same data dir; the paper exchange lives
 * in this process and outlives it. The mirrors' calls are in flight at the kill and land after it. The
 * restart must agree with the exchange on every leg and send nothing: no second close, no second
 * trading-stop, no position opened or flipped.
 */

const ACCOUNTS = ['main', 'mirror1', 'mirror2'];
let paper: PaperExchange;
let setup: { args: string[]; env: NodeJS.ProcessEnv };

beforeAll(async () => {
  paper = await startPaperExchange({ accounts: ACCOUNTS, positionsPerAccount: 3, seed: 11 });
  setup = onStandalonePaper(paper, {
    dataDir: mkdtempSync(join(tmpdir(), 'tw-crash-act-')),
    mirrorRatio: (i) => 0.5 * i,
  });
});
afterAll(async () => {
  await paper?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stat = (account: string, endpoint: string) =>
  paper.control.getStats().byAccountEndpoint[account]?.[endpoint] ?? 0;
const counts = (endpoint: string) => Object.fromEntries(ACCOUNTS.map((a) => [a, stat(a, endpoint)]));
const position = (account: string, symbol: string) => paper.control.positions(account).find((p) => p.symbol === symbol);

async function until<T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function postAction(c: CompanionProcess, req: ActionRequestInput): Promise<unknown> {
  const res = await fetch(`${c.ready.url}/api/v1/trading/actions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${c.ready.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(req),
  });
  return res.json();
}

async function settled(c: CompanionProcess, key: string): Promise<ExecuteResult> {
  return until(
    'the restarted companion to settle the action',
    async () => {
      const res = await fetch(`${c.ready.url}/api/v1/trading/executions?key=${key}`, {
        headers: { authorization: `Bearer ${c.ready.token}` },
      });
      const r = ((await res.json()) as { data: ExecuteResult[] }).data[0];
      return r && r.status !== 'pending' ? r : undefined;
    },
    40_000,
  );
}

/** A long on all three accounts on a symbol nobody holds, sized so that half of every leg is a valid order. */
async function openFamily(c: CompanionProcess, key: string): Promise<string> {
  const inst = paper.engine
    .instruments()
    .find((i) => paper.control.price(i.symbol) > 1 && paper.engine.accounts.every((a) => !a.positions.has(i.symbol)))!;
  const o = longOrder(inst, paper.control.price(inst.symbol), inst.symbol, key);
  const r = (await postExecute(c.ready, { ...o, quantity: Number((o.quantity! * 8).toFixed(10)) })).body;
  expect(r.status).toBe('complete');
  return inst.symbol;
}

/** Sends the action, kills the companion once main's part is on the exchange, lets the mirrors' calls land. */
async function killDuring(req: ActionRequestInput, mainDone: () => boolean): Promise<Record<string, number>> {
  let sizes: Record<string, number> = {};
  const first = await startCompanionProcess(setup);
  try {
    const symbol = await openFamily(first, `open-${req.idempotencyKey}`);
    req.symbol = symbol;
    sizes = Object.fromEntries(ACCOUNTS.map((a) => [a, position(a, symbol)?.size ?? 0]));
    if (req.action.kind === 'sl-break-even') paper.control.movePrice(symbol, 3);
    paper.control.setAccountLatency('mirror1', { fixedMs: 1500 });
    paper.control.setAccountLatency('mirror2', { fixedMs: 1500 });
    let answered: unknown = null;
    void postAction(first, req).then(
      (a) => {
        answered = a;
      },
      () => {},
    );
    await until('main done on the exchange', () => {
      if (answered) throw new Error(`answered before the kill: ${JSON.stringify(answered)}`);
      return mainDone();
    });
  } finally {
    await first.kill('SIGKILL');
  }
  await sleep(2500); // the mirrors' calls land after the kill
  for (const a of ACCOUNTS) paper.control.setAccountLatency(a, null);
  return sizes;
}

describe('SIGKILL during an action, then restart', () => {
  it('close 50 %: every leg found on restart, one reduce-only order per account, none sent again', async () => {
    const key = 'crash-close-half';
    const req: ActionRequestInput = {
      idempotencyKey: key,
      symbol: '',
      side: 'long',
      action: { kind: 'close', percent: 50 },
    };
    const creates = counts('/v5/order/create');
    const sizes = await killDuring(req, () =>
      paper.engine.account('main')!.linkIds.has(clientOrderId(key, 'main', 'close')),
    );
    await using second = await startCompanionProcess(setup);
    const r = await settled(second, key);
    // A mirror's close was in flight at the kill, or (on a loaded machine) still queued in the killed
    // companion: either it landed and is found, or it never left and is not placed — never sent late.
    const truth = Object.fromEntries(
      ACCOUNTS.map((a) => [a, paper.engine.account(a)!.linkIds.get(clientOrderId(key, a, 'close'))?.orderId ?? null]),
    );
    expect(truth.main).not.toBeNull();
    expect(r.status).toBe(Object.values(truth).every((id) => id !== null) ? 'complete' : 'partial');
    expect(Object.fromEntries(r.legs.map((l) => [l.account, l.orderId]))).toEqual(truth);
    // One open per account and at most the one close; nothing from the restarted companion.
    const now = counts('/v5/order/create');
    expect(ACCOUNTS.map((a) => now[a]! - creates[a]!)).toEqual(ACCOUNTS.map((a) => (truth[a] ? 2 : 1)));
    for (const a of ACCOUNTS) {
      const p = position(a, req.symbol)!;
      expect([p.side, p.size]).toEqual(['long', truth[a] ? sizes[a]! / 2 : sizes[a]!]);
    }
  });

  it('SL to break-even: the trading-stops that landed after the kill are read back as done, none sent again', async () => {
    const key = 'crash-break-even';
    const req: ActionRequestInput = {
      idempotencyKey: key,
      symbol: '',
      side: 'long',
      action: { kind: 'sl-break-even' },
    };
    const stops = counts('/v5/position/trading-stop');
    await killDuring(req, () => stat('main', '/v5/position/trading-stop') > stops.main!);
    await using second = await startCompanionProcess(setup);
    const r = await settled(second, key);
    // Each mirror's trading-stop either landed after the kill (read back as done) or never left the killed
    // companion (not placed); none is sent by the restarted one.
    const now = counts('/v5/position/trading-stop');
    const landed = Object.fromEntries(ACCOUNTS.map((a) => [a, now[a]! - stops[a]!]));
    expect(Object.values(landed).every((n) => n === 0 || n === 1)).toBe(true);
    expect(landed.main).toBe(1);
    expect(r.legs.map((l) => l.status)).toEqual(ACCOUNTS.map((a) => (landed[a] ? 'placed' : 'rejected')));
    const tick = paper.engine.instrument(req.symbol)!.tickSize;
    for (const a of ACCOUNTS) {
      const p = position(a, req.symbol)!;
      if (landed[a]) expect(p.stopLoss).toBe(breakEvenPrice('long', p.entryPrice, TAKER_FEE, tick));
      else expect(p.stopLoss).not.toBe(breakEvenPrice('long', p.entryPrice, TAKER_FEE, tick));
    }
  });
});
