import { afterEach, describe, expect, it } from 'vitest';
import { account, monitorRig, NOW0, position, run, stopMonitors, TIER_SHAPES } from '../../test-support/monitor.ts';
import type { MonitorConfigInput } from './config.ts';
import { MonitorConfig } from './config.ts';

afterEach(stopMonitors);

const setup = (accounts = ['main'], config: MonitorConfigInput = {}, latencyMs = 0) =>
  monitorRig(
    accounts.map((n) => account(n)),
    config,
    latencyMs,
  );

describe('Monitor: cadence', () => {
  it('checks a CRITICAL position every second without polling a DORMANT one every second', async () => {
    const { clock, ex, make } = setup(['main'], { tickerScope: 'due' });
    ex.add(position({ account: 'main', symbol: 'CRITUSDT', ...TIER_SHAPES.CRITICAL }));
    ex.add(position({ account: 'main', symbol: 'DORMUSDT', ...TIER_SHAPES.DORMANT }));
    const m = make();
    m.start();
    await run(clock, 60_000);
    expect(m.tierCounts()).toMatchObject({ CRITICAL: 1, DORMANT: 1 });
    const tickers = ex.calls.filter((c) => c.endpoint === 'tickers');
    const withCrit = tickers.filter((c) => c.symbols?.includes('CRITUSDT')).length;
    const withDorm = tickers.filter((c) => c.symbols?.includes('DORMUSDT')).length;
    expect(withCrit).toBeGreaterThanOrEqual(59);
    expect(withDorm).toBeLessThanOrEqual(1); // small profile: DORMANT every 60 s, its first check came from the position read
    const stats = m.computeStats();
    expect(stats.cadence.CRITICAL.p99GapMs).not.toBeNull();
    expect(stats.cadence.CRITICAL.p99GapMs as number).toBeLessThanOrEqual(1000);
    // positions are read at the state cadence (2 s in the small profile), not every second
    expect(ex.count('positions', 'main')).toBeLessThanOrEqual(31);
  });

  it('one CRITICAL position does not pull an ACTIVE one to its cadence', async () => {
    const { clock, ex, make } = setup(['main'], { tickerScope: 'due' });
    ex.add(position({ account: 'main', symbol: 'CRITUSDT', ...TIER_SHAPES.CRITICAL }));
    ex.add(position({ account: 'main', symbol: 'ACTVUSDT', lastActivityAt: NOW0 + 10 * 60_000 }));
    const m = make({
      config: MonitorConfig.parse({
        tickerScope: 'due',
        profiles: [
          {
            name: 'p',
            fromPositions: 0,
            intervalsMs: {
              CRITICAL: 1000,
              URGENT: 2000,
              ACTIVE: 10_000,
              BUILDING: 20_000,
              STABLE: 30_000,
              DORMANT: 60_000,
            },
            stateRefreshMinMs: 30_000,
          },
        ],
      }),
    });
    m.start();
    await run(clock, 60_000);
    const tickers = ex.calls.filter((c) => c.endpoint === 'tickers');
    const active = tickers.filter((c) => c.symbols?.includes('ACTVUSDT')).length;
    expect(tickers.length).toBeGreaterThanOrEqual(59);
    expect(active).toBeGreaterThanOrEqual(4);
    expect(active).toBeLessThanOrEqual(7);
  });

  it('coalesces every due position of every account into one ticker call per tick', async () => {
    const { clock, ex, make } = setup(['a', 'b', 'c']);
    for (const acc of ['a', 'b', 'c']) {
      for (let i = 0; i < 20; i++) ex.add(position({ account: acc, symbol: `C${i}USDT`, ...TIER_SHAPES.CRITICAL }));
    }
    const m = make();
    m.start();
    await run(clock, 10_000);
    expect(m.tierCounts().CRITICAL).toBe(60);
    const tickers = ex.calls.filter((c) => c.endpoint === 'tickers');
    // one call per critical interval (scheduled 50 ms early), each carrying all 20 symbols
    expect(tickers.length).toBeGreaterThanOrEqual(10);
    expect(tickers.length).toBeLessThanOrEqual(12);
    for (const t of tickers) expect(t.symbols).toHaveLength(20);
    const instants = new Set(tickers.map((t) => t.at));
    expect(instants.size).toBe(tickers.length);
  });
});

describe('Monitor: first read', () => {
  it('firstRead resolves once every account was read, or failed, once; or at its timeout', async () => {
    const { clock, ex, make } = setup(['main', 'mirror1'], {}, 100);
    ex.add(position({ account: 'main', symbol: 'BTCUSDT', ...TIER_SHAPES.STABLE }));
    ex.failing.add('mirror1');
    const m = make();
    m.start();
    let done = false;
    void m.firstRead(5_000).then(() => {
      done = true;
    });
    await run(clock, 50);
    expect(done).toBe(false); // reads take 100 ms
    await run(clock, 200);
    expect(done).toBe(true);
    expect(m.positions().map((p) => p.symbol)).toEqual(['BTCUSDT']);

    const slow = setup(['main'], {}, 2_000);
    const s = slow.make();
    s.start();
    let gaveUp = false;
    void s.firstRead(1_000).then(() => {
      gaveUp = true;
    });
    await run(slow.clock, 1_100);
    expect(gaveUp).toBe(true); // the read takes 2 s; the wait ends at 1 s
    await run(slow.clock, 2_000); // let the read finish so the monitor stops cleanly
  });
});

describe('Monitor: a slow price endpoint', () => {
  it('a hung ticker read does not hold back the next critical check', async () => {
    const { clock, ex, make } = setup(['main'], { tickerScope: 'due' }, 100);
    ex.add(position({ account: 'main', symbol: 'CRITUSDT', ...TIER_SHAPES.CRITICAL }));
    const m = make();
    m.start();
    await run(clock, 5_000);
    ex.tickerLatencyMs = 8_000; // each price read now hangs for 8 s
    const from = clock.now();
    await run(clock, 10_000);
    const starts = ex.calls.filter((c) => c.endpoint === 'tickers' && c.at >= from).map((c) => c.at);
    // A new price read still starts every critical interval, however long the earlier ones hang.
    expect(starts.length).toBeGreaterThanOrEqual(9);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeLessThanOrEqual(1000);
    ex.tickerLatencyMs = null;
    await run(clock, 12_000);
    expect(m.tierCounts().CRITICAL).toBe(1);
  });
});

describe('Monitor: a held price read', () => {
  it('is hedged: a second read goes out, so a held read does not cost a critical check', async () => {
    const { clock, ex, make } = setup(['main'], { tickerScope: 'due' }, 100);
    ex.add(position({ account: 'main', symbol: 'CRITUSDT', ...TIER_SHAPES.CRITICAL }));
    const m = make();
    m.start();
    await run(clock, 5_000);
    const from = clock.now();
    const firstHeld = ex.calls.filter((c) => c.endpoint === 'tickers').length;
    ex.tickerHeld = (i) => (i >= firstHeld && i % 3 === 0 ? 8_000 : null); // every third read held 8 s
    await run(clock, 30_000);
    const ticker = ex.calls.filter((c) => c.endpoint === 'tickers' && c.at >= from);
    // Each held read is followed by a hedge well inside the critical interval...
    const gaps = ticker.slice(1).map((c, i) => c.at - ticker[i]!.at);
    expect(gaps.filter((g) => g < 600).length).toBeGreaterThanOrEqual(8);
    // ...so prices keep arriving at the critical cadence: the achieved gap stays near one interval.
    expect(m.computeStats().cadence.CRITICAL.p99GapMs).toBeLessThanOrEqual(1_000 + 500 + 100);
    // A read that answers in time is not hedged: about one read per second plus one per held read.
    expect(ticker.length).toBeLessThanOrEqual(30 + 12);
    ex.tickerHeld = null;
    await run(clock, 10_000); // the last held reads answer: the monitor stops cleanly
  });
});

describe('Monitor: critical-only mode', () => {
  it('pauses every tier but CRITICAL and keeps CRITICAL at its cadence', async () => {
    const { clock, ex, make } = setup(['crit', 'calm']);
    ex.add(position({ account: 'crit', symbol: 'CRITUSDT', ...TIER_SHAPES.CRITICAL }));
    ex.add(position({ account: 'calm', symbol: 'URGUSDT', ...TIER_SHAPES.URGENT }));
    ex.add(position({ account: 'calm', symbol: 'ACTUSDT', lastActivityAt: NOW0 + 3_600_000 }));
    const m = make();
    m.start();
    await run(clock, 5000);
    m.setMode('critical-only');
    const mark = ex.calls.length;
    await run(clock, 30_000);
    const during = ex.calls.slice(mark);
    expect(during.filter((c) => c.account === 'calm')).toHaveLength(0);
    expect(during.filter((c) => c.endpoint === 'orders')).toHaveLength(0);
    expect(during.filter((c) => c.endpoint === 'tickers').length).toBeGreaterThanOrEqual(30);
    expect(during.filter((c) => c.endpoint === 'positions' && c.account === 'crit').length).toBeGreaterThan(0);
    expect(m.computeStats().guardMode).toBe('critical-only');
    expect(m.computeStats().cadence.CRITICAL.p99GapMs as number).toBeLessThanOrEqual(1000);

    m.setMode('normal');
    const back = ex.calls.length;
    await run(clock, 5000);
    expect(
      ex.calls.slice(back).filter((c) => c.account === 'calm' && c.endpoint === 'positions').length,
    ).toBeGreaterThan(0);
  });

  it('still handles an SL crossing during critical-only mode', async () => {
    const { clock, ex, make, of } = setup(['main']);
    ex.add(position({ account: 'main', symbol: 'CRITUSDT', ...TIER_SHAPES.CRITICAL }));
    ex.add(position({ account: 'main', symbol: 'URGUSDT', ...TIER_SHAPES.URGENT }));
    const m = make();
    m.start();
    await run(clock, 3000);
    m.setMode('critical-only');
    ex.setPrice('URGUSDT', 97); // gap through the SL at 98
    await run(clock, 2000);
    expect(of('sl-hit').map((e) => e.symbol)).toEqual(['URGUSDT']);
    expect(of('position-closed')).toMatchObject([{ symbol: 'URGUSDT', reason: 'sl' }]);
  });
});

describe('Monitor: fault containment', () => {
  it('a failing account keeps its last state, shows in stats, and does not stop the others', async () => {
    const { clock, ex, make, of } = setup(['good', 'bad']);
    ex.add(position({ account: 'good', symbol: 'GOODUSDT', ...TIER_SHAPES.URGENT }));
    ex.add(position({ account: 'bad', symbol: 'BADUSDT', ...TIER_SHAPES.URGENT }));
    const m = make();
    m.start();
    await run(clock, 3000);
    ex.failing.add('bad');
    ex.update('good', 'GOODUSDT', { size: 2 });
    await run(clock, 20_000);
    expect(of('position-resized')).toMatchObject([{ account: 'good', toSize: 2 }]);
    expect(m.positions('bad')).toMatchObject([{ symbol: 'BADUSDT', size: 1 }]);
    expect(of('position-closed')).toHaveLength(0);
    const health = m.accountHealth().find((h) => h.account === 'bad');
    expect(health?.consecutiveFailures).toBeGreaterThan(0);
    expect(health?.lastError).toMatch(/unavailable/);
    const stats = m.computeStats();
    expect(stats.callsPerSecByEndpoint.failed).toBeGreaterThan(0);
    // prices still flow for the failing account's positions (tickers are public)
    ex.setPrice('BADUSDT', 98.9);
    await run(clock, 6000);
    expect(m.positions('bad')[0]?.tier).toBe('CRITICAL');

    ex.failing.delete('bad');
    await run(clock, 6000);
    expect(m.accountHealth().find((h) => h.account === 'bad')?.consecutiveFailures).toBe(0);
  });

  it('a throwing bus subscriber or cache hook does not stop monitoring', async () => {
    const { clock, ex, bus, make } = setup(['main']);
    bus.subscribe(() => {
      throw new Error('subscriber bug');
    });
    ex.add(position({ account: 'main', symbol: 'BTCUSDT', ...TIER_SHAPES.CRITICAL }));
    const m = make({
      onPositions: () => {
        throw new Error('cache bug');
      },
    });
    m.start();
    await run(clock, 5000);
    expect(ex.count('tickers')).toBeGreaterThanOrEqual(5);
    expect(m.positions()).toHaveLength(1);
  });

  it('publishes stats every few seconds, counted from calls made', async () => {
    const { clock, ex, make, of } = setup(['main']);
    ex.add(position({ account: 'main', symbol: 'BTCUSDT', ...TIER_SHAPES.CRITICAL }));
    const m = make();
    m.start();
    await run(clock, 20_000);
    const stats = of('stats');
    expect(stats.length).toBeGreaterThanOrEqual(3);
    const last = stats.at(-1)?.stats;
    expect(last?.callsPerSecByAccount.public).toBeCloseTo(ex.count('tickers') / 20, 0);
    expect(last?.naiveCallsPerSec).toBe(0.4);
    expect(last?.positions).toBe(1);
    expect(m.latest()).toEqual(last);
  });

  it('stops cleanly: no calls after stop()', async () => {
    const { clock, ex, make } = setup(['main']);
    ex.add(position({ account: 'main', symbol: 'BTCUSDT', ...TIER_SHAPES.CRITICAL }));
    const m = make();
    m.start();
    await run(clock, 3000);
    await m.stop();
    const n = ex.calls.length;
    await run(clock, 10_000);
    expect(ex.calls.length).toBe(n);
    expect(clock.pendingSleepers).toBe(0);
  });
});

describe('Monitor: markOf', () => {
  it('is the latest mark heard for a symbol and when, null for one not held', async () => {
    const { clock, ex, make } = setup(['main', 'mirror1']);
    ex.add(position({ account: 'main', symbol: 'CRITUSDT', ...TIER_SHAPES.CRITICAL }));
    ex.add(position({ account: 'mirror1', symbol: 'CRITUSDT', ...TIER_SHAPES.CRITICAL }));
    const m = make();
    m.start();
    await run(clock, 3_000);
    ex.setPrice('CRITUSDT', 101.5);
    await run(clock, 2_000);
    const heard = m.markOf('CRITUSDT');
    expect(heard?.price).toBe(101.5);
    expect(heard?.at).toBeGreaterThan(clock.now() - 2_000);
    expect(m.markOf('NONEUSDT')).toBeNull();
  });
});
