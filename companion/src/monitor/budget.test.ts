import { afterEach, describe, expect, it } from 'vitest';
import { FakeExchange } from '../../test-support/fake-exchange.ts';
import { account, NOW0, position, recordBus, run, TIER_SHAPES } from '../../test-support/monitor.ts';
import { ManualClock } from '../core/clock.ts';
import { checkBudget, type Load, projectCallsPerSec } from './budget.ts';
import { DEFAULT_PROFILES, MonitorConfig } from './config.ts';
import { Monitor } from './monitor.ts';
import { effectiveIntervals, selectProfile } from './profiles.ts';

const cfg = MonitorConfig.parse({});
const extreme = selectProfile(cfg.profiles, 400);

const load = (accounts: number, positions = 400): Load => ({
  mostUrgent: 'CRITICAL',
  accounts: Array.from({ length: accounts }, () => ({ positions, mostUrgent: 'CRITICAL' as const, hasBuilding: true })),
});

describe('profiles', () => {
  it.each([
    [0, 'small'],
    [24, 'small'],
    [25, 'medium'],
    [99, 'medium'],
    [100, 'large'],
    [399, 'large'],
    [400, 'extreme'],
    [4000, 'extreme'],
  ])('%i positions → %s', (n, name) => {
    expect(selectProfile(DEFAULT_PROFILES, n).name).toBe(name);
  });

  it('never stretches CRITICAL', () => {
    const iv = effectiveIntervals(extreme, cfg, 3);
    expect(iv.tiers.CRITICAL).toBe(1000);
    expect(iv.tiers.URGENT).toBe(15_000);
    expect(iv.stateRefreshMinMs).toBe(15_000);
  });
});

describe('budget check', () => {
  it('projects the design rates: 400 positions on one account, 4,000 over ten', () => {
    const iv = effectiveIntervals(extreme, cfg);
    // 1 ticker/s + 2 position pages every 5 s + one order page a minute
    expect(projectCallsPerSec(load(1), iv, cfg)).toBeCloseTo(1 + 0.4 + 1 / 60, 3);
    expect(projectCallsPerSec(load(10), iv, cfg)).toBeCloseTo(1 + 4 + 10 / 60, 3);
  });

  it('does not stretch within budget', () => {
    const d = checkBudget(load(10), extreme, cfg);
    expect(d.stretched).toBe(false);
    expect(d.intervals.stretch).toBe(1);
  });

  it('stretches the slower tiers just enough when over budget, never CRITICAL', () => {
    const tight = MonitorConfig.parse({ budget: { exchangeCallsPerSec: 10, share: 0.3 } }); // 3 calls/s
    const d = checkBudget(load(10), extreme, tight);
    expect(d.stretched).toBe(true);
    expect(d.projectedCallsPerSec).toBeLessThanOrEqual(3);
    expect(d.projectedCallsPerSec).toBeGreaterThan(2.9);
    expect(d.intervals.tiers.CRITICAL).toBe(1000);
    expect(d.intervals.tiers.URGENT).toBeGreaterThan(5000);
  });

  it('stops at maxStretch when even that does not fit', () => {
    const impossible = MonitorConfig.parse({ budget: { exchangeCallsPerSec: 1, share: 0.5, maxStretch: 4 } });
    const d = checkBudget(load(10), extreme, impossible);
    expect(d.stretched).toBe(true);
    expect(d.intervals.stretch).toBe(4);
  });
});

describe('Monitor budget stretch', () => {
  let m: Monitor | null = null;
  afterEach(async () => m?.stop());

  it('stretches and says so in stats when the projected rate exceeds its share', async () => {
    const clock = new ManualClock(NOW0);
    const ex = new FakeExchange({ clock });
    const names = ['a', 'b', 'c', 'd'];
    for (const n of names) {
      ex.add(position({ account: n, symbol: 'CRITUSDT', ...TIER_SHAPES.CRITICAL }));
      ex.add(position({ account: n, symbol: 'URGUSDT', ...TIER_SHAPES.URGENT }));
    }
    const { bus, of } = recordBus();
    m = new Monitor({
      clients: names.map((n) => ex.client(account(n))),
      market: ex.market(),
      bus,
      clock,
      config: MonitorConfig.parse({ budget: { exchangeCallsPerSec: 10, share: 0.2 } }), // 2 calls/s for 4 accounts
    });
    m.start();
    await run(clock, 65_000);
    const stats = m.latest();
    expect(stats?.stretched).toBe(true);
    expect(of('stats').at(-1)?.stats.stretched).toBe(true);
    expect(stats?.cadence.CRITICAL.intervalMs).toBe(1000);
    expect(stats?.cadence.URGENT.intervalMs).toBeGreaterThan(2000);
    expect(stats?.cadence.CRITICAL.p99GapMs as number).toBeLessThanOrEqual(1000);
    expect(stats?.callsPerSec as number).toBeLessThanOrEqual(2.05);
  });
});
