import type { Order, Position, Ticker } from '@tierwatch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paperSetups } from '../../test-support/paper-setups.ts';
import { systemClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import { type PaperExchange, startPaperExchange } from '../paper/index.ts';
import { ExchangeConfig } from './config.ts';
import { createExchangeLayer, type ExchangeLayer } from './index.ts';
import type { StreamSink } from './types.ts';

/**
 * The exchange layer's streams through ccxt pro against the paper exchange's Bybit v5 WebSocket: tickers of
 * every held symbol split over connections before the args limit, the private stream on the account's own
 * instance, health live / stale / down, and reconnect with resubscribe after a drop and a stall.
 */

let paper: PaperExchange;
let layer: ExchangeLayer;
const tickers = new Map<string, Ticker>();
const positions: { account: string; open: Position[]; closed: string[] }[] = [];
const orders: Order[] = [];
const reconnected: string[] = [];
const sink: StreamSink = {
  tickers: (ts) => {
    for (const t of ts) tickers.set(t.symbol, t);
  },
  positions: (account, open, closed) => void positions.push({ account, open, closed }),
  orders: (_a, os) => void orders.push(...os),
  reconnected: (key) => void reconnected.push(key),
  gap: (key, _account, reason, symbols) => void gaps.push({ key, reason, symbols }),
};
const gaps: { key: string; reason: string; symbols: string[] }[] = [];
let held: string[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (what: string, ok: () => boolean, ms = 8000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
};
const health = (key: string) => layer.streams.status().find((s) => s.key === key)?.health;

beforeAll(async () => {
  paper = await startPaperExchange({ accounts: ['main'], positionsPerAccount: 300, symbols: 350, seed: 3 });
  // A small args cap so 300 symbols need several public connections (Bybit's 21,000 takes ~1,200).
  const config = ExchangeConfig.parse({ streams: { maxArgsChars: 4000 } });
  layer = await createExchangeLayer({
    setups: paperSetups(paper, paper.accounts),
    config,
    clock: systemClock,
    logger: silentLogger,
  });
  held = [...new Set(paper.control.positions('main').map((p) => p.symbol))];
  layer.streams.setSymbols(held);
  layer.streams.start(sink);
  await until('every held ticker', () => held.every((s) => tickers.has(s)), 15_000);
}, 30_000);

afterAll(async () => {
  await layer?.streams.stop();
  await paper?.close();
});

describe('exchange streams (ccxt pro → paper exchange)', () => {
  it('splits the held symbols over public connections below the args cap, and every one is live', () => {
    const pub = layer.streams.status().filter((s) => s.kind === 'public');
    const chars = held.reduce((n, s) => n + `tickers.${s}`.length, 0);
    expect(pub.length).toBeGreaterThanOrEqual(Math.ceil(chars / 2000));
    expect(pub.length).toBeGreaterThan(1);
    for (const s of pub) expect(s.health).toBe('live');
    expect(pub.reduce((n, s) => n + (s.messages.tickers ?? 0), 0)).toBeGreaterThan(0);
  });

  it('a price set on the exchange arrives as a ticker push', async () => {
    const s = held[7] as string;
    const target = paper.control.price(s) * 1.05;
    paper.control.setPrice(s, target);
    await until('the pushed price', () => Math.abs((tickers.get(s)?.markPrice ?? 0) / target - 1) < 1e-3);
  });

  it('a symbol held after the streams started is subscribed on a live connection and heard', async () => {
    const extra = paper.control.engine
      .instruments()
      .map((i) => i.symbol)
      .find((x) => !held.includes(x));
    expect(extra).toBeDefined();
    layer.streams.setSymbols([extra as string]);
    const target = paper.control.price(extra as string) * 1.05;
    paper.control.setPrice(extra as string, target);
    await until(
      'the new symbol pushed',
      () => Math.abs((tickers.get(extra as string)?.markPrice ?? 0) / target - 1) < 1e-3,
    );
  });

  it('the private stream carries a new position and its order', async () => {
    await until('private live', () => health('main') === 'live');
    const client = layer.accounts.get('main')!;
    const free = paper.engine.instruments().find((i) => !held.includes(i.symbol))!;
    const qty = Math.max(free.minQty, Math.ceil(10 / paper.control.price(free.symbol) / free.qtyStep) * free.qtyStep);
    await client.placeOrder(
      {
        symbol: free.symbol,
        side: 'long',
        type: 'market',
        qty: Number(qty.toFixed(8)),
        price: null,
        takeProfit: null,
        stopLoss: null,
        reduceOnly: false,
        clientOrderId: `st${Date.now()}`,
      },
      { lane: 'execution' },
    );
    await until('the position push', () => positions.some((p) => p.open.some((x) => x.symbol === free.symbol)));
    await until('the order push', () => orders.some((o) => o.symbol === free.symbol));
  });

  it('a dropped private stream goes down, reconnects, resubscribes and says so', async () => {
    const before = layer.streams.status().find((s) => s.key === 'main')!.reconnects;
    paper.control.dropStreams('main');
    await until('reconnected', () => reconnected.includes('main'));
    await until('live again', () => health('main') === 'live');
    expect(layer.streams.status().find((s) => s.key === 'main')!.reconnects).toBe(before + 1);
    // Resubscribed: a change after the reconnect is pushed.
    const n = positions.length;
    const [p] = paper.control.positions('main');
    await layer.accounts.get('main')!.setTradingStop(p!.symbol, p!.side, { stopLoss: null }, { lane: 'execution' });
    await until('a push after the reconnect', () => positions.length > n);
  });

  it('a stalled public stream turns stale or down within a second, then is live again after the stall', async () => {
    const seen = new Set<string>();
    paper.control.stallStream('public', 2000);
    const t0 = Date.now();
    await until('not live', () => {
      const h = health('public') as string;
      seen.add(h);
      return h !== 'live';
    });
    expect(Date.now() - t0).toBeLessThan(1000);
    const pub = () => layer.streams.status().filter((x) => x.kind === 'public');
    await until('live again', () => pub().every((x) => x.health === 'live'), 8000);
    expect(Date.now() - t0).toBeLessThan(2000 + 5000);
    const s = held[11] as string;
    const target = paper.control.price(s) * 0.97;
    paper.control.setPrice(s, target);
    await until('a price after the stall', () => Math.abs((tickers.get(s)?.markPrice ?? 0) / target - 1) < 1e-3);
    expect(pub().every((x) => x.reconnects >= 1)).toBe(true);
  });
});
