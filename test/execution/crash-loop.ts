import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecuteResult } from '@tierwatch/shared';
import { Rng } from '../../companion/src/core/rng.ts';
import { clientOrderId } from '../../companion/src/execution/index.ts';
import { startPaperExchange } from '../../companion/src/paper/index.ts';
import { type CompanionProcess, onStandalonePaper, startCompanionProcess } from '../support/companion-process.ts';
import { longOrder, postExecute } from './support.ts';

/**
 * SIGKILL at random points during executions, many times over, against one paper exchange that outlives
 * every companion. Each round: start (on the same data dir), wait until recovery has settled every earlier
 * execution, check the companion against the exchange's own book, then send 1-3 executions with random
 * per-account latency and kill the process after a random delay (before, during or after the legs).
 *
 * - duplicateOrders: orders on the exchange beyond one per (key, account), or with an id no key produced.
 * - lostLegs: a leg the exchange has that the companion does not report placed/filled, or the reverse; and
 *   any order for a key the companion has no record of (killed before its intent was journaled).
 */
export interface CrashFigures {
  iterations: number;
  executionsSent: number;
  killedAt: Record<string, number>;
  journaled: number;
  neverJournaled: number;
  statuses: Record<string, number>;
  legsOnExchange: number;
  duplicateOrders: number;
  lostLegs: number;
  lostSamples: string[];
  restartToSettledMs: number[];
  /** Actions (close 50 % of the BTCUSDT long on every account holding it) sent among the executions. */
  actionsSent: number;
  /** Positions on an action's symbol that end on the other side than they started (an action flipped one). */
  positionsFlipped: number;
  /** Actions the companion has a record of, and their close orders on the exchange's book. */
  actionsJournaled: number;
  actionLegsOnExchange: number;
}

const ACCOUNTS = ['main', 'mirror1', 'mirror2'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Close 50 % of the BTCUSDT long on every account holding it: the same body for a key, every time. */
const postAction = (c: CompanionProcess, key: string) =>
  fetch(`${c.ready.url}/api/v1/trading/actions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${c.ready.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      idempotencyKey: key,
      symbol: 'BTCUSDT',
      side: 'long',
      action: { kind: 'close', percent: 50 },
    }),
  }).then((r) => r.text());

export async function runCrashLoop(iterations: number, seed = 11): Promise<CrashFigures> {
  const rng = new Rng(seed);
  const random = () => rng.next();
  const paper = await startPaperExchange({ accounts: ACCOUNTS, positionsPerAccount: 3, seed: 5 });
  const dataDir = mkdtempSync(join(tmpdir(), 'tw-crash-loop-'));
  const setup = onStandalonePaper(paper, { dataDir, logLevel: 'warn', mirrorRatio: (i) => 0.5 * i });
  const fig: CrashFigures = {
    iterations,
    executionsSent: 0,
    killedAt: {},
    journaled: 0,
    neverJournaled: 0,
    statuses: {},
    legsOnExchange: 0,
    duplicateOrders: 0,
    lostLegs: 0,
    lostSamples: [],
    restartToSettledMs: [],
    actionsSent: 0,
    positionsFlipped: 0,
    actionsJournaled: 0,
    actionLegsOnExchange: 0,
  };
  const actionKeys: string[] = [];
  const startSides = new Map(paper.engine.accounts.map((a) => [a.name, a.positions.get('BTCUSDT')?.side ?? null]));
  const keys: string[] = [];
  const lost = (s: string) => {
    fig.lostLegs++;
    if (fig.lostSamples.length < 10) fig.lostSamples.push(s);
  };

  async function settled(c: CompanionProcess): Promise<ExecuteResult[]> {
    const t0 = Date.now();
    for (;;) {
      const res = await fetch(`${c.ready.url}/api/v1/trading/executions`, {
        headers: { authorization: `Bearer ${c.ready.token}` },
      });
      const list = ((await res.json()) as { data: ExecuteResult[] }).data;
      if (list.every((r) => r.status !== 'pending')) {
        fig.restartToSettledMs.push(Date.now() - t0);
        return list;
      }
      if (Date.now() - t0 > 60_000) throw new Error(`executions still pending after 60 s: ${c.stderr().slice(-2000)}`);
      await sleep(100);
    }
  }

  /** The companion's settled view against the exchange's book, for every key sent so far. */
  function check(list: ExecuteResult[], final: boolean): void {
    const byKey = new Map(list.map((r) => [r.idempotencyKey, r]));
    for (const key of keys) {
      const r = byKey.get(key);
      for (const account of ACCOUNTS) {
        const onExchange = paper.engine.account(account)!.linkIds.has(clientOrderId(key, account));
        if (!r) {
          if (onExchange) lost(`${key}/${account}: on the exchange, unknown to the companion`);
          continue;
        }
        const leg = r.legs.find((l) => l.account === account);
        const placed = leg !== undefined && (leg.status === 'placed' || leg.status === 'filled');
        if (placed !== onExchange)
          lost(
            `${key}/${account}: companion says ${leg?.status ?? 'no leg'}, exchange ${onExchange ? 'has it' : 'has none'}`,
          );
      }
    }
    // An action's legs: only accounts that held the position have one; each close is on the book iff placed.
    for (const key of actionKeys) {
      const r = byKey.get(key);
      for (const account of ACCOUNTS) {
        const onExchange = paper.engine.account(account)!.linkIds.has(clientOrderId(key, account, 'close'));
        const leg = r?.legs.find((l) => l.account === account);
        const placed = leg !== undefined && (leg.status === 'placed' || leg.status === 'filled');
        if (placed !== onExchange)
          lost(
            `${key}/${account}: action leg ${leg?.status ?? 'absent'}, exchange ${onExchange ? 'has it' : 'has none'}`,
          );
      }
    }
    if (!final) return;
    const expected = new Set([
      ...keys.flatMap((k) => ACCOUNTS.map((a) => clientOrderId(k, a))),
      ...actionKeys.flatMap((k) => ACCOUNTS.map((a) => clientOrderId(k, a, 'close'))),
    ]);
    fig.actionsJournaled = actionKeys.filter((k) => byKey.has(k)).length;
    const actionIds = new Set(actionKeys.flatMap((k) => ACCOUNTS.map((a) => clientOrderId(k, a, 'close'))));
    for (const acc of paper.engine.accounts)
      for (const id of acc.linkIds.keys()) if (actionIds.has(id)) fig.actionLegsOnExchange++;
    for (const acc of paper.engine.accounts) {
      const side = acc.positions.get('BTCUSDT')?.side ?? null;
      const was = startSides.get(acc.name) ?? null;
      // Executions only add longs; only an action could turn a long short.
      if (side !== null && side !== 'Buy' && was === 'Buy') fig.positionsFlipped++;
      if (side === 'Sell' && was !== 'Sell') fig.positionsFlipped++;
    }
    for (const acc of paper.engine.accounts) {
      for (const id of acc.linkIds.keys()) {
        if (!id.startsWith('tw-')) continue;
        fig.legsOnExchange++;
        if (!expected.has(id)) fig.duplicateOrders++;
      }
    }
    for (const key of keys) {
      const r = byKey.get(key);
      if (r) {
        fig.journaled++;
        fig.statuses[r.status] = (fig.statuses[r.status] ?? 0) + 1;
      } else fig.neverJournaled++;
    }
  }

  const readJournal = () => {
    try {
      return readFileSync(join(dataDir, 'executions.jsonl'), 'utf8');
    } catch {
      return '';
    }
  };
  const twOrders = () =>
    paper.engine.accounts.reduce(
      (n, acc) => n + [...acc.linkIds.keys()].filter((id) => id.startsWith('tw-')).length,
      0,
    );
  try {
    for (let i = 0; i <= iterations; i++) {
      const c = await startCompanionProcess(setup);
      try {
        const list = await settled(c);
        const last = i === iterations;
        check(list, last);
        if (last) {
          // Retrying every key on the restarted companion places nothing new (same result, or a conflict).
          const before = twOrders();
          for (const key of keys.filter((k) => list.some((r) => r.idempotencyKey === k))) {
            const symbol = key.endsWith('-0') ? 'BTCUSDT' : 'ETHUSDT';
            const inst = paper.engine.instrument(symbol)!;
            await postExecute(c.ready, longOrder(inst, paper.control.price(symbol), symbol, key)).catch(() => null);
          }
          for (const key of actionKeys.filter((k) => list.some((r) => r.idempotencyKey === k)))
            await postAction(c, key).catch(() => null);
          await sleep(500);
          fig.duplicateOrders += twOrders() - before;
          break;
        }
        for (const a of ACCOUNTS) paper.control.setAccountLatency(a, { fixedMs: 200 + Math.floor(random() * 2300) });
        const n = 1 + Math.floor(random() * 3);
        for (let j = 0; j < n; j++) {
          const key = `crash-loop-${seed}-${i}-${j}`;
          keys.push(key);
          fig.executionsSent++;
          const symbol = j % 2 === 0 ? 'BTCUSDT' : 'ETHUSDT';
          const inst = paper.engine.instrument(symbol)!;
          void postExecute(c.ready, longOrder(inst, paper.control.price(symbol), symbol, key)).catch(() => null);
        }
        // Every other round, an action among them: close half the BTCUSDT long everywhere it is held.
        if (i % 2 === 1) {
          const key = `crash-act-${seed}-${i}`;
          actionKeys.push(key);
          fig.actionsSent++;
          void postAction(c, key).catch(() => null);
        }
        // Mostly after the first intent is durable (legs in flight, or some landed), sometimes before it.
        let bucket = 'before intent';
        if (random() < 0.8) {
          const t0 = Date.now();
          while (!readJournal().includes(`"${keys.at(-n)}"`) && Date.now() - t0 < 10_000) await sleep(5);
          const delay = Math.floor(random() * 2500);
          await sleep(delay);
          bucket = delay < 500 ? 'intent+<500ms' : delay < 1500 ? 'intent+500-1500ms' : 'intent+1500-2500ms';
        } else await sleep(Math.floor(random() * 300));
        fig.killedAt[bucket] = (fig.killedAt[bucket] ?? 0) + 1;
      } finally {
        await c.kill('SIGKILL');
        for (const a of ACCOUNTS) paper.control.setAccountLatency(a, null);
      }
    }
  } finally {
    await paper.close();
  }
  return fig;
}
