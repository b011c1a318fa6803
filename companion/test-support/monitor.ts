import type { Account, BusEvent, Order, Position } from '@tierwatch/shared';
import { EventBus } from '../src/core/bus.ts';
import { flushMicrotasks, ManualClock } from '../src/core/clock.ts';
import { MonitorConfig, type MonitorConfigInput } from '../src/monitor/config.ts';
import { Monitor, type MonitorOptions } from '../src/monitor/monitor.ts';
import { FakeExchange } from './fake-exchange.ts';

// Fixtures for the monitor's suites: accounts, positions in each tier, and a monitor on the fake exchange.

export { paperAccount as account } from './fake-exchange.ts';

export const NOW0 = 1_700_000_000_000;

export const position = (o: Partial<Position> & Pick<Position, 'account' | 'symbol'>): Position => ({
  side: 'long',
  size: 1,
  entryPrice: 100,
  markPrice: 100,
  takeProfit: 120,
  stopLoss: 80,
  liquidationPrice: null,
  unrealisedPnl: 0,
  leverage: 10,
  positionValue: 100,
  lastActivityAt: NOW0 - 3_600_000,
  ...o,
});

/** Levels that make a fresh long at mark 100 land in `tier` (no entry orders needed except BUILDING). */
export const TIER_SHAPES = {
  CRITICAL: { stopLoss: 99.5 },
  URGENT: { stopLoss: 98 },
  ACTIVE: { lastActivityAt: NOW0 - 60_000 },
  STABLE: { lastActivityAt: NOW0 - 15 * 60_000 },
  DORMANT: { lastActivityAt: NOW0 - 60 * 60_000 },
} as const;

export const entryOrder = (account: string, symbol: string): Order => ({
  account,
  id: `o-${symbol}`,
  clientOrderId: null,
  symbol,
  side: 'buy',
  type: 'limit',
  price: 95,
  qty: 1,
  filledQty: 0,
  reduceOnly: false,
  status: 'open',
  takeProfit: null,
  stopLoss: null,
  createdAt: NOW0,
});

export function recordBus(): {
  bus: EventBus;
  events: BusEvent[];
  of: <T extends BusEvent['type']>(t: T) => Extract<BusEvent, { type: T }>[];
} {
  const bus = new EventBus();
  const events: BusEvent[] = [];
  bus.subscribe((e) => events.push(e));
  return { bus, events, of: (t) => events.filter((e) => e.type === t) as never };
}

/** Advance a manual clock in small steps so every tick, read and wake-up runs at its own time. */
export async function run(clock: ManualClock, ms: number, step = 10): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    await clock.advance(Math.min(step, ms - t));
    await flushMicrotasks(50);
  }
}

const started: Monitor[] = [];

/**
 * A manual clock, the fake exchange and a recording bus; `make` builds a monitor on them. Every monitor made
 * is stopped by `stopMonitors()` (the suites' afterEach).
 */
export function monitorRig(accounts: readonly Account[], config: MonitorConfigInput = {}, latencyMs = 0) {
  const clock = new ManualClock(NOW0);
  const ex = new FakeExchange({ clock, latencyMs });
  const rec = recordBus();
  const make = (extra: Partial<MonitorOptions> = {}) => {
    const m = new Monitor({
      clients: accounts.map((a) => ex.client(a)),
      market: ex.market(),
      bus: rec.bus,
      clock,
      config: MonitorConfig.parse(config),
      ...extra,
    });
    started.push(m);
    return m;
  };
  return { clock, ex, ...rec, make };
}

export async function stopMonitors(): Promise<void> {
  await Promise.all(started.splice(0).map((m) => m.stop()));
}
