import type { CloseReason } from '@tierwatch/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { account, monitorRig, position, run, stopMonitors } from '../../test-support/monitor.ts';
import type { CloseCause } from '../exchange/types.ts';

afterEach(stopMonitors);

/**
 * Every close says why: the exchange's order history explains a position that vanished between two reads
 * (its TP or SL fired while no read or ticker saw the price past the level), and a triggered close the
 * prices never showed still gets its tp-hit / sl-hit, once.
 */

type Cause = Omit<CloseCause, 'symbol' | 'side' | 'at'>;
const cause = (reason: CloseCause['reason'], o: Partial<Cause> = {}): Cause => ({
  reason,
  price: null,
  level: null,
  clientOrderId: null,
  ...o,
});

async function closedBetweenReads(c: Cause | undefined, opts: { historyReadable?: boolean } = {}) {
  const rig = monitorRig([account('main')], {}, 0);
  const m = rig.make();
  rig.ex.add(position({ account: 'main', symbol: 'BTCUSDT', stopLoss: 90, takeProfit: 110 }));
  rig.ex.historyReadable = opts.historyReadable ?? true;
  m.start();
  await run(rig.clock, 2000);
  // The trigger fired and the price came back before any read or ticker saw it past the level.
  rig.ex.remove('main', 'BTCUSDT', c);
  await run(rig.clock, 70_000);
  return { ...rig, m };
}

describe('close reasons', () => {
  it.each<[name: string, c: Cause | undefined, reason: CloseReason, hit: 'tp-hit' | 'sl-hit' | null]>([
    ['SL fired between reads → sl, with its sl-hit', cause('sl', { price: 89.9, level: 90 }), 'sl', 'sl-hit'],
    ['TP fired between reads → tp, with its tp-hit', cause('tp', { price: 110.1, level: 110 }), 'tp', 'tp-hit'],
    ['SL without a trigger price in the row → the known SL as level', cause('sl', { price: 89.8 }), 'sl', 'sl-hit'],
    ['trailing stop → trailing-stop, no TP/SL hit', cause('trailing-stop', { price: 95 }), 'trailing-stop', null],
    ['liquidation → liquidation', cause('liquidation', { price: 70 }), 'liquidation', null],
    ['our client order id → action', cause('action', { clientOrderId: 'tw-abc' }), 'action', null],
    ['another order of the trader → manual', cause('manual', { price: 100 }), 'manual', null],
    ['nothing in the history → unknown', undefined, 'unknown', null],
  ])('%s', async (_name, c, reason, hit) => {
    const { of } = await closedBetweenReads(c);
    expect(of('position-closed')).toMatchObject([{ symbol: 'BTCUSDT', reason }]);
    const hits = [...of('tp-hit'), ...of('sl-hit')];
    if (hit === null) expect(hits).toEqual([]);
    else expect(hits).toMatchObject([{ type: hit, symbol: 'BTCUSDT', level: hit === 'sl-hit' ? 90 : 110 }]);
  });

  it('the close carries the fill price from the history', async () => {
    const { of } = await closedBetweenReads(cause('sl', { price: 89.9, level: 90 }));
    expect(of('position-closed')).toMatchObject([{ price: 89.9 }]);
    expect(of('sl-hit')).toMatchObject([{ price: 89.9, level: 90 }]);
  });

  it('the hit comes before the close, so a client sees why before it sees the position gone', async () => {
    const { events } = await closedBetweenReads(cause('sl', { price: 89.9, level: 90 }));
    const types = events.map((e) => e.type).filter((t) => t === 'sl-hit' || t === 'position-closed');
    expect(types).toEqual(['sl-hit', 'position-closed']);
  });

  it('an unreadable history falls back to unknown for an unexplained close (and still closes it)', async () => {
    const { of, m } = await closedBetweenReads(cause('sl', { price: 89.9, level: 90 }), { historyReadable: false });
    expect(of('position-closed')).toMatchObject([{ reason: 'unknown' }]);
    expect(m.positions()).toHaveLength(0);
  });

  it('an SL seen crossing on a ticker and confirmed by the history is announced once', async () => {
    const rig = monitorRig([account('main')], {}, 100);
    const m = rig.make();
    rig.ex.add(position({ account: 'main', symbol: 'BTCUSDT', stopLoss: 99.5 }));
    m.start();
    await run(rig.clock, 5000);
    rig.ex.setPrice('BTCUSDT', 99.4);
    await run(rig.clock, 3000);
    expect(rig.of('sl-hit')).toHaveLength(1);
    expect(rig.of('position-closed')).toMatchObject([{ reason: 'sl', price: 99.4 }]);
  });

  it('a price past the TP but a history saying SL: the history wins, and the SL hit is announced', async () => {
    const rig = monitorRig([account('main')], {}, 0);
    const m = rig.make();
    rig.ex.add(position({ account: 'main', symbol: 'BTCUSDT', stopLoss: 90, takeProfit: 100.5 }));
    rig.ex.autoTrigger = false;
    m.start();
    await run(rig.clock, 2000);
    rig.ex.setPrice('BTCUSDT', 100.6);
    await run(rig.clock, 2000);
    rig.ex.remove('main', 'BTCUSDT', cause('sl', { price: 89.9, level: 90 }));
    await run(rig.clock, 5000);
    expect(rig.of('position-closed')).toMatchObject([{ reason: 'sl' }]);
    expect(rig.of('sl-hit')).toHaveLength(1);
  });

  it('one history call per read that found closes, on the critical lane; none for reads without', async () => {
    const rig = monitorRig([account('main')], {}, 0);
    const m = rig.make();
    for (const s of ['AUSDT', 'BUSDT', 'CUSDT']) rig.ex.add(position({ account: 'main', symbol: s }));
    m.start();
    await run(rig.clock, 70_000);
    expect(rig.ex.count('closeCauses')).toBe(0);
    rig.ex.remove('main', 'AUSDT', cause('manual'));
    rig.ex.remove('main', 'BUSDT', cause('manual'));
    await run(rig.clock, 70_000);
    expect(rig.of('position-closed').map((e) => e.reason)).toEqual(['manual', 'manual']);
    const calls = rig.ex.calls.filter((c) => c.endpoint === 'closeCauses');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.lane).toBe('critical');
  });
});
