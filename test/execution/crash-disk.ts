import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statfsSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecuteRequest, ExecuteResult } from '@tierwatch/shared';
import { Rng } from '../../companion/src/core/rng.ts';
import { clientOrderId } from '../../companion/src/execution/index.ts';
import { startPaperExchange } from '../../companion/src/paper/index.ts';
import { type CompanionProcess, onStandalonePaper, startCompanionProcess } from '../support/companion-process.ts';
import { longOrder, postExecute } from './support.ts';

/**
 * The journal's bad days, against the real CLI and a paper exchange that outlives it:
 *
 * - disk-full rounds: the data dir is a small tmpfs (a real full disk: write(2) takes what fits in the
 *   journal's last page and refuses the rest), filled up with the companion running, then 1-2 executions.
 *   Each must either have its whole intent on disk or place nothing (answered 503). Then space is freed
 *   and the refused keys sent again: each executes once (its key was not bound to a phantom).
 * - torn-journal rounds: SIGKILL during executions, then the journal's tail torn as a power cut would leave
 *   it: the last line cut short if it is a leg or final record (its fsync had not finished), or half of a
 *   never-acknowledged intent left after it. The restart must come up and agree with the exchange.
 *
 * Counted throughout: ordersWithoutIntent (an order on the exchange, each once, for a key with no whole
 * intent line in the journal), adoptedMismatched (a leg reported placed/filled whose order on the exchange is not what was
 * asked: symbol, side, quantity), lostLegs (the companion and the exchange disagree about a leg) and
 * duplicateOrders (an order beyond one per key and account, or a retry that placed something).
 */
export interface JournalFaultFigures {
  diskFull: {
    method: string;
    rounds: number;
    /** Per round, the bytes the journal could still take (the rest of its last page). */
    freeBytes: number[];
    refused: number;
    accepted: number;
    retriedOk: number;
  } | null;
  tornJournalRounds: number;
  tornKinds: Record<string, number>;
  startFailures: number;
  ordersWithoutIntent: number;
  adoptedMismatched: number;
  lostLegs: number;
  duplicateOrders: number;
  samples: string[];
}

const ACCOUNTS = ['main', 'mirror1', 'mirror2'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runJournalFaults(
  opts: { diskRounds: number; tornRounds: number },
  seed = 13,
): Promise<JournalFaultFigures> {
  const rng = new Rng(seed);
  const paper = await startPaperExchange({ accounts: ACCOUNTS, positionsPerAccount: 3, seed: 9 });
  const fig: JournalFaultFigures = {
    diskFull: null,
    tornJournalRounds: 0,
    tornKinds: {},
    startFailures: 0,
    ordersWithoutIntent: 0,
    adoptedMismatched: 0,
    lostLegs: 0,
    duplicateOrders: 0,
    samples: [],
  };
  const note = (s: string) => {
    if (fig.samples.length < 12) fig.samples.push(s);
  };
  const sent = new Map<string, ExecuteRequest>(); // every key sent, with its request
  const order = (key: string, j: number): ExecuteRequest => {
    const symbol = j % 2 === 0 ? 'BTCUSDT' : 'ETHUSDT';
    const r = longOrder(paper.engine.instrument(symbol)!, paper.control.price(symbol), symbol, key);
    sent.set(key, r);
    return r;
  };

  /** Starts the companion (counted if it cannot) and waits until nothing is pending. */
  async function start(setup: { args: string[]; env: NodeJS.ProcessEnv }): Promise<CompanionProcess> {
    let c: CompanionProcess;
    try {
      c = await startCompanionProcess(setup);
    } catch (err) {
      fig.startFailures++;
      note(`start failed: ${String(err).slice(0, 300)}`);
      throw err;
    }
    const t0 = Date.now();
    while ((await list(c)).some((r) => r.status === 'pending')) {
      if (Date.now() - t0 > 60_000) throw new Error(`still pending after 60 s: ${c.stderr().slice(-2000)}`);
      await sleep(100);
    }
    return c;
  }
  const list = async (c: CompanionProcess): Promise<ExecuteResult[]> => {
    const res = await fetch(`${c.ready.url}/api/v1/trading/executions`, {
      headers: { authorization: `Bearer ${c.ready.token}` },
    });
    return ((await res.json()) as { data: ExecuteResult[] }).data;
  };

  /** Keys with a whole intent line in the journal. */
  const intents = (file: string): Set<string> => {
    const keys = new Set<string>();
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {}
    for (const line of text.split('\n')) {
      try {
        const r = JSON.parse(line) as { type?: string; idempotencyKey?: string };
        if (r?.type === 'intent' && r.idempotencyKey) keys.add(r.idempotencyKey);
      } catch {}
    }
    return keys;
  };
  const onExchange = (key: string, account: string) =>
    paper.engine.account(account)!.linkIds.get(clientOrderId(key, account));
  const counted = new Set<string>();
  const countWithoutIntent = (file: string, keys: Iterable<string>) => {
    const whole = intents(file);
    for (const key of keys)
      for (const a of ACCOUNTS)
        if (onExchange(key, a) && !whole.has(key) && !counted.has(`${key}/${a}`)) {
          counted.add(`${key}/${a}`);
          fig.ordersWithoutIntent++;
          note(`${key}/${a}: on the exchange without a whole intent in the journal`);
        }
  };

  /** The settled companion against the exchange, for the keys sent on this data dir. */
  function check(results: ExecuteResult[], keys: string[]): void {
    const byKey = new Map(results.map((r) => [r.idempotencyKey, r]));
    for (const key of keys) {
      const r = byKey.get(key);
      const req = sent.get(key)!;
      for (const a of ACCOUNTS) {
        const o = onExchange(key, a);
        const leg = r?.legs.find((l) => l.account === a);
        const placed = leg !== undefined && (leg.status === 'placed' || leg.status === 'filled');
        if (placed !== (o !== undefined)) {
          fig.lostLegs++;
          note(`${key}/${a}: companion ${leg?.status ?? 'no leg'}, exchange ${o ? 'has it' : 'none'}`);
        }
        if (placed && o && (o.symbol !== req.symbol || o.side !== 'Buy' || Math.abs(o.qty - leg.qty) > 1e-9)) {
          fig.adoptedMismatched++;
          note(
            `${key}/${a}: reported ${leg.status} ${leg.qty} ${req.symbol} long, exchange ${o.side} ${o.qty} ${o.symbol}`,
          );
        }
      }
    }
  }

  /** Every key sent again: nothing new may appear on the exchange. */
  async function retryAll(c: CompanionProcess, keys: string[]): Promise<void> {
    const count = () => keys.reduce((n, k) => n + ACCOUNTS.filter((a) => onExchange(k, a)).length, 0);
    const before = count();
    const known = new Set((await list(c)).map((r) => r.idempotencyKey));
    for (const k of keys.filter((x) => known.has(x))) await postExecute(c.ready, sent.get(k)!).catch(() => null);
    await sleep(500);
    fig.duplicateOrders += count() - before;
  }

  try {
    if (opts.diskRounds > 0) await diskFullRounds();
    if (opts.tornRounds > 0) await tornRounds();
  } finally {
    await paper.close();
  }
  return fig;

  async function diskFullRounds(): Promise<void> {
    const disk = mkdtempSync(join(tmpdir(), 'tw-disk-full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k,mode=0700', 'tmpfs', disk], { stdio: 'ignore' });
    } catch {
      fig.diskFull = {
        method: 'skipped: a tmpfs cannot be mounted here (needs root)',
        rounds: 0,
        freeBytes: [],
        refused: 0,
        accepted: 0,
        retriedOk: 0,
      };
      return;
    }
    const df = {
      method: 'a real full disk: a 512 KiB tmpfs, filled by a file',
      rounds: 0,
      freeBytes: [] as number[],
      refused: 0,
      accepted: 0,
      retriedOk: 0,
    };
    fig.diskFull = df;
    const file = join(disk, 'executions.jsonl');
    const setup = onStandalonePaper(paper, {
      dataDir: disk,
      configDir: mkdtempSync(join(tmpdir(), 'tw-disk-cfg-')),
      logLevel: 'warn',
      mirrorRatio: (i) => 0.5 * i,
    });
    const keys: string[] = [];
    try {
      for (let i = 0; i < opts.diskRounds; i++) {
        const c = await start(setup);
        const filler = join(disk, 'filler');
        try {
          const st = statfsSync(disk);
          writeFileSync(filler, Buffer.alloc(st.bavail * st.bsize)); // every free page: the journal's last one is left
          let size = 0;
          try {
            size = statSync(file).size;
          } catch {}
          df.freeBytes.push((4096 - (size % 4096)) % 4096);
          const n = 1 + Math.floor(rng.next() * 2);
          const refused: string[] = [];
          await Promise.all(
            Array.from({ length: n }, async (_, j) => {
              const key = `disk-full-${i}-${j}`;
              keys.push(key);
              const r = await postExecute(c.ready, order(key, j)).catch(() => null);
              if (r?.status === 200) df.accepted++;
              else {
                df.refused++;
                refused.push(key);
              }
            }),
          );
          countWithoutIntent(file, keys);
          rmSync(filler);
          // Space again: a refused key now executes, once.
          for (const key of refused) {
            const r = await postExecute(c.ready, sent.get(key)!).catch(() => null);
            if (r?.status === 200 && r.body.status === 'complete') df.retriedOk++;
            else note(`${key}: retried after space was freed: ${r?.status} ${JSON.stringify(r?.body).slice(0, 200)}`);
          }
          df.rounds++;
        } finally {
          rmSync(filler, { force: true });
          await c.kill('SIGKILL');
        }
      }
      const c = await start(setup);
      try {
        const results = await list(c);
        check(results, keys);
        countWithoutIntent(file, keys);
        await retryAll(c, keys);
      } finally {
        await c.kill();
      }
    } finally {
      execFileSync('umount', [disk]);
    }
  }

  async function tornRounds(): Promise<void> {
    const dataDir = mkdtempSync(join(tmpdir(), 'tw-torn-'));
    const file = join(dataDir, 'executions.jsonl');
    const setup = onStandalonePaper(paper, { dataDir, logLevel: 'warn', mirrorRatio: (i) => 0.5 * i });
    const keys: string[] = [];
    for (let i = 0; i <= opts.tornRounds; i++) {
      const c = await start(setup);
      try {
        if (i === opts.tornRounds) {
          check(await list(c), keys);
          countWithoutIntent(file, keys);
          await retryAll(c, keys);
          break;
        }
        for (const a of ACCOUNTS) paper.control.setAccountLatency(a, { fixedMs: 100 + Math.floor(rng.next() * 1500) });
        const n = 1 + Math.floor(rng.next() * 3);
        for (let j = 0; j < n; j++) {
          const key = `torn-${i}-${j}`;
          keys.push(key);
          void postExecute(c.ready, order(key, j)).catch(() => null);
        }
        const t0 = Date.now();
        while (!intents(file).has(keys.at(-n)!) && Date.now() - t0 < 10_000) await sleep(5);
        await sleep(Math.floor(rng.next() * 2500));
      } finally {
        await c.kill('SIGKILL');
        for (const a of ACCOUNTS) paper.control.setAccountLatency(a, null);
      }
      countWithoutIntent(file, keys);
      await tear(file, i);
    }
  }

  /** What a power cut leaves: the last record's line cut short if its fsync could not have finished. */
  async function tear(file: string, round: number): Promise<void> {
    const text = readFileSync(file);
    const end = text.length;
    const prev = text.lastIndexOf(0x0a, end - 2) + 1; // start of the last line
    const last = JSON.parse(text.subarray(prev, end).toString('utf8')) as { type: string };
    let kind: string;
    if (last.type !== 'intent') {
      // Its orders were already out (it records their outcome): cut it anywhere, newline included.
      truncateSync(file, prev + Math.floor(rng.next() * (end - 1 - prev)));
      kind = `${last.type} line cut`;
    } else {
      // An intent is acknowledged (and its orders sent) only once whole on disk: add a half-written one.
      const fake = JSON.stringify({
        v: 1,
        type: 'intent',
        at: Date.now(),
        executionId: `ex_torn${round}`,
        idempotencyKey: `never-sent-${round}`,
        requestHash: '0123456789abcdef0123456789abcdef',
        request: { idempotencyKey: `never-sent-${round}` },
      });
      await appendFile(file, fake.slice(0, 10 + Math.floor(rng.next() * (fake.length - 10))));
      kind = 'half an intent appended';
    }
    fig.tornJournalRounds++;
    fig.tornKinds[kind] = (fig.tornKinds[kind] ?? 0) + 1;
  }
}
