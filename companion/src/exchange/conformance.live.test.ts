import ccxt from 'ccxt';
import { beforeAll, describe } from 'vitest';
import { type ConformanceContext, describeExchangeConformance } from '../../test-support/exchange-conformance.ts';
import { describeStreamConformance, type StreamConformanceContext } from '../../test-support/stream-conformance.ts';
import { systemClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import { ExchangeConfig } from './config.ts';
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

describe.skipIf(!enabled)('Bybit testnet streams (live, opt-in)', () => {
  let ctx: StreamConformanceContext;
  const pro = async (creds: { apiKey: string; secret: string }) => {
    const c = new ccxt.pro.bybit({ ...creds, options: { defaultType: 'swap', fetchMarkets: { types: ['linear'] } } });
    c.setSandboxMode(true);
    await c.loadMarkets();
    return c as never;
  };
  beforeAll(async () => {
    const probe = (await pro({ apiKey: apiKey!, secret: secret! })) as InstanceType<typeof ccxt.pro.bybit>;
    const linear = probe.symbols.filter((s) => s.endsWith(':USDT')).slice(0, 400);
    await probe.close();
    ctx = {
      client: () => pro({ apiKey: apiKey!, secret: secret! }),
      badClient: () => pro({ apiKey: apiKey!, secret: 'wrong' }),
      tickerSymbols: linear,
      // Must hold no position and no open orders on the testnet account.
      symbol: process.env.BYBIT_TESTNET_STREAM_SYMBOL ?? 'SOL/USDT:USDT',
    };
  }, 60_000);
  describeStreamConformance('ccxt pro bybit → Bybit testnet', () => ctx);
});
