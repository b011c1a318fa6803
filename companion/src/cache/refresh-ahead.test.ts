import type { Balance } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { flushMicrotasks, ManualClock } from '../core/clock.ts';
import { CacheConfig, type CacheConfigInput } from './config.ts';
import { ResourceCache, refreshAheadAge } from './resource-cache.ts';

const balances: Balance[] = [{ account: 'main', currency: 'USDT', total: 10, free: 10, used: 0 }];

/** A cache whose loads take `latencyMs` of the manual clock; `settle` moves time and lets them land. */
function setup(config: CacheConfigInput = {}, latencyMs = 300) {
  const clock = new ManualClock();
  const cache = new ResourceCache(CacheConfig.parse({ ttlMs: { balances: 1000 }, ...config }), clock);
  let calls = 0;
  let fail = false;
  const load = async () => {
    calls++;
    await clock.sleep(latencyMs);
    if (fail) throw new Error('exchange down');
    return balances;
  };
  return {
    clock,
    cache,
    load,
    get calls() {
      return calls;
    },
    failNext: () => {
      fail = true;
    },
  };
}

describe('refreshAheadAge', () => {
  it.each([
    // ttl, last call, factor, refresh from age
    [1000, 250, 1.5, 625],
    [1000, 100, 1.5, 850],
    [1000, 400, 1.5, 500], // never earlier than half the TTL
    [1000, 0, 1.5, 1000], // an instant call: no need to go early
    [1000, 250, 0, Number.POSITIVE_INFINITY], // off
    [1000, undefined, 1.5, 500], // no timed call yet (only the monitor's puts): as early as allowed
  ])('ttl %i, last call %s ms, factor %s: from age %s', (ttl, last, factor, expected) => {
    expect(refreshAheadAge(ttl, last, factor)).toBe(expected);
  });
});

describe('ResourceCache refresh-ahead', () => {
  it('a hit near expiry starts the next call in the background; later hits never wait for an expiry', async () => {
    const s = setup();
    const first = s.cache.read('main', 'balances', s.load, { useCache: true });
    await s.clock.advance(300);
    const t0 = (await first).entry.fetchedAt;
    // Last call took 300 ms: refresh from age 1000 - 1.5 * 300 = 550.
    await s.clock.advance(240); // age 540
    expect(s.cache.fresh('main', 'balances', undefined, s.load)?.fetchedAt).toBe(t0);
    expect(s.calls).toBe(1);
    await s.clock.advance(20); // age 560
    expect(s.cache.fresh('main', 'balances', undefined, s.load)?.fetchedAt).toBe(t0);
    expect(s.cache.fresh('main', 'balances', undefined, s.load)?.fetchedAt).toBe(t0);
    expect(s.calls).toBe(2); // one background call, however many hits
    await s.clock.advance(300); // it lands (age of the old entry: 860)
    await s.clock.advance(200); // the old entry would have expired by now
    const later = s.cache.fresh('main', 'balances', undefined, s.load);
    expect(later?.fetchedAt).toBe(t0 + 560);
    expect(s.cache.stats).toMatchObject({ loads: 2, refreshes: 1 });
  });

  it('read() hits refresh ahead too', async () => {
    const s = setup();
    const first = s.cache.read('main', 'balances', s.load, { useCache: true });
    await s.clock.advance(300);
    await first;
    await s.clock.advance(600);
    const hit = await s.cache.read('main', 'balances', s.load, { useCache: true });
    expect(hit.hit).toBe(true);
    expect(s.calls).toBe(2);
    expect(s.cache.stats.refreshes).toBe(1);
  });

  it('refreshes a put entry (no call timed yet) from half its TTL, and never without a loader', async () => {
    const s = setup();
    s.cache.put('main', 'balances', balances, s.clock.now());
    await s.clock.advance(490);
    expect(s.cache.fresh('main', 'balances', undefined, s.load)).toBeDefined();
    expect(s.calls).toBe(0);
    await s.clock.advance(10);
    expect(s.cache.fresh('main', 'balances')).toBeDefined();
    expect(s.calls).toBe(0);
    expect(s.cache.fresh('main', 'balances', undefined, s.load)).toBeDefined();
    expect(s.calls).toBe(1);
  });

  it('one slow call widens the lead for the next few refreshes (a decaying peak, not the last call)', async () => {
    const clock = new ManualClock();
    const cache = new ResourceCache(CacheConfig.parse({ ttlMs: { balances: 1000 } }), clock);
    let latency = 300;
    let calls = 0;
    const load = async () => {
      calls++;
      await clock.sleep(latency);
      return balances;
    };
    const first = cache.read('main', 'balances', load, { useCache: true });
    await clock.advance(300);
    await first;
    latency = 100;
    const second = cache.read('main', 'balances', load, { useCache: false });
    await clock.advance(100);
    await second; // took 100 ms; the lead stays at 0.8 x 300 = 240 ms: refresh from age 1000 - 360 = 640
    await clock.advance(530); // age 630 (with the last call's 100 ms alone it would wait until age 850)
    cache.fresh('main', 'balances', undefined, load);
    expect(calls).toBe(2);
    await clock.advance(10);
    cache.fresh('main', 'balances', undefined, load);
    expect(calls).toBe(3);
  });

  it('is off with factor 0', async () => {
    const s = setup({ refreshAheadFactor: 0 });
    const first = s.cache.read('main', 'balances', s.load, { useCache: true });
    await s.clock.advance(300);
    await first;
    await s.clock.advance(690); // age 990
    expect(s.cache.fresh('main', 'balances', undefined, s.load)).toBeDefined();
    expect(s.calls).toBe(1);
  });

  it('a failed refresh is dropped: the entry serves out its TTL, then the next read reports the error', async () => {
    const s = setup();
    const first = s.cache.read('main', 'balances', s.load, { useCache: true });
    await s.clock.advance(300);
    const t0 = (await first).entry.fetchedAt;
    await s.clock.advance(260); // age 560
    s.failNext();
    expect(s.cache.fresh('main', 'balances', undefined, s.load)?.fetchedAt).toBe(t0);
    await s.clock.advance(300); // the refresh fails (no unhandled rejection)
    await flushMicrotasks();
    expect(s.calls).toBe(2);
    expect(s.cache.fresh('main', 'balances')?.fetchedAt).toBe(t0); // age 860: still valid
    await s.clock.advance(140);
    expect(s.cache.fresh('main', 'balances', undefined, s.load)).toBeUndefined();
    const next = s.cache.read('main', 'balances', s.load, { useCache: true });
    const settled = next.then(
      () => 'ok',
      (err: Error) => err.message,
    );
    await s.clock.advance(300);
    expect(await settled).toBe('exchange down');
  });
});
