import { afterAll, beforeAll } from 'vitest';
import { type ConformanceContext, describeExchangeConformance } from '../../test-support/exchange-conformance.ts';
import { paperSetups } from '../../test-support/paper-setups.ts';
import { systemClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import { type PaperExchange, startPaperExchange } from '../paper/index.ts';
import { ExchangeConfig } from './config.ts';
import { createExchangeLayer, type ExchangeLayer } from './index.ts';

let paper: PaperExchange;
let ctx: ConformanceContext;

async function layerFor(creds: { name: string; apiKey: string; secret: string }[]): Promise<ExchangeLayer> {
  return createExchangeLayer({
    setups: paperSetups(paper, creds),
    config: ExchangeConfig.parse({}),
    clock: systemClock,
    logger: silentLogger,
  });
}

beforeAll(async () => {
  paper = await startPaperExchange({
    accounts: ['main', 'mirror1'],
    positionsPerAccount: 400,
    symbols: 450,
    seed: 11,
    volatilityPerMinute: 0,
  });
  const layer = await layerFor(paper.accounts);
  ctx = {
    layer,
    account: 'main',
    minPositions: 400,
    symbol: 'BTCUSDT',
    badCredentials: () => layerFor([{ name: 'main', apiKey: paper.accounts[0]!.apiKey, secret: 'not-the-secret' }]),
    faults: {
      rateLimitStorm: (ms) =>
        paper.control.setFaults({ rateLimitStorm: { startAt: paper.control.now(), endAt: paper.control.now() + ms } }),
      outage: (ms) => void paper.control.startOutage(ms),
      clear: () => paper.control.setFaults({ rateLimitStorm: null, outage: null }),
    },
  };
});

afterAll(async () => {
  await paper?.close();
});

describeExchangeConformance('ccxt bybit → paper exchange', () => ctx);
