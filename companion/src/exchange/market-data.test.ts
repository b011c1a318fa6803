import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { btcLong } from '../../test-support/execution.ts';
import { paperSetups } from '../../test-support/paper-setups.ts';
import { EventBus } from '../core/bus.ts';
import { systemClock } from '../core/clock.ts';
import { createLogger } from '../core/logger.ts';
import { ExecutionService } from '../execution/service.ts';
import { createApp } from '../http/app.ts';
import { type PaperExchange, startPaperExchange } from '../paper/index.ts';
import type { Bybit } from './bybit.ts';
import { CallCounter } from './call-counter.ts';
import { ExchangeConfig } from './config.ts';
import { createExchangeLayer } from './index.ts';
import { CcxtMarketData } from './market-data.ts';
import { RateBudget } from './rate-budget.ts';

/** A logger whose warnings the test reads. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination: sink }) };
}

/** A loaded ccxt market, as ccxt's bybit class builds it from instruments-info (precision mode: tick size). */
const market = (id: string, over: { price?: unknown; amount?: unknown; min?: unknown; max?: unknown } = {}) => ({
  id,
  linear: true,
  active: true,
  precision: { price: 'price' in over ? over.price : 0.1, amount: 'amount' in over ? over.amount : 0.001 },
  limits: { amount: { min: 'min' in over ? over.min : 0.001, max: 'max' in over ? over.max : 100 }, cost: { min: 5 } },
});

function loaded(markets: ReturnType<typeof market>[]) {
  const { lines, logger } = capture();
  const ex = { markets: Object.fromEntries(markets.map((m) => [m.id, m])) } as unknown as Bybit;
  const config = ExchangeConfig.parse({});
  const budget = new RateBudget({
    ip: config.ipLimit,
    perAccount: {},
    share: 1,
    maxInFlight: 1,
    clock: systemClock,
  });
  const md = new CcxtMarketData(ex, {
    budget,
    counter: new CallCounter(),
    clock: systemClock,
    retry: config.retry,
    logger,
  });
  return { md, lines };
}

describe('CcxtMarketData: instrument rules refused at load', () => {
  it.each([
    ['a quantity step of 0', { amount: 0 }, 'qtyStep = 0 (must be a positive number)'],
    ['an empty quantity step', { amount: '' }, 'qtyStep = not a number (must be a positive number)'],
    [
      'a quantity step that is not a number',
      { amount: Number.NaN },
      'qtyStep = not a number (must be a positive number)',
    ],
    ['a missing tick', { price: undefined }, 'tickSize = not a number (must be a positive number)'],
    ['a tick of 0', { price: 0 }, 'tickSize = 0 (must be a positive number)'],
    ['a negative minimum', { min: -1 }, 'minQty = -1 (must be a positive number)'],
  ])('%s: the symbol is excluded, named in a warning, and its reason kept', (_n, over, problem) => {
    const { md, lines } = loaded([market('BTCUSDT'), market('BADUSDT', over)]);
    expect(md.instrument('BADUSDT')).toBeUndefined();
    expect(md.symbols()).toEqual(['BTCUSDT']);
    expect(md.instrumentProblem('BADUSDT')).toBe(problem);
    expect(md.instrument('BTCUSDT')).toMatchObject({ tickSize: 0.1, qtyStep: 0.001, minQty: 0.001, maxQty: 100 });
    expect(md.instrumentProblem('BTCUSDT')).toBeUndefined();
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings).toMatchObject([
      { symbol: 'BADUSDT', problem, msg: 'instrument rules refused: the symbol is not traded' },
    ]);
  });

  it("keeps to USDT perpetuals: Bybit's linear list also holds USDC perpetuals and dated futures", async () => {
    const ids = ['BTCUSDT', 'BTCPERP', 'BTC-26DEC25', 'BTCUSDT-26DEC25', 'ETHUSDC'];
    const { md } = loaded(ids.map((id) => market(id)));
    expect(md.symbols()).toEqual(['BTCUSDT']);
    // The bulk ticker read (no symbols named: every instrument's mark) is not failed by the others' rows.
    (md as unknown as { ex: Record<string, unknown> }).ex.publicGetV5MarketTickers = async () => ({
      time: 1_700_000_000_000,
      result: { list: ids.map((symbol) => ({ symbol, markPrice: '100', lastPrice: '100' })) },
    });
    const tickers = await md.fetchTickers(null, { lane: 'api' });
    expect(tickers.map((t) => t.symbol)).toEqual(['BTCUSDT']);
    expect((await md.fetchTickers(['BTCUSDT'], { lane: 'api' })).map((t) => t.symbol)).toEqual(['BTCUSDT']);
  });

  it('a market without a minimum takes its step as the minimum, and no maximum as unlimited', () => {
    const { md } = loaded([market('BTCUSDT', { min: undefined, max: undefined })]);
    expect(md.instrument('BTCUSDT')).toMatchObject({ qtyStep: 0.001, minQty: 0.001, maxQty: Number.MAX_SAFE_INTEGER });
  });
});

describe('a paper market with a quantity step of 0, through ccxt', () => {
  let paper: PaperExchange | undefined;
  let service: ExecutionService | undefined;
  afterAll(async () => {
    await service?.close();
    await paper?.close();
  });

  it('is refused at load with a warning, and an execute request for it gets a 400 saying why', async () => {
    paper = await startPaperExchange({ accounts: ['main'], positionsPerAccount: 0, volatilityPerMinute: 0 });
    // The exchange's own rule for ETHUSDT is broken; BTCUSDT stays as it is.
    paper.engine.instrument('ETHUSDT')!.qtyStep = 0;
    const { lines, logger } = capture();
    const layer = await createExchangeLayer({
      setups: paperSetups(paper, paper.accounts),
      config: ExchangeConfig.parse({}),
      clock: systemClock,
      logger,
    });
    expect(layer.market.instrument('ETHUSDT')).toBeUndefined();
    expect(layer.market.instrument('BTCUSDT')).toBeDefined();
    expect(lines.filter((l) => l.level === 40)).toMatchObject([
      { symbol: 'ETHUSDT', problem: 'qtyStep = 0 (must be a positive number)' },
    ]);

    service = await ExecutionService.open({
      accounts: [...layer.accounts.values()].map((c) => c.account),
      clients: layer.accounts,
      market: layer.market,
      monitor: { setMode: () => {} },
      bus: new EventBus(),
      clock: systemClock,
      dataDir: mkdtempSync(join(tmpdir(), 'tw-bad-rules-')),
    });
    const token = 'test-token-0123456789';
    const app = createApp({
      version: 't',
      clock: systemClock,
      startedAt: 0,
      pairing: { verify: (t) => t === token },
      execution: service,
    });
    const calls = layer.counter.totals.calls;
    const res = await app.request('/api/v1/trading/execute', {
      method: 'POST',
      headers: { Host: '127.0.0.1:8787', Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(
        btcLong({ symbol: 'ETHUSDT', idempotencyKey: 'bad-rules-1', takeProfit: 9_000, stopLoss: 100 }),
      ),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: {
        code: 'INVALID_ORDER',
        path: ['symbol'],
        message: expect.stringContaining('instrument rules for ETHUSDT are invalid (qtyStep = 0'),
      },
    });
    expect(layer.counter.totals.calls).toBe(calls); // refused before any call
  }, 30_000);
});
