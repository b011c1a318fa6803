import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bundle } from '../../../companion/scripts/bundle.mjs';
import { type PaperProClient as Pro, paperProClient } from '../../../companion/test-support/paper-pro-client.ts';
import { percentile, round } from '../stats.ts';

/**
 * The paper exchange's Bybit v5 streams, through ccxt pro as the companion will read them. The exchange
 * runs in a child process (its CPU measured alone); the clients here.
 *
 * 1. Push latency, state change → the ccxt pro client's watch* resolving, on the shared timeline:
 *    - position: a stop-loss edit on the engine → watchPositions (pushed at the change);
 *    - ticker: a price set → watchTickers (pushed on the next 100 ms round, so 0-100 ms by design);
 *    at 0 and 50 ms of injected push latency, 150 samples each.
 * 2. Throughput at 400 and 4,000 positions (1 and 10 accounts of 400 on 400 symbols, the market stepping
 *    every 100 ms at 60 times a real market's pace): one public connection watching the 400 tickers (prices are the same for every
 *    account: subscribed once) plus one private connection per account (positions, orders, fills,
 *    wallet). Messages per second are the exchange's own count over 10 s; CPU is the exchange process's
 *    user+system time over the same span, per 1,000 messages sent.
 */

type Creds = { name: string; apiKey: string; secret: string };
const SAMPLES = 150;
const MEASURE_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();

class Child {
  private constructor(private readonly proc: ChildProcess) {}
  static async start(opts: Record<string, unknown>): Promise<{ child: Child; url: string; accounts: Creds[] }> {
    const out = fileURLToPath(new URL('../../../companion/dist/bench-stream-child.mjs', import.meta.url));
    await bundle(fileURLToPath(new URL('../stream-child.ts', import.meta.url)), out);
    const proc = fork(out, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const child = new Child(proc);
    const r = (await child.ask({ type: 'start', opts })) as { url: string; accounts: Creds[] };
    return { child, url: r.url, accounts: r.accounts };
  }
  ask(m: Record<string, unknown>): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const on = (msg: Record<string, unknown>) => {
        this.proc.off('message', on);
        if (msg.type === 'error') reject(new Error(`stream child: ${msg.error}`));
        else resolve(msg);
      };
      this.proc.on('message', on);
      this.proc.send(m);
    });
  }
  async close(): Promise<void> {
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.send({ type: 'close' });
    await Promise.race([exited, sleep(3000)]);
    this.proc.kill();
  }
}

const pro = (url: string, creds: Creds): Promise<Pro> => paperProClient(url, creds, { fetchPositionsSnapshot: false });

/** Runs `watch` until stopped, calling `seen` with each result and its arrival time. */
function consume<T>(watch: () => Promise<T>, seen: (v: T, at: number) => void, stopped: () => boolean): Promise<void> {
  return (async () => {
    while (!stopped()) {
      try {
        seen(await watch(), now());
      } catch {
        if (!stopped()) await sleep(50);
      }
    }
  })();
}

async function latency(): Promise<Record<string, unknown>> {
  const { child, url, accounts } = await Child.start({
    accounts: ['main'],
    positionsPerAccount: 400,
    symbols: 450,
    volatilityPerMinute: 0,
    seed: 3,
  });
  const c = await pro(url, accounts[0]!);
  let stopped = false;
  try {
    const positions = await c.fetchPositions();
    const symbols = positions.map((p) => p.symbol as string);
    const arrivals = new Map<string, number>();
    const waiters = new Map<string, (at: number) => void>();
    const note = (key: string, at: number) => {
      if (arrivals.has(key)) return;
      arrivals.set(key, at);
      waiters.get(key)?.(at);
    };
    // Left running until `stopped`: each loop ends at its next update after that.
    void [
      consume(
        () => c.watchPositions(),
        (ps, at) => {
          for (const p of ps) note(`p:${p.symbol}:${p.stopLossPrice}`, at);
        },
        () => stopped,
      ),
      consume(
        () => c.watchTickers(symbols),
        (ts, at) => {
          for (const t of Object.values(ts)) note(`t:${t.symbol}:${t.markPrice}`, at);
        },
        () => stopped,
      ),
    ];
    await sleep(1000);
    const wait = (key: string) =>
      new Promise<number>((resolve, reject) => {
        const seen = arrivals.get(key);
        if (seen !== undefined) return resolve(seen);
        const t = setTimeout(() => reject(new Error(`stream bench: ${key} never arrived`)), 5000);
        waiters.set(key, (at) => {
          clearTimeout(t);
          resolve(at);
        });
      });
    const round1 = async (kind: 'stop' | 'price') => {
      const ms: number[] = [];
      for (let k = 0; k < SAMPLES; k++) {
        const pos = positions[k % positions.length]!;
        const id = c.marketId(pos.symbol);
        const r = (await child.ask(
          kind === 'stop' ? { type: 'stop', account: 'main', symbol: id, k } : { type: 'price', symbol: id, k },
        )) as { at: number; value: number };
        const key = kind === 'stop' ? `p:${pos.symbol}:${r.value}` : `t:${pos.symbol}:${r.value}`;
        ms.push((await wait(key)) - r.at);
        // Spread over the 100 ms push round (a fixed gap would sample one phase of it only).
        await sleep(5 + ((k * 37) % 100));
      }
      return { p50: round(percentile(ms, 50), 2), p99: round(percentile(ms, 99), 2) };
    };
    const out: Record<string, unknown> = {};
    for (const injected of [0, 50]) {
      await child.ask({ type: 'latency', fixedMs: injected });
      const pos = await round1('stop');
      const tick = await round1('price');
      out[`positionPushP50Ms_at${injected}ms`] = pos.p50;
      out[`positionPushP99Ms_at${injected}ms`] = pos.p99;
      out[`tickerPushP50Ms_at${injected}ms`] = tick.p50;
      out[`tickerPushP99Ms_at${injected}ms`] = tick.p99;
    }
    out.latencySamplesPerFigure = SAMPLES;
    return out;
  } finally {
    stopped = true;
    await c.close();
    await child.close();
  }
}

async function throughput(accountCount: number): Promise<Record<string, number>> {
  const names = Array.from({ length: accountCount }, (_, i) => (i === 0 ? 'main' : `mirror${i}`));
  const { child, url, accounts } = await Child.start({
    accounts: names,
    positionsPerAccount: 400,
    symbols: 450,
    stepMs: 100,
    // 60 times a real market's pace: every symbol's price changes on (nearly) every 100 ms round, the
    // busiest the ticker stream gets (Bybit pushes a derivatives ticker at most every 100 ms).
    volatility: 60,
    seed: 3,
  });
  const clients: Pro[] = [];
  let stopped = false;
  const count = () => undefined;
  try {
    const pub = await pro(url, accounts[0]!);
    clients.push(pub);
    // Every position of every account (the REST list pages by 200; the control API lists them all).
    const held = new Set<string>();
    for (const a of accounts) {
      const r = (await (await fetch(`${url}/sim/positions/${a.name}`)).json()) as { positions: { symbol: string }[] };
      for (const p of r.positions) held.add(pub.safeSymbol(p.symbol));
    }
    const symbols = [...held];
    const loops = [
      consume(
        () => pub.watchTickers(symbols),
        count,
        () => stopped,
      ),
    ];
    for (const a of accounts) {
      const c = await pro(url, a);
      clients.push(c);
      loops.push(
        consume(
          () => c.watchPositions(),
          count,
          () => stopped,
        ),
      );
      loops.push(
        consume(
          () => c.watchOrders(),
          count,
          () => stopped,
        ),
      );
      loops.push(
        consume(
          () => c.watchMyTrades(),
          count,
          () => stopped,
        ),
      );
      loops.push(
        consume(
          () => c.watchBalance(),
          count,
          () => stopped,
        ),
      );
    }
    await sleep(2000);
    const a = (await child.ask({ type: 'cpu' })) as {
      usage: NodeJS.CpuUsage;
      messages: number;
      wall: number;
      byTopic: Record<string, number>;
    };
    await sleep(MEASURE_MS);
    const b = (await child.ask({ type: 'cpu' })) as typeof a;
    const seconds = (b.wall - a.wall) / 1000;
    const messages = b.messages - a.messages;
    const cpuMs = (b.usage.user + b.usage.system - a.usage.user - a.usage.system) / 1000;
    const privateMsgs = ['position', 'order', 'execution', 'wallet'].reduce(
      (n, t) => n + (b.byTopic[t] ?? 0) - (a.byTopic[t] ?? 0),
      0,
    );
    return {
      positions: accountCount * 400,
      connections: 1 + accountCount * 1,
      tickerTopics: symbols.length,
      messagesPerSecond: round(messages / seconds),
      privateMessagesPerSecond: round(privateMsgs / seconds, 1),
      paperCpuMsPer1000Messages: round((cpuMs / messages) * 1000, 2),
      paperCpuPercent: round((cpuMs / (seconds * 1000)) * 100, 1),
    };
  } finally {
    stopped = true;
    for (const c of clients) await c.close();
    await child.close();
  }
}

export default async function streamBench(): Promise<Record<string, unknown>> {
  const lat = await latency();
  const at400 = await throughput(1);
  const at4000 = await throughput(10);
  return { ...lat, at400, at4000 };
}
