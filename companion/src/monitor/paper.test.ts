import type { BusEvent } from '@tierwatch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paperSetups } from '../../test-support/paper-setups.ts';
import { EventBus } from '../core/bus.ts';
import { systemClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import { ExchangeConfig } from '../exchange/config.ts';
import { createExchangeLayer, type ExchangeLayer } from '../exchange/index.ts';
import { type PaperExchange, startPaperExchange } from '../paper/index.ts';
import { MonitorConfig } from './config.ts';
import { Monitor } from './monitor.ts';

/**
 * The close-on-main-close path end to end, through real ccxt against the paper exchange: a malformed row
 * and an empty page of the main account close no mirror and raise no alert; a real close of the main
 * position still closes its mirror on the exchange.
 */

let paper: PaperExchange;
let layer: ExchangeLayer;
let monitor: Monitor;
const events: BusEvent[] = [];
/** Called with every fresh read of main (before the monitor applies it). */
let onMainRead: (count: number) => void = () => {};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const of = (type: BusEvent['type']) => events.filter((e) => e.type === type);
const until = async (what: string, ok: () => boolean, ms = 8000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
};
const held = (account: string) => paper.control.positions(account).map((p) => p.symbol);

beforeAll(async () => {
  paper = await startPaperExchange({ accounts: ['main', 'mirror1'], positionsPerAccount: 4, volatilityPerMinute: 0 });
  layer = await createExchangeLayer({
    setups: paperSetups(paper, paper.accounts),
    config: ExchangeConfig.parse({}),
    clock: systemClock,
    logger: silentLogger,
  });
  const bus = new EventBus();
  bus.subscribe((e) => events.push(e));
  monitor = new Monitor({
    clients: [...layer.accounts.values()],
    market: layer.market,
    bus,
    clock: systemClock,
    config: MonitorConfig.parse({ mirror: { closeOnMainClose: true } }),
    onPositions: (account, positions) => {
      if (account === 'main') onMainRead(positions.length);
    },
  });
  monitor.start();
  await monitor.firstRead(10_000);
}, 30_000);

afterAll(async () => {
  await monitor?.stop();
  await paper?.close();
});

describe('closeOnMainClose through ccxt and the paper exchange', () => {
  it('a main row with size "-1" fails the read: the mirror stays open, no alert, the error names field and symbol', async () => {
    const symbol = held('main')[0]!;
    expect(held('mirror1')).toContain(symbol);
    const failures = monitor.accountHealth().find((h) => h.account === 'main')!.failures;
    paper.control.setPositionRowFault('main', { symbol, fields: { size: '-1' } });
    monitor.refreshAccount('main');
    await until(
      'a failed read of main',
      () => monitor.accountHealth().find((h) => h.account === 'main')!.failures > failures,
    );
    monitor.refreshAccount('main');
    await sleep(1500);
    paper.control.setPositionRowFault('main', null);
    const health = monitor.accountHealth().find((h) => h.account === 'main')!;
    expect(health.lastError).toContain(`position (${symbol}): size = -1`);
    expect(held('mirror1')).toContain(symbol);
    expect(monitor.positions('main').map((p) => p.symbol)).toContain(symbol);
    expect([...of('position-closed'), ...of('mirror-drift')]).toEqual([]);
  }, 15_000);

  it('one empty page of main closes nothing and alerts nothing; the confirming read finds them all', async () => {
    const before = monitor.positions('main').length;
    expect(before).toBeGreaterThan(0);
    let empty = 0;
    let after = 0;
    onMainRead = (n) => {
      if (n === 0) {
        empty++;
        paper.control.setPositionRowFault('main', null); // one bad answer only
      } else if (empty > 0) after++;
    };
    paper.control.setPositionRowFault('main', { empty: true });
    monitor.refreshAccount('main');
    await until('the confirming read', () => after > 0);
    onMainRead = () => {};
    expect(empty).toBe(1);
    expect([...of('position-closed'), ...of('mirror-drift')]).toEqual([]);
    expect(monitor.positions('main')).toHaveLength(before);
    expect(held('mirror1').length).toBe(before);
  }, 15_000);

  it('a real close of the main position still closes its mirror', async () => {
    const main = layer.accounts.get('main')!;
    const p = monitor.positions('main')[0]!;
    await main.closePosition(p.symbol, p.side, `twtest-${Date.now().toString(36)}`, { lane: 'api' });
    expect(held('main')).not.toContain(p.symbol);
    monitor.refreshAccount('main'); // as after an execution; the confirming read follows by itself
    await until('the mirror closed', () => of('mirror-drift').length > 0, 10_000);
    expect(of('position-closed')).toContainEqual(expect.objectContaining({ account: 'main', symbol: p.symbol }));
    expect(of('mirror-drift')).toMatchObject([{ main: 'main', mirror: 'mirror1', symbol: p.symbol, action: 'closed' }]);
    await until('the mirror gone on the exchange', () => !held('mirror1').includes(p.symbol));
  }, 20_000);
});
