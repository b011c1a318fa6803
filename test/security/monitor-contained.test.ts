import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CompanionConfig } from '../../companion/src/config/index.ts';
import { createLogger } from '../../companion/src/core/logger.ts';
import { type RunningCompanion, startCompanion } from '../../companion/src/runtime.ts';
import { isEvent } from '../../companion/test-support/hub.ts';

/**
 * The monitor never stops: against the real runtime (three paper accounts), one account's client throws on
 * every read (synchronously, and as a rejected promise), one bus subscriber throws on every event, and the
 * cache hook throws. Each failure is contained, logged and counted; the other accounts keep being read, the
 * shared price checks go on, and WebSocket clients keep receiving every event in order.
 */
let c: RunningCompanion;
const logLines: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const config = CompanionConfig.parse({
    server: { port: 0 },
    dataDir: mkdtempSync(join(tmpdir(), 'tw-contained-')),
    log: { level: 'info' },
    paper: { positionsPerAccount: 20 },
    accounts: [
      { name: 'main', role: 'main' },
      { name: 'mirror1', role: 'mirror', mirrorRatio: 0.5 },
      { name: 'mirror2', role: 'mirror', mirrorRatio: 2 },
    ],
  });
  c = await startCompanion(config, { logger: createLogger({ level: 'info', destination: sink }) });
  await sleep(1500);
}, 30_000);
afterAll(async () => {
  await c?.close();
});

describe('one failing part never stops the monitor', () => {
  it('an account whose client throws (sync and async) is counted and logged; the others and the prices go on', async () => {
    const broken = c.exchange.accounts.get('mirror1')!;
    let n = 0;
    broken.fetchPositions = (() => {
      if (n++ % 2 === 0) throw new Error('boom: synchronous throw in mirror1');
      return Promise.reject(new Error('boom: rejected read in mirror1'));
    }) as typeof broken.fetchPositions;
    broken.fetchOpenOrders = (() => {
      throw new TypeError('boom: orders of mirror1');
    }) as typeof broken.fetchOpenOrders;
    // Make every account due soon: reads are at the tiers' cadence, so force one now and then.
    const health0 = new Map(c.monitor.accountHealth().map((h) => [h.account, h]));
    // Prices: REST ticker reads (polling) and ticker pushes (streaming, the default source) alike.
    const prices = () =>
      c.exchange.counter.since(0).filter((r) => r.endpoint === 'market/tickers' && r.ok).length +
      c.exchange.streams
        .status()
        .filter((s) => s.kind === 'public')
        .reduce((n, s) => n + (s.messages.tickers ?? 0), 0);
    const ticks0 = prices();
    for (let i = 0; i < 6; i++) {
      for (const a of ['main', 'mirror1', 'mirror2']) c.monitor.refreshAccount(a);
      await sleep(500);
    }
    const health = new Map(c.monitor.accountHealth().map((h) => [h.account, h]));
    expect(health.get('mirror1')!.failures).toBeGreaterThan(health0.get('mirror1')!.failures);
    expect(health.get('mirror1')!.lastError).toMatch(/boom/);
    for (const a of ['main', 'mirror2']) {
      expect(health.get(a)!.consecutiveFailures, a).toBe(0);
      expect(health.get(a)!.lastReadAt!, a).toBeGreaterThan(health0.get(a)!.lastReadAt ?? 0);
    }
    const ticks = prices();
    expect(ticks).toBeGreaterThan(ticks0 + 1);
    expect(c.monitor.computeStats().callsPerSecByEndpoint.failed).toBeGreaterThan(0);
    expect(logLines.some((l) => l.includes('account read failed') && l.includes('mirror1'))).toBe(true);
  });

  it('a throwing bus subscriber and a throwing cache hook are contained and counted; WebSocket clients miss nothing', async () => {
    const errors0 = c.bus.listenerErrors;
    const off = c.bus.subscribe(() => {
      throw new Error('subscriber boom');
    });
    const put = c.cache.put.bind(c.cache);
    c.cache.put = (() => {
      throw new Error('cache hook boom');
    }) as typeof c.cache.put;
    const u = new URL(`${c.url.replace('http', 'ws')}/ws`);
    u.searchParams.set('token', c.token);
    const ws = new WebSocket(u);
    const seqs: number[] = [];
    ws.on('message', (d) => {
      const f = JSON.parse(String(d)) as { type: string; seq?: number };
      // positions-updated carries the seq it reflects (not a new one): only events count.
      if (isEvent(f)) seqs.push(f.seq as number);
    });
    await new Promise((r) => ws.once('open', r));
    for (let i = 0; i < 5; i++) {
      // Prices move, so tier changes and stats are published through the throwing subscriber.
      for (const p of c.paper!.control.positions('main').slice(0, 5))
        c.paper!.control.movePrice(p.symbol, i % 2 ? 1.5 : -1.5);
      for (const a of ['main', 'mirror2']) c.monitor.refreshAccount(a);
      await sleep(500);
    }
    off();
    c.cache.put = put;
    ws.close();
    expect(c.bus.listenerErrors).toBeGreaterThan(errors0);
    expect(logLines.some((l) => l.includes('event subscriber failed'))).toBe(true);
    expect(logLines.some((l) => l.includes('monitor read hook threw'))).toBe(true);
    expect(seqs.length).toBeGreaterThan(3);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1);
    const main = c.monitor.accountHealth().find((h) => h.account === 'main')!;
    expect(main.consecutiveFailures).toBe(0);
  });
});
