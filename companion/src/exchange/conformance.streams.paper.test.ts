import ccxt from 'ccxt';
import { afterAll, beforeAll } from 'vitest';
import {
  type PaperExchange,
  paperCcxtConfig,
  pointCcxtAt,
  pointCcxtProAt,
  startPaperExchange,
} from '../paper/index.ts';
import { describeStreamConformance, type StreamConformanceContext } from './conformance.streams.ts';

let paper: PaperExchange;
let ctx: StreamConformanceContext;

async function proClient(creds: { apiKey: string; secret: string }) {
  const c = new ccxt.pro.bybit({ ...paperCcxtConfig(creds), enableRateLimit: false });
  pointCcxtAt(c, paper.url);
  pointCcxtProAt(c, paper.url);
  c.options.watchPositions = { fetchPositionsSnapshot: true, awaitPositionsSnapshot: true };
  await c.loadHttpProxyAgent();
  await c.loadMarkets();
  return c as never;
}

beforeAll(async () => {
  paper = await startPaperExchange({
    accounts: ['main'],
    positionsPerAccount: 400,
    symbols: 450,
    seed: 5,
    volatilityPerMinute: 0,
  });
  const all = paper.engine.instruments().map((i) => `${i.baseCoin}/USDT:USDT`);
  // A symbol the seeded book holds no position in, so the position's whole life is the test's.
  const held = new Set(paper.control.positions('main').map((p) => p.symbol));
  const free = paper.engine.instruments().find((i) => !held.has(i.symbol))!;
  ctx = {
    client: () => proClient(paper.accounts[0]!),
    badClient: () => proClient({ apiKey: paper.accounts[0]!.apiKey, secret: 'not-the-secret' }),
    tickerSymbols: all.slice(0, 400),
    symbol: `${free.baseCoin}/USDT:USDT`,
    market: { setPrice: (symbol, price) => void paper.control.setPrice(symbol, price) },
  };
}, 30_000);

afterAll(async () => {
  await paper?.close();
});

describeStreamConformance('ccxt pro bybit → paper exchange', () => ctx);
