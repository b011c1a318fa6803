import type { Position, Tier } from '@tierwatch/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeExchange } from '../../test-support/fake-exchange.ts';
import { account, entryOrder, NOW0, position, recordBus, run, TIER_SHAPES } from '../../test-support/monitor.ts';
import { ManualClock } from '../core/clock.ts';
import { Monitor } from './monitor.ts';

/**
 * The budget targets, previewed on fakes with 100 ms latency and manual time (the real figures
 * come from `pnpm bench monitor` against the paper exchange). The tier mix is the seed's: 5 critical,
 * 15 urgent, 30 active, 80 building, 150 stable, 120 dormant per 400 positions.
 */

const MIX: [Tier, number][] = [
  ['CRITICAL', 5],
  ['URGENT', 15],
  ['ACTIVE', 30],
  ['BUILDING', 80],
  ['STABLE', 150],
  ['DORMANT', 120],
];

function seedAccount(ex: FakeExchange, name: string): void {
  let i = 0;
  const orders = [];
  for (const [tier, n] of MIX) {
    for (let k = 0; k < n; k++, i++) {
      // 100 symbols shared by every account, two sides: positions are unique per account/symbol/side
      const symbol = `S${i % 200}USDT`;
      const side = i < 200 ? 'long' : 'short';
      const shape: Partial<Position> =
        tier === 'BUILDING' ? TIER_SHAPES.DORMANT : ((TIER_SHAPES as Record<string, Partial<Position>>)[tier] ?? {});
      const p = position({ account: name, symbol, ...shape, side });
      if (side === 'short') {
        // mirror the levels for shorts
        Object.assign(p, { takeProfit: 80, stopLoss: tier === 'CRITICAL' ? 100.5 : tier === 'URGENT' ? 102 : 120 });
      }
      ex.add(p);
      if (tier === 'BUILDING')
        orders.push({
          ...entryOrder(name, symbol),
          side: side === 'long' ? ('buy' as const) : ('sell' as const),
          id: `o${i}`,
        });
    }
  }
  ex.orders.set(name, orders);
}

let monitors: { m: Monitor; clock: ManualClock }[] = [];
afterEach(async () => {
  // Reads still in flight sleep on the manual clock: keep it moving until every monitor has stopped.
  for (const { m, clock } of monitors) {
    let done = false;
    const stopping = m.stop().then(() => {
      done = true;
    });
    while (!done) await clock.advance(100);
    await stopping;
  }
  monitors = [];
});

async function measure(accounts: number, minutes = 5) {
  const clock = new ManualClock(NOW0);
  const ex = new FakeExchange({ clock, latencyMs: 100 });
  const { bus } = recordBus();
  const names = Array.from({ length: accounts }, (_, i) => `acct${i}`);
  for (const n of names) seedAccount(ex, n);
  const m = new Monitor({ clients: names.map((n) => ex.client(account(n))), market: ex.market(), bus, clock });
  monitors.push({ m, clock });
  m.start();
  await run(clock, 60_000, 50); // warm-up: first reads, tiers settle
  const from = ex.calls.length;
  await run(clock, minutes * 60_000, 50);
  const calls = ex.calls.slice(from);
  const seconds = minutes * 60;
  const perAccount = calls.filter((c) => c.account === 'acct0').length / seconds;
  const out = { m, calls, callsPerSec: calls.length / seconds, perAccount, stats: m.computeStats() };
  if (process.env.MONITOR_SCALE_LOG)
    console.log(
      JSON.stringify({
        accounts,
        callsPerSec: out.callsPerSec,
        perAccount,
        byEndpoint: out.stats.callsPerSecByEndpoint,
        reduction: out.stats.reductionVsNaive,
        cadence: out.stats.cadence,
        detection: out.stats.detectionP99Ms,
      }),
    );
  return out;
}

describe('Monitor at scale (fakes, 100 ms latency)', () => {
  it('400 positions on one account: ≤ 3.2 calls/s, CRITICAL within 1 s', async () => {
    const r = await measure(1);
    expect(r.stats.positions).toBe(400);
    expect(r.stats.profile).toBe('extreme');
    expect(r.stats.tierCounts).toMatchObject({
      CRITICAL: 5,
      URGENT: 15,
      ACTIVE: 30,
      BUILDING: 80,
      STABLE: 150,
      DORMANT: 120,
    });
    expect(r.callsPerSec).toBeLessThanOrEqual(3.2);
    expect(r.stats.callsPerSec).toBeLessThanOrEqual(3.2);
    expect(r.stats.reductionVsNaive as number).toBeGreaterThanOrEqual(0.98);
    expect(r.stats.cadence.CRITICAL.p99GapMs as number).toBeLessThanOrEqual(1000);
    expect(r.stats.stretched).toBe(false);
  }, 60_000);

  it('4,000 positions over 10 accounts: ≥ 99% fewer calls than naive, no more per account than at 400', async () => {
    const one = await measure(1, 2);
    const ten = await measure(10, 2);
    expect(ten.stats.positions).toBe(4000);
    expect(1 - ten.callsPerSec / 1600).toBeGreaterThanOrEqual(0.99);
    expect(ten.stats.reductionVsNaive as number).toBeGreaterThanOrEqual(0.99);
    expect(ten.perAccount).toBeLessThanOrEqual(one.perAccount + 0.01);
    expect(ten.stats.cadence.CRITICAL.p99GapMs as number).toBeLessThanOrEqual(1000);
  }, 120_000);
});
