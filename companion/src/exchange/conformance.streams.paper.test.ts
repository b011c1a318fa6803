import { afterAll, beforeAll } from 'vitest';
import { paperProClient } from '../../test-support/paper-pro-client.ts';
import { describeStreamConformance, type StreamConformanceContext } from '../../test-support/stream-conformance.ts';
import { type PaperExchange, startPaperExchange } from '../paper/index.ts';

let paper: PaperExchange;
let ctx: StreamConformanceContext;

const proClient = async (creds: { apiKey: string; secret: string }) =>
  (await paperProClient(paper.url, creds)) as never;

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
