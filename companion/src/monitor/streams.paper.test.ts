import type { BusEvent } from '@tierwatch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paperSetups } from '../../test-support/paper-setups.ts';
import { EventBus } from '../core/bus.ts';
import { systemClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import { ExchangeConfig } from '../exchange/config.ts';
import { createExchangeLayer, type ExchangeLayer } from '../exchange/index.ts';
import { type PaperExchange, type PositionView, startPaperExchange } from '../paper/index.ts';
import { MonitorConfig } from './config.ts';
import { Monitor } from './monitor.ts';

/**
 * The streaming monitor end to end, through ccxt pro against the paper exchange's WebSocket: a price pushed
 * across an SL is an sl-hit with no REST ticker call behind it; a stalled stream falls back to polling
 * (which still catches an SL) and streams again once the stall is over; a lost push is a gap, reconciled.
 */

let paper: PaperExchange;
let layer: ExchangeLayer;
let monitor: Monitor;
const events: BusEvent[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (what: string, ok: () => boolean, ms = 8000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
};
const switches = () => events.filter((e) => e.type === 'source-changed');
const sources = () => monitor.computeStats().streams?.sources ?? {};
const used = new Set<string>();
/** A position with an SL, not used by an earlier step. */
const withSl = (): PositionView => {
  const p = paper.control.positions('main').find((x) => x.stopLoss !== null && !used.has(x.symbol));
  if (!p) throw new Error('no position with an SL left');
  used.add(p.symbol);
  return p;
};
const acrossSl = (p: PositionView) =>
  p.side === 'long' ? (p.stopLoss as number) * 0.99 : (p.stopLoss as number) * 1.01;
const slHit = (symbol: string) => events.some((e) => e.type === 'sl-hit' && e.symbol === symbol);

beforeAll(async () => {
  paper = await startPaperExchange({ accounts: ['main'], positionsPerAccount: 40, volatilityPerMinute: 0, seed: 9 });
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
    streams: layer.streams,
    bus,
    clock: systemClock,
    config: MonitorConfig.parse({ source: 'stream' }),
  });
  monitor.start();
  await monitor.firstRead(10_000);
  await until('both streams serving', () => sources().public === 'stream' && sources().main === 'stream');
}, 30_000);

afterAll(async () => {
  await monitor?.stop();
  await paper?.close();
});

describe('streaming monitor (ccxt pro → paper exchange)', () => {
  it('a price pushed across an SL is an sl-hit, with no REST ticker read', async () => {
    const before = countTickerCalls();
    const p = withSl();
    paper.control.setPrice(p.symbol, acrossSl(p));
    await until('sl-hit', () => slHit(p.symbol), 2000);
    expect(countTickerCalls()).toBe(before);
    expect(sources().public).toBe('stream');
  });

  it('a streamed SL close is explained by what the stream carried: reason sl, no order-history read', async () => {
    const history = () => layer.counter.since(0).filter((c) => c.endpoint === 'order/history').length;
    const before = history();
    const p = withSl();
    paper.control.setPrice(p.symbol, acrossSl(p));
    const closed = () =>
      events.find((e) => e.type === 'position-closed' && e.symbol === p.symbol) as
        | Extract<BusEvent, { type: 'position-closed' }>
        | undefined;
    await until('position-closed', () => closed() !== undefined, 3000);
    expect(closed()?.reason).toBe('sl');
    expect(history()).toBe(before);
  });

  it('a stalled public stream falls back to polling, an SL is still an sl-hit, and it streams again after', async () => {
    // One position made CRITICAL (0.5% from its SL) while streaming: polling must check it once a second.
    const near = withSl();
    const sl = near.stopLoss as number;
    paper.control.setPrice(near.symbol, near.side === 'long' ? sl * 1.005 : sl * 0.995);
    await until('CRITICAL', () =>
      monitor.positions('main').some((x) => x.symbol === near.symbol && x.tier === 'CRITICAL'),
    );
    const n = switches().length;
    paper.control.stallStream('public', 5000);
    const t0 = Date.now();
    const polls0 = countTickerCalls();
    await until('fallback', () => sources().public === 'poll', 2000);
    expect(Date.now() - t0).toBeLessThan(1000);
    // Polling starts with a read at once (the stream's last prices are as old as its silence).
    const switchedAt = Date.now();
    await until('a ticker poll', () => countTickerCalls() > polls0, 500);
    expect(Date.now() - switchedAt).toBeLessThan(500);
    const back = switches().slice(n);
    expect(back[0]).toMatchObject({ stream: 'public', from: 'stream', to: 'poll' });
    const before = countTickerCalls();
    const p = withSl();
    paper.control.setPrice(p.symbol, acrossSl(p));
    await until('sl-hit while polling', () => slHit(p.symbol), 2000);
    // Polling at today's CRITICAL cadence while the stream is silent: a ticker read at least once a second.
    await until('REST ticker polls', () => countTickerCalls() >= before + 3, 3500);
    await until('streaming again', () => sources().public === 'stream', 5000 + 5000);
    expect(Date.now() - t0).toBeLessThan(5000 + 5000);
    expect(
      switches()
        .slice(n)
        .map((e) => (e.type === 'source-changed' ? `${e.from}→${e.to}` : '')),
    ).toEqual(['stream→poll', 'poll→stream']);
  });

  it('a reconnect reconciles through REST at once; what it finds that the stream did not say is counted', async () => {
    const n0 = monitor.computeStats().streams!.restOnlyDiscoveries;
    const [p] = paper.control.positions('main').filter((x) => !used.has(x.symbol));
    // The REST answer says an SL the stream never pushed (as if a push had been lost).
    paper.control.setPositionRowFault('main', { symbol: p!.symbol, fields: { stopLoss: String(p!.markPrice / 3) } });
    try {
      // A reconnect reconciles at once (REST), and that read finds the SL the stream did not say.
      paper.control.dropStreams('main');
      await until('counted', () => monitor.computeStats().streams!.restOnlyDiscoveries > n0, 4000);
    } finally {
      paper.control.setPositionRowFault('main', null);
    }
  });

  it('a lost position push (a gap in the stream) is reconciled through REST within one critical interval', async () => {
    const main = () => monitor.streamStats()!.connections.find((c) => c.key === 'main')!;
    const p = withSl();
    await until('streaming', () => sources().main === 'stream' && main().health === 'live');
    // No reconciliation under way (the one after an earlier reconnect has landed): only the gap can cause one.
    await until('no REST read for 1.5 s', () => Date.now() - lastPositionReadAt() > 1500, 5000);
    const gaps0 = monitor.streamStats()!.gaps;
    const reconnects0 = main().reconnects;
    // The SL fires: Bybit pushes the order, its fill (execution) and the closed position; the last is lost.
    // Only the execution's seq without a position row at or past it tells the monitor (stream-sequence.ts).
    paper.control.lostPushes.lose('main', 'position');
    const reads0 = countPositionReads();
    const t0 = Date.now();
    paper.control.setPrice(p.symbol, acrossSl(p));
    await until('the gap heard', () => monitor.streamStats()!.gaps > gaps0, 1000);
    await until('a REST reconcile', () => countPositionReads() > reads0, 1000);
    expect(Date.now() - t0).toBeLessThanOrEqual(1000);
    expect(monitor.streamStats()!.gaps).toBe(gaps0 + 1);
    expect(main().reconnects).toBe(reconnects0);
    // The close the stream never said is known from REST (confirmed by a second read, as any close).
    await until('closed', () => !monitor.positions('main').some((x) => x.symbol === p.symbol), 3000);
  });

  it('a stalled private stream puts its account on polling, then back; stats show it', async () => {
    paper.control.stallStream('main', 2000);
    await until('account on poll', () => sources().main === 'poll', 2000);
    expect(sources().public).toBe('stream');
    await until('account streaming again', () => sources().main === 'stream', 2000 + 5000);
    const st = monitor.computeStats().streams!;
    expect(st.connections.find((c) => c.key === 'main')!.reconnects).toBeGreaterThanOrEqual(1);
    expect(st.switches).toBeGreaterThanOrEqual(4);
  });
});

/** REST position reads the companion made (every page counts), by its exchange layer. */
function countPositionReads(): number {
  return layer.counter.since(0).filter((c) => c.endpoint === 'position/list').length;
}

function lastPositionReadAt(): number {
  const reads = layer.counter.since(0).filter((c) => c.endpoint === 'position/list');
  return reads.length > 0 ? (reads[reads.length - 1] as { at: number }).at : 0;
}

/** REST ticker calls the companion made, counted by its exchange layer. */
function countTickerCalls(): number {
  return layer.counter.since(0).filter((c) => c.endpoint === 'market/tickers').length;
}
