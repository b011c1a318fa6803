import { beforeAll, describe } from 'vitest';
import { systemClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import { ExchangeConfig } from './config.ts';
import { type ConformanceContext, describeExchangeConformance } from './conformance.ts';
import { createExchangeLayer } from './index.ts';

/**
 * Opt-in: the same conformance suite against Bybit testnet. Runs only with BYBIT_TESTNET_API_KEY and
 * BYBIT_TESTNET_SECRET set, and never in CI (CI has no network but the package registries).
 */
const apiKey = process.env.BYBIT_TESTNET_API_KEY;
const secret = process.env.BYBIT_TESTNET_SECRET;
const enabled = Boolean(apiKey && secret) && !process.env.CI;

describe.skipIf(!enabled)('Bybit testnet (live, opt-in)', () => {
  let ctx: ConformanceContext;
  const setup = (creds: { apiKey: string; secret: string }) =>
    createExchangeLayer({
      setups: [
        {
          account: {
            name: 'testnet',
            role: 'main',
            mirrorOf: null,
            mirrorRatio: 1,
            exchange: 'bybit',
            mode: 'testnet',
          },
          credentials: creds,
        },
      ],
      config: ExchangeConfig.parse({}),
      clock: systemClock,
      logger: silentLogger,
    });
  beforeAll(async () => {
    const layer = await setup({ apiKey: apiKey!, secret: secret! });
    ctx = {
      layer,
      account: 'testnet',
      minPositions: Number(process.env.BYBIT_TESTNET_MIN_POSITIONS ?? 0),
      symbol: process.env.BYBIT_TESTNET_SYMBOL ?? 'BTCUSDT',
      badCredentials: () => setup({ apiKey: apiKey!, secret: 'wrong' }),
    };
  }, 60_000);
  describeExchangeConformance('ccxt bybit → Bybit testnet', () => ctx);
});
