import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.ts';
import { type PaperExchange, signHeaders, startPaperExchange } from '../index.ts';

/** Per-account latency: one slow account (a lagging mirror) while the others answer at once. */

let ex: PaperExchange | undefined;
afterEach(async () => {
  await ex?.close();
  ex = undefined;
});

function positions(e: PaperExchange, account: number) {
  const acc = e.accounts[account]!;
  const query = 'category=linear&settleCoin=USDT';
  return fetch(`${e.url}/v5/position/list?${query}`, { headers: signHeaders(acc, query, Date.now()) }).then((r) =>
    r.json(),
  );
}

const settled = (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => {
    done = true;
  });
  return () => done;
};

describe('per-account latency', () => {
  it('delays only that account; set over /sim, reset with null', async () => {
    const clock = new ManualClock();
    ex = await startPaperExchange({ positionsPerAccount: 2, volatilityPerMinute: 0, clock });
    const set = await fetch(`${ex.url}/sim/latency/mirror1`, {
      method: 'POST',
      body: JSON.stringify({ fixedMs: 300 }),
    });
    expect(await set.json()).toEqual({ ok: true, latency: { fixedMs: 300, jitterMs: 0 } });
    const slow = settled(positions(ex, 1));
    expect(((await positions(ex, 0)) as { retCode: number }).retCode).toBe(0); // main: no wait
    await new Promise((r) => setTimeout(r, 30));
    expect(slow()).toBe(false);
    await clock.advance(300);
    await new Promise((r) => setTimeout(r, 30));
    expect(slow()).toBe(true);
    ex.control.setAccountLatency('mirror1', null);
    expect(ex.control.delayMs('mirror1')).toBe(0);
    ex.control.setLatency({ fixedMs: 50 });
    expect(ex.control.delayMs('mirror1')).toBe(50);
    expect(ex.control.delayMs()).toBe(50);
  });
});
