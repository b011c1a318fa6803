import type { Balance } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { flushMicrotasks, ManualClock } from '../core/clock.ts';
import { CacheConfig } from './config.ts';
import { ResourceCache } from './resource-cache.ts';

function setup(config: Partial<CacheConfig> = {}) {
  const clock = new ManualClock();
  const cache = new ResourceCache(CacheConfig.parse(config), clock);
  return { clock, cache };
}

/** A load we resolve by hand, counting calls. */
function deferredLoad<T>(value: T) {
  const pending: { resolve: (v: T) => void; reject: (e: unknown) => void }[] = [];
  const load = () =>
    new Promise<T>((resolve, reject) => {
      pending.push({ resolve, reject });
    });
  return {
    load,
    get calls() {
      return pending.length;
    },
    resolveAll: () => {
      for (const p of pending.splice(0)) p.resolve(value);
    },
    rejectAll: (err: unknown) => {
      for (const p of pending.splice(0)) p.reject(err);
    },
  };
}

const balances: Balance[] = [{ account: 'main', currency: 'USDT', total: 10, free: 10, used: 0 }];

describe('CacheConfig', () => {
  it('defaults to the seed TTLs', () => {
    const cfg = CacheConfig.parse({});
    expect(cfg.ttlMs).toEqual({ positions: 1000, orders: 1000, balances: 2000, accounts: 60000, tickers: 1000 });
  });
  it('keeps defaults for TTLs not given', () => {
    expect(CacheConfig.parse({ ttlMs: { positions: 500 } }).ttlMs.balances).toBe(2000);
  });
});

describe('ResourceCache', () => {
  it('makes one call for 100 concurrent misses of one account and resource', async () => {
    const { cache } = setup();
    const d = deferredLoad(balances);
    const reads = Array.from({ length: 100 }, () => cache.read('main', 'balances', d.load, { useCache: true }));
    await flushMicrotasks();
    expect(d.calls).toBe(1);
    d.resolveAll();
    const results = await Promise.all(reads);
    expect(new Set(results.map((r) => r.entry)).size).toBe(1);
    expect(results.every((r) => !r.hit)).toBe(true);
    expect(cache.stats).toMatchObject({ loads: 1, joins: 99 });
  });

  it('coalesces concurrent use_cache=false reads into one call, even with an expired entry present', async () => {
    const { cache, clock } = setup();
    cache.put('main', 'balances', balances, clock.now());
    await clock.advance(5_000);
    const d = deferredLoad(balances);
    const reads = Array.from({ length: 100 }, () => cache.read('main', 'balances', d.load, { useCache: false }));
    expect(d.calls).toBe(1);
    d.resolveAll();
    const results = await Promise.all(reads);
    expect(results[0]!.entry.fetchedAt).toBe(clock.now());
  });

  it('use_cache=false does not take data fetched before freshJoinMs but joins a call issued within it', async () => {
    const { cache, clock } = setup({ freshJoinMs: 100 });
    const d = deferredLoad(balances);
    const first = cache.read('main', 'balances', d.load, { useCache: false });
    await clock.advance(50);
    const joined = cache.read('main', 'balances', d.load, { useCache: false });
    expect(d.calls).toBe(1);
    await clock.advance(100);
    // The call in flight was issued 150 ms before this request arrived: too old, start another.
    const later = cache.read('main', 'balances', d.load, { useCache: false });
    expect(d.calls).toBe(2);
    d.resolveAll();
    const [a, b, c] = await Promise.all([first, joined, later]);
    expect(a.entry).toBe(b.entry);
    expect(c.entry.fetchedAt).toBe(clock.now());
    // The newest call's data is what stays cached.
    expect(cache.peek('main', 'balances')!.fetchedAt).toBe(clock.now());
  });

  it('use_cache=false made a moment after a completed call reuses it (one round-trip of tolerance)', async () => {
    const { cache, clock } = setup({ freshJoinMs: 250 });
    cache.put('main', 'balances', balances, clock.now());
    await clock.advance(200);
    const d = deferredLoad(balances);
    const r = await cache.read('main', 'balances', d.load, { useCache: false });
    expect(r.hit).toBe(true);
    expect(d.calls).toBe(0);
  });

  it('serves hits within the TTL and reloads after it (ManualClock)', async () => {
    const { cache, clock } = setup();
    let calls = 0;
    const load = async () => {
      calls++;
      return balances;
    };
    const first = await cache.read('main', 'balances', load, { useCache: true });
    expect(first.hit).toBe(false);
    await clock.advance(1_999);
    expect((await cache.read('main', 'balances', load, { useCache: true })).hit).toBe(true);
    expect(cache.fresh('main', 'balances')).toBe(first.entry);
    await clock.advance(1);
    expect(cache.fresh('main', 'balances')).toBeUndefined();
    const again = await cache.read('main', 'balances', load, { useCache: true });
    expect(again.hit).toBe(false);
    expect(calls).toBe(2);
  });

  it('uses the TTL of each resource', async () => {
    const { cache, clock } = setup();
    cache.put('main', 'positions', [], clock.now());
    cache.put('main', 'balances', balances, clock.now());
    await clock.advance(1_000);
    expect(cache.fresh('main', 'positions')).toBeUndefined();
    expect(cache.fresh('main', 'balances')).toBeDefined();
  });

  it('puts from the monitor fill the cache, never replacing newer data with older', async () => {
    const { cache, clock } = setup();
    const now = clock.now();
    cache.put('main', 'balances', balances, now);
    cache.put('main', 'balances', [], now - 500);
    expect(cache.peek('main', 'balances')!.data).toBe(balances);
    let calls = 0;
    await cache.read(
      'main',
      'balances',
      async () => {
        calls++;
        return [];
      },
      { useCache: true },
    );
    expect(calls).toBe(0);
  });

  it('keeps accounts apart', async () => {
    const { cache, clock } = setup();
    cache.put('main', 'balances', balances, clock.now());
    expect(cache.fresh('mirror1', 'balances')).toBeUndefined();
  });

  it('does not cache failures; every joiner sees the error and the next read retries', async () => {
    const { cache } = setup();
    const d = deferredLoad(balances);
    const reads = Array.from({ length: 5 }, () => cache.read('main', 'balances', d.load, { useCache: true }));
    d.rejectAll(new Error('boom'));
    const settled = await Promise.allSettled(reads);
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    const retry = cache.read('main', 'balances', d.load, { useCache: true });
    expect(d.calls).toBe(1);
    d.resolveAll();
    expect((await retry).entry.data).toBe(balances);
  });

  it('invalidates by account and resource', () => {
    const { cache, clock } = setup();
    cache.put('main', 'balances', balances, clock.now());
    cache.put('main', 'orders', [], clock.now());
    cache.put('mirror1', 'balances', balances, clock.now());
    cache.invalidate('main', 'balances');
    expect(cache.peek('main', 'balances')).toBeUndefined();
    expect(cache.peek('main', 'orders')).toBeDefined();
    cache.invalidate(undefined, 'balances');
    expect(cache.peek('mirror1', 'balances')).toBeUndefined();
    cache.invalidate();
    expect(cache.peek('main', 'orders')).toBeUndefined();
  });

  it('after invalidate, a call already in flight neither fills the slot nor is joined, and older puts are dropped', async () => {
    const { cache, clock } = setup();
    const before: Balance[] = [{ ...balances[0]!, free: 10 }];
    const after: Balance[] = [{ ...balances[0]!, free: 4 }];
    const old = deferredLoad(before);
    const fresh = deferredLoad(after);
    const first = cache.read('main', 'balances', old.load, { useCache: true });
    await clock.advance(5);
    // An order lands on the exchange; the execution drops what the cache knew of the account.
    cache.invalidate('main');
    const second = cache.read('main', 'balances', fresh.load, { useCache: true });
    expect(fresh.calls).toBe(1); // not joined to the pre-invalidation call
    old.resolveAll();
    expect((await first).entry.data).toBe(before);
    expect(cache.peek('main', 'balances')).toBeUndefined(); // pre-order data never fills the slot
    // The monitor's bulk read that started before the order must not fill it either.
    cache.put('main', 'balances', before, clock.now() - 5);
    expect(cache.peek('main', 'balances')).toBeUndefined();
    fresh.resolveAll();
    expect((await second).entry.data).toBe(after);
    expect(cache.peek('main', 'balances')?.data).toBe(after);
    cache.put('main', 'balances', after, clock.now() + 1);
    expect(cache.peek('main', 'balances')?.fetchedAt).toBe(clock.now() + 1);
  });
});
