import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paperSetups } from '../../test-support/paper-setups.ts';
import { systemClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import { type PaperExchange, startPaperExchange } from '../paper/index.ts';
import { ExchangeConfig } from './config.ts';
import { createExchangeLayer, type ExchangeLayer } from './index.ts';
import type { AccountClient } from './types.ts';

/**
 * Close causes through real ccxt against the paper exchange: its TP / SL triggers carry Bybit's
 * stopOrderType and createType in /v5/order/history, and a close we sent carries our client order id.
 */

let paper: PaperExchange;
let layer: ExchangeLayer;
let main: AccountClient;

beforeAll(async () => {
  paper = await startPaperExchange({ accounts: ['main'], positionsPerAccount: 8, volatilityPerMinute: 0 });
  layer = await createExchangeLayer({
    setups: paperSetups(paper, paper.accounts),
    config: ExchangeConfig.parse({}),
    clock: systemClock,
    logger: silentLogger,
  });
  main = layer.accounts.get('main') as AccountClient;
}, 30_000);

afterAll(async () => {
  await paper?.close();
});

const withLevels = () => paper.control.positions('main').filter((p) => p.stopLoss !== null && p.takeProfit !== null);

describe('close causes (paper exchange, through ccxt)', () => {
  it('an SL that fired and a TP that fired are told apart, with the fill price and the trigger level', async () => {
    const since = paper.control.now();
    const [a, b] = withLevels();
    if (!a || !b) throw new Error('the seed has fewer than two positions with TP and SL');
    const before = { a: paper.control.price(a.symbol), b: paper.control.price(b.symbol) };
    // Past the level, then back: the position is gone, the price shows nothing.
    const past = (p: typeof a, level: number, toward: 'sl' | 'tp') => {
      const down = (p.side === 'long') === (toward === 'sl');
      return down ? level * 0.99 : level * 1.01;
    };
    paper.control.setPrice(a.symbol, past(a, a.stopLoss as number, 'sl'));
    paper.control.setPrice(b.symbol, past(b, b.takeProfit as number, 'tp'));
    expect(paper.control.positions('main').map((p) => p.symbol)).not.toContain(a.symbol);
    paper.control.setPrice(a.symbol, before.a);
    paper.control.setPrice(b.symbol, before.b);
    const causes = await main.fetchCloseCauses?.([a.symbol, b.symbol], since, { lane: 'critical' });
    const of = (s: string) => causes?.find((c) => c.symbol === s);
    expect(of(a.symbol)).toMatchObject({ side: a.side, reason: 'sl', level: a.stopLoss });
    expect(of(b.symbol)).toMatchObject({ side: b.side, reason: 'tp', level: b.takeProfit });
    expect(of(a.symbol)?.price).toBeGreaterThan(0);
  });

  it('a liquidation (no SL, the price past the liquidation price) is told as one', async () => {
    const since = paper.control.now();
    const [e] = paper.control.positions('main');
    if (!e) throw new Error('the seed has no position left');
    await main.setTradingStop(e.symbol, e.side, { stopLoss: null }, { lane: 'execution' });
    const lev = paper.engine.account('main')?.positions.get(e.symbol)?.leverage ?? 10;
    // 1.5 × the initial margin against the position: past its liquidation price.
    const away = 1.5 / lev;
    paper.control.setPrice(e.symbol, e.side === 'long' ? e.entryPrice * (1 - away) : e.entryPrice * (1 + away));
    expect(paper.control.positions('main').map((p) => p.symbol)).not.toContain(e.symbol);
    const causes = await main.fetchCloseCauses?.([e.symbol], since, { lane: 'critical' });
    expect(causes).toMatchObject([{ symbol: e.symbol, side: e.side, reason: 'liquidation', level: null }]);
  });

  it('a close with our client order id is an action; one without is manual', async () => {
    const since = paper.control.now();
    const [c, d] = paper.control.positions('main');
    if (!c || !d) throw new Error('the seed has fewer than two positions left');
    await main.closePosition(c.symbol, c.side, `tw-test-${Date.now().toString(36)}`, { lane: 'execution' });
    await main.closePosition(d.symbol, d.side, '', { lane: 'execution' });
    const causes = await main.fetchCloseCauses?.([c.symbol, d.symbol], since, { lane: 'critical' });
    expect(causes?.find((x) => x.symbol === c.symbol)?.reason).toBe('action');
    expect(causes?.find((x) => x.symbol === d.symbol)?.reason).toBe('manual');
  });
});
