import { afterEach, describe, expect, it } from 'vitest';
import type { BybitRow } from '../../test-support/fake-account.ts';
import { account, monitorRig, position, run, stopMonitors, TIER_SHAPES } from '../../test-support/monitor.ts';
import type { MonitorConfigInput } from './config.ts';

/**
 * A close the exchange does not explain: one bad answer about the main account must not close its
 * mirrors (closeOnMainClose) nor raise closed / drift alerts. A malformed row fails the read; a row or a
 * page that is missing is believed only once a second read, a short interval later, leaves it out too.
 */

afterEach(stopMonitors);

const SYMBOLS = ['AAAUSDT', 'BBBUSDT', 'CCCUSDT', 'DDDUSDT', 'EEEUSDT', 'FFFUSDT', 'GGGUSDT', 'HHHUSDT'];

function mirrored(config: MonitorConfigInput, symbols = SYMBOLS.slice(0, 2), mirrors = ['copy']) {
  const rig = monitorRig(
    [account('main'), ...mirrors.map((name) => account(name, { role: 'mirror', mirrorOf: 'main' }))],
    config,
  );
  for (const symbol of symbols) {
    for (const name of ['main', ...mirrors]) rig.ex.add(position({ account: name, symbol, ...TIER_SHAPES.URGENT }));
  }
  const m = rig.make();
  m.start();
  const falseAlarms = () => ({
    closes: rig.ex.count('closePosition'),
    closed: rig.of('position-closed').length,
    drift: rig.of('mirror-drift').length,
  });
  return { ...rig, m, falseAlarms };
}

const CONFIGS: [string, MonitorConfigInput][] = [
  ['closeOnMainClose', { mirror: { closeOnMainClose: true } }],
  ['the default config', {}],
];

describe.each(CONFIGS)('Monitor with %s: a malformed main row', (_name, config) => {
  it.each([
    ['negative', '-1'],
    ['"NaN"', 'NaN'],
    ['empty', ''],
    ['missing', undefined],
    ['overflowing', '1e400'],
  ])('a %s size fails the read: the mirror stays open, no alert, the error is shown', async (_n, size) => {
    const { clock, ex, m, falseAlarms } = mirrored(config);
    await run(clock, 2000);
    ex.tamper.set('main', (rows) => rows.map((r): BybitRow => (r.symbol === 'AAAUSDT' ? { ...r, size } : r)));
    await run(clock, 15_000);
    expect(falseAlarms()).toEqual({ closes: 0, closed: 0, drift: 0 });
    expect(m.positions('main').map((p) => p.symbol)).toEqual(['AAAUSDT', 'BBBUSDT']);
    expect(m.positions('copy')).toHaveLength(2);
    const health = m.accountHealth().find((h) => h.account === 'main');
    expect(health?.consecutiveFailures).toBeGreaterThan(0);
    expect(health?.lastError).toMatch(/position \(AAAUSDT\): size = /);
  });
});

describe.each(CONFIGS)('Monitor with %s: a missing main position', (_name, config) => {
  it('one empty page while 8 positions are open on 8 mirrors closes nothing and alerts nothing', async () => {
    const mirrors = Array.from({ length: 8 }, (_, i) => `mirror${i + 1}`);
    const { clock, ex, m, falseAlarms } = mirrored(config, SYMBOLS, mirrors);
    await run(clock, 2000);
    let blanked = 0;
    ex.tamper.set('main', (rows) => {
      if (blanked++ > 0) return rows;
      return [];
    });
    const before = ex.count('positions', 'main');
    await run(clock, 15_000);
    expect(falseAlarms()).toEqual({ closes: 0, closed: 0, drift: 0 });
    expect(blanked).toBeGreaterThanOrEqual(2); // the empty page, then the reads that contradicted it
    expect(ex.count('positions', 'main')).toBeGreaterThan(before + 1);
    expect(m.positions('main')).toHaveLength(8);
    for (const name of mirrors) expect(m.positions(name)).toHaveLength(8);
  });

  it('one read leaving a row out is checked by a second read a short interval later', async () => {
    const { clock, ex, falseAlarms } = mirrored(config);
    await run(clock, 2000);
    let dropped: number | null = null;
    ex.tamper.set('main', (rows) => {
      if (dropped !== null) return rows;
      dropped = clock.now();
      return rows.filter((r) => r.symbol !== 'AAAUSDT');
    });
    await run(clock, 15_000);
    expect(falseAlarms()).toEqual({ closes: 0, closed: 0, drift: 0 });
    const reads = ex.calls.filter((c) => c.endpoint === 'positions' && c.account === 'main' && c.at > dropped!);
    // The confirming read came soon (not at the next scheduled one), and no sooner than the interval.
    expect(reads[0]!.at - dropped!).toBeGreaterThanOrEqual(1000);
    expect(reads[0]!.at - dropped!).toBeLessThanOrEqual(1500);
    expect(reads[0]!.lane).toBe('critical');
  });

  it('a close confirmed by the second read is reported, and acted on as configured', async () => {
    const { clock, ex, m, of } = mirrored(config);
    await run(clock, 2000);
    ex.remove('main', 'AAAUSDT');
    const removedAt = clock.now();
    await run(clock, 10_000);
    const closed = of('position-closed').filter((e) => e.account === 'main');
    expect(closed).toMatchObject([{ account: 'main', symbol: 'AAAUSDT', reason: 'unknown' }]);
    const firstMiss = ex.calls.find((c) => c.endpoint === 'positions' && c.account === 'main' && c.at >= removedAt);
    expect(closed[0]!.at - firstMiss!.at).toBeGreaterThanOrEqual(1000);
    const closing = config.mirror?.closeOnMainClose === true;
    expect(of('mirror-drift')).toMatchObject([
      { main: 'main', mirror: 'copy', symbol: 'AAAUSDT', action: closing ? 'closed' : 'alerted' },
    ]);
    expect(ex.count('closePosition', 'copy')).toBe(closing ? 1 : 0);
    expect(m.positions('main').map((p) => p.symbol)).toEqual(['BBBUSDT']);
  });

  it('a close a price explains (the SL reached) is reported from the first read, as before', async () => {
    const { clock, ex, of } = mirrored(config);
    await run(clock, 2000);
    ex.setPrice('AAAUSDT', 97); // through the SL at 98: the exchange closes it, the ticker shows why
    await run(clock, 3000);
    const hit = of('sl-hit').filter((e) => e.account === 'main');
    expect(hit).toMatchObject([{ symbol: 'AAAUSDT' }]);
    const closed = of('position-closed').filter((e) => e.account === 'main');
    expect(closed).toMatchObject([{ symbol: 'AAAUSDT', reason: 'sl' }]);
    // No second read was waited for: the read after the hit that left it out closed it.
    const between = ex.calls.filter(
      (c) => c.endpoint === 'positions' && c.account === 'main' && c.at >= hit[0]!.at && c.at <= closed[0]!.at,
    );
    expect(between).toHaveLength(1);
  });
});
