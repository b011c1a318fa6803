import { afterEach, describe, expect, it } from 'vitest';
import {
  account,
  entryOrder,
  monitorRig,
  position,
  run,
  stopMonitors,
  TIER_SHAPES,
} from '../../test-support/monitor.ts';
import type { MonitorConfigInput } from './config.ts';
import type { MonitorOptions } from './monitor.ts';

afterEach(stopMonitors);

function setup(
  config: MonitorConfigInput = {},
  latencyMs = 0,
  accs = [account('main')],
  extra: Partial<MonitorOptions> = {},
) {
  const rig = monitorRig(accs, config, latencyMs);
  return { ...rig, m: rig.make(extra) };
}

describe('Monitor: detection', () => {
  it('publishes tier-changed and critical when a price moves into CRITICAL', async () => {
    const { clock, ex, m, of } = setup();
    ex.add(position({ account: 'main', symbol: 'BTCUSDT', ...TIER_SHAPES.URGENT }));
    m.start();
    await run(clock, 2000);
    // Found by the first read: its tier is in every snapshot, not announced as a change.
    expect(of('tier-changed')).toEqual([]);
    ex.setPrice('BTCUSDT', 98.9);
    await run(clock, 3000);
    expect(of('tier-changed').at(-1)).toMatchObject({ from: 'URGENT', to: 'CRITICAL' });
    expect(of('critical')).toMatchObject([{ reason: 'near-sl', position: { symbol: 'BTCUSDT', tier: 'CRITICAL' } }]);
  });

  it('a price wobbling across 1% raises one critical and one tier change (hysteresis), and leaves past 1.25%', async () => {
    const { clock, ex, m, of } = setup();
    ex.add(position({ account: 'main', symbol: 'BTCUSDT', markPrice: 91, stopLoss: 90 }));
    m.start();
    await run(clock, 2000);
    // SL distance (mark - 90) / mark: 0.99%, 1.15%, 0.99%, 1.21%, 0.99%; then 1.64%.
    for (const price of [90.9, 91.05, 90.9, 91.1, 90.9]) {
      ex.setPrice('BTCUSDT', price);
      await run(clock, 3000);
    }
    expect(of('critical')).toHaveLength(1);
    expect(of('tier-changed').map((e) => e.to)).toEqual(['CRITICAL']);
    ex.setPrice('BTCUSDT', 91.5);
    await run(clock, 3000);
    expect(of('tier-changed').map((e) => e.to)).toEqual(['CRITICAL', 'URGENT']);
  });

  it('a position opened after the first read is announced with from: null', async () => {
    const { clock, ex, m, of } = setup();
    ex.add(position({ account: 'main', symbol: 'BTCUSDT', ...TIER_SHAPES.STABLE }));
    m.start();
    await run(clock, 2000);
    ex.add(position({ account: 'main', symbol: 'ETHUSDT', ...TIER_SHAPES.URGENT }));
    await run(clock, 65_000); // the next discovery read finds it
    expect(of('tier-changed')).toMatchObject([{ symbol: 'ETHUSDT', from: null, to: 'URGENT' }]);
  });

  it('detects an SL hit from the ticker, confirms with an immediate read, reports the close', async () => {
    const { clock, ex, m, of } = setup({}, 100);
    ex.add(position({ account: 'main', symbol: 'BTCUSDT', ...TIER_SHAPES.CRITICAL }));
    m.start();
    await run(clock, 5000);
    const readsBefore = ex.count('positions');
    ex.setPrice('BTCUSDT', 99.4);
    m.notePricePushed('BTCUSDT');
    await run(clock, 1500);
    expect(of('sl-hit')).toMatchObject([{ symbol: 'BTCUSDT', price: 99.4, level: 99.5 }]);
    expect(of('position-closed')).toMatchObject([{ symbol: 'BTCUSDT', reason: 'sl' }]);
    expect(ex.count('positions')).toBeGreaterThan(readsBefore);
    const detection = m.computeStats().detectionP99Ms;
    expect(detection).not.toBeNull();
    expect(detection as number).toBeLessThanOrEqual(1500);
    expect(m.positions()).toHaveLength(0);
  });

  it('detects a TP hit the same way', async () => {
    const { clock, ex, m, of } = setup();
    ex.add(position({ account: 'main', symbol: 'BTCUSDT', takeProfit: 100.5 }));
    m.start();
    await run(clock, 2000);
    ex.setPrice('BTCUSDT', 100.6);
    await run(clock, 2000);
    expect(of('tp-hit')).toMatchObject([{ symbol: 'BTCUSDT', level: 100.5 }]);
    expect(of('position-closed')).toMatchObject([{ reason: 'tp' }]);
  });

  it('catches a gap across the SL of a calm position within one critical interval (held scope)', async () => {
    const { clock, ex, m, of } = setup({}, 100);
    ex.add(position({ account: 'main', symbol: 'CRITUSDT', ...TIER_SHAPES.CRITICAL }));
    ex.add(position({ account: 'main', symbol: 'DORMUSDT', ...TIER_SHAPES.DORMANT }));
    m.start();
    await run(clock, 5000);
    ex.autoTrigger = false;
    ex.setPrice('DORMUSDT', 79);
    m.notePricePushed('DORMUSDT');
    await run(clock, 1200);
    expect(of('sl-hit')).toMatchObject([{ symbol: 'DORMUSDT' }]);
    expect(m.computeStats().detectionP99Ms as number).toBeLessThanOrEqual(1200);
    // the crossing is reported once, not on every price that stays past the level
    await run(clock, 5000);
    expect(of('sl-hit')).toHaveLength(1);
  });

  it('reports resizes and closes seen on a position read', async () => {
    const { clock, ex, m, of } = setup();
    ex.add(position({ account: 'main', symbol: 'BTCUSDT', ...TIER_SHAPES.URGENT }));
    ex.add(position({ account: 'main', symbol: 'ETHUSDT', ...TIER_SHAPES.URGENT }));
    m.start();
    await run(clock, 2000);
    ex.update('main', 'BTCUSDT', { size: 3 });
    ex.remove('main', 'ETHUSDT');
    await run(clock, 5000);
    expect(of('position-resized')).toMatchObject([{ symbol: 'BTCUSDT', fromSize: 1, toSize: 3 }]);
    expect(of('position-closed')).toMatchObject([{ symbol: 'ETHUSDT', reason: 'unknown' }]);
    // a resize is activity: the position is now ACTIVE unless a level is near
    expect(m.positions().find((p) => p.symbol === 'BTCUSDT')?.size).toBe(3);
  });

  it('alerts once on a missing SL by default and never writes to the exchange', async () => {
    const { clock, ex, m, of } = setup();
    ex.add(position({ account: 'main', symbol: 'BTCUSDT', stopLoss: null }));
    m.start();
    await run(clock, 30_000);
    expect(of('missing-sl')).toMatchObject([{ symbol: 'BTCUSDT', action: 'alerted' }]);
    expect(ex.count('setTradingStop')).toBe(0);
    expect(m.positions()[0]?.flags).toContain('NO_SL');
  });

  it('re-places a removed SL at its last level when configured', async () => {
    const { clock, ex, m, of } = setup({ missingSl: { replace: true } });
    ex.add(position({ account: 'main', symbol: 'BTCUSDT', stopLoss: 90 }));
    m.start();
    await run(clock, 2000);
    ex.update('main', 'BTCUSDT', { stopLoss: null });
    await run(clock, 70_000);
    expect(of('missing-sl')).toMatchObject([{ symbol: 'BTCUSDT', action: 'replaced' }]);
    expect(ex.calls.filter((c) => c.endpoint === 'setTradingStop')).toMatchObject([
      { account: 'main', lane: 'critical' },
    ]);
    expect(m.positions()[0]?.stopLoss).toBe(90);
  });

  it('re-places a never-seen SL at the fallback distance, on the tick', async () => {
    const { clock, ex, m, of } = setup({ missingSl: { replace: true, fallbackDistancePct: 2 } });
    ex.add(
      position({
        account: 'main',
        symbol: 'BTCUSDT',
        side: 'short',
        stopLoss: null,
        takeProfit: 80,
        markPrice: 100.003,
      }),
    );
    m.start();
    await run(clock, 5000);
    expect(of('missing-sl')).toMatchObject([{ action: 'replaced' }]);
    expect(m.positions()[0]?.stopLoss).toBe(102.01);
  });

  it('alerts on mirror drift when a main position closes and its mirror stays open', async () => {
    const accs = [account('main'), account('copy', { role: 'mirror', mirrorOf: 'main' })];
    const { clock, ex, m, of } = setup({}, 0, accs);
    ex.add(position({ account: 'main', symbol: 'BTCUSDT', ...TIER_SHAPES.URGENT }));
    ex.add(position({ account: 'copy', symbol: 'BTCUSDT', ...TIER_SHAPES.URGENT }));
    m.start();
    await run(clock, 2000);
    ex.remove('main', 'BTCUSDT');
    await run(clock, 10_000);
    expect(of('mirror-drift')).toMatchObject([{ main: 'main', mirror: 'copy', symbol: 'BTCUSDT', action: 'alerted' }]);
    expect(ex.count('closePosition')).toBe(0);
  });

  it('closes the mirror when configured', async () => {
    const accs = [account('main'), account('copy', { role: 'mirror', mirrorOf: 'main' })];
    const { clock, ex, m, of } = setup({ mirror: { closeOnMainClose: true } }, 0, accs);
    ex.add(position({ account: 'main', symbol: 'BTCUSDT', ...TIER_SHAPES.URGENT }));
    ex.add(position({ account: 'copy', symbol: 'BTCUSDT', ...TIER_SHAPES.URGENT }));
    m.start();
    await run(clock, 2000);
    ex.remove('main', 'BTCUSDT');
    await run(clock, 10_000);
    expect(of('mirror-drift')).toMatchObject([{ mirror: 'copy', action: 'closed' }]);
    expect(ex.count('closePosition', 'copy')).toBe(1);
    expect(m.positions('copy')).toHaveLength(0);
  });

  it('no drift when the mirror closed too', async () => {
    const accs = [account('main'), account('copy', { role: 'mirror', mirrorOf: 'main' })];
    const { clock, ex, m, of } = setup({}, 0, accs);
    ex.add(position({ account: 'main', symbol: 'BTCUSDT', ...TIER_SHAPES.URGENT }));
    ex.add(position({ account: 'copy', symbol: 'BTCUSDT', ...TIER_SHAPES.URGENT }));
    m.start();
    await run(clock, 2000);
    ex.remove('main', 'BTCUSDT');
    ex.remove('copy', 'BTCUSDT');
    await run(clock, 10_000);
    expect(of('mirror-drift')).toHaveLength(0);
  });

  it('turns positions with pending entry orders BUILDING and feeds the cache hooks', async () => {
    const seen: string[] = [];
    const { clock, ex, m } = setup({}, 0, [account('main')], {
      onPositions: (acc, ps) => seen.push(`positions:${acc}:${ps.length}`),
      onOrders: (acc, os) => seen.push(`orders:${acc}:${os.length}`),
    });
    ex.add(position({ account: 'main', symbol: 'BTCUSDT', ...TIER_SHAPES.DORMANT }));
    ex.orders.set('main', [entryOrder('main', 'BTCUSDT')]);
    m.start();
    await run(clock, 1000);
    expect(m.tierCounts()).toMatchObject({ BUILDING: 1 });
    expect(seen).toContain('positions:main:1');
    expect(seen).toContain('orders:main:1');
    expect(m.classifyNow(position({ account: 'main', symbol: 'BTCUSDT', ...TIER_SHAPES.DORMANT })).tier).toBe(
      'BUILDING',
    );
  });
});

describe('Monitor: odd positions are flagged, not mistaken', () => {
  it('a position on a symbol missing from the instruments is served URGENT, flagged UNKNOWN_INSTRUMENT', async () => {
    const { clock, ex, m } = setup();
    ex.unknownInstruments.add('GONEUSDT');
    ex.add(position({ account: 'main', symbol: 'GONEUSDT', ...TIER_SHAPES.ACTIVE }));
    ex.add(position({ account: 'main', symbol: 'BTCUSDT', ...TIER_SHAPES.ACTIVE }));
    m.start();
    await run(clock, 2000);
    const bySymbol = new Map(m.positions().map((p) => [p.symbol, p]));
    expect(bySymbol.get('GONEUSDT')).toMatchObject({ tier: 'URGENT', flags: ['UNKNOWN_INSTRUMENT'] });
    expect(bySymbol.get('BTCUSDT')).toMatchObject({ tier: 'ACTIVE', flags: [] });
    // the API's own reads are classified the same way
    const fetched = position({ account: 'main', symbol: 'GONEUSDT', ...TIER_SHAPES.ACTIVE });
    expect(m.classifyNow(fetched).flags).toEqual(['UNKNOWN_INSTRUMENT']);
  });

  it('a long with its TP below its SL is URGENT, flagged; prices across both raise no tp-hit, sl-hit or critical', async () => {
    const { clock, ex, m, of } = setup();
    ex.autoTrigger = false; // the fake would "trigger" one of them at any price
    ex.add(position({ account: 'main', symbol: 'BTCUSDT', takeProfit: 99, stopLoss: 101 }));
    m.start();
    await run(clock, 2000);
    expect(m.positions()[0]).toMatchObject({
      tier: 'URGENT',
      flags: ['LEVELS_INVERTED'],
      distanceToTpPct: null,
      distanceToSlPct: null,
    });
    for (const price of [98, 100, 102, 99, 101, 100.5]) {
      ex.setPrice('BTCUSDT', price);
      await run(clock, 3000);
    }
    expect([...of('tp-hit'), ...of('sl-hit'), ...of('critical')]).toEqual([]);
    expect(m.positions()[0]?.tier).toBe('URGENT');
    expect(ex.count('tickers')).toBeGreaterThanOrEqual(6);
  });
});

describe('Monitor: liquidation before stop-loss', () => {
  it('announces a position whose SL becomes unreachable, once; not those found so at start', async () => {
    const { clock, ex, m, of } = setup();
    // Found so by the first read: flagged in every snapshot, not announced.
    ex.add(position({ account: 'main', symbol: 'BTCUSDT', stopLoss: 80, liquidationPrice: 85 }));
    ex.add(position({ account: 'main', symbol: 'ETHUSDT', stopLoss: 80, liquidationPrice: 75 }));
    m.start();
    await run(clock, 2000);
    expect(of('liquidation-before-sl')).toEqual([]);
    expect(m.positions().find((p) => p.symbol === 'BTCUSDT')).toMatchObject({ flags: ['LIQ_BEFORE_SL'] });
    // More leverage: ETHUSDT's liquidation moves above its SL.
    ex.update('main', 'ETHUSDT', { liquidationPrice: 82, leverage: 25 });
    await run(clock, 65_000);
    expect(of('liquidation-before-sl')).toMatchObject([
      { position: { symbol: 'ETHUSDT', liquidationPrice: 82, stopLoss: 80, tier: 'URGENT', flags: ['LIQ_BEFORE_SL'] } },
    ]);
  });
});
