import { describe, expect, it } from 'vitest';
import { flushMicrotasks, ManualClock } from '../core/clock.ts';
import { type CallTicket, RateBudget, type RateBudgetOptions } from './rate-budget.ts';
import type { Lane } from './types.ts';

function setup(over: Partial<RateBudgetOptions> = {}) {
  const clock = new ManualClock(0);
  const budget = new RateBudget({
    ip: { max: 10, windowMs: 1000 },
    perAccount: { 'position-read': { max: 5, windowMs: 1000 }, 'order-write': { max: 2, windowMs: 1000 } },
    share: 1,
    maxInFlight: 100,
    clock,
    ...over,
  });
  const started: { label: string; at: number }[] = [];
  const call = (label: string, ticket: Partial<CallTicket> = {}, signal?: AbortSignal) =>
    budget.schedule(
      { account: 'a', group: 'market', lane: 'api', ...ticket },
      async () => {
        started.push({ label, at: clock.now() });
        return label;
      },
      signal,
    );
  return { clock, budget, started, call };
}

describe('RateBudget', () => {
  it('paces calls evenly at the IP cap: one slot = window / max', async () => {
    const { clock, started, call, budget } = setup();
    for (let i = 0; i < 10; i++) void call(`c${i}`);
    await flushMicrotasks();
    expect(budget.slotMs).toBe(100);
    expect(started.map((s) => s.at)).toEqual([0]);
    await clock.advance(950);
    expect(started.map((s) => s.at)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  it.each<[string, Lane[], string[]]>([
    ['execution before everything', ['api', 'dormant', 'execution'], ['api', 'execution', 'dormant']],
    ['critical before urgent before api', ['api', 'urgent', 'critical'], ['api', 'critical', 'urgent']],
    ['FIFO within a lane', ['stable', 'stable', 'stable'], ['stable', 'stable', 'stable']],
    ['api is last', ['api', 'dormant', 'building'], ['api', 'building', 'dormant']],
  ])('serves lanes by priority: %s', async (_name, lanes, expected) => {
    const { clock, started, call } = setup();
    // The first call takes the free slot at once; the rest queue and go in lane order.
    for (const lane of lanes) void call(lane, { lane });
    await clock.advance(1000);
    expect(started.map((s) => s.label)).toEqual(expected);
  });

  it('an execution call queued behind a burst starts within one slot', async () => {
    const { clock, started, call, budget } = setup({ ip: { max: 100, windowMs: 1000 } });
    for (let i = 0; i < 200; i++) void call(`burst${i}`, { account: `acct${i % 4}`, lane: i % 2 ? 'api' : 'dormant' });
    await clock.advance(333);
    const enqueuedAt = clock.now();
    const exec = call('exec', { lane: 'execution', account: 'acct0', group: 'order-write' });
    await clock.advance(100);
    await exec;
    const waited = started.find((s) => s.label === 'exec')!.at - enqueuedAt;
    expect(waited).toBeLessThanOrEqual(budget.slotMs);
  });

  it("an execution's calls leave together, within the caps, and push the paced lanes back", async () => {
    const { clock, started, call } = setup();
    void call('first');
    for (const account of ['a', 'b', 'c'])
      void call(`exec-${account}`, { lane: 'execution', account, group: 'order-write' });
    void call('paced');
    await clock.advance(1000);
    expect(started.filter((s) => s.label.startsWith('exec')).map((s) => s.at)).toEqual([0, 0, 0]);
    // Four sends at t=0 used four slots: the next paced call waits until the spacing has caught up.
    expect(started.find((s) => s.label === 'paced')!.at).toBe(400);
  });

  it('execution calls still respect the window cap', async () => {
    const { clock, started, call } = setup();
    for (let i = 0; i < 12; i++) void call(`exec${i}`, { lane: 'execution', account: `x${i}`, group: 'market' });
    await clock.advance(2000);
    const times = started.map((s) => s.at);
    expect(times.filter((t) => t < 1000).length).toBe(10);
  });

  it('holds each account to its own cap while other accounts proceed', async () => {
    const { clock, started, call } = setup({ ip: { max: 100, windowMs: 1000 } });
    for (let i = 0; i < 6; i++) void call(`a${i}`, { account: 'a', group: 'order-write' });
    for (let i = 0; i < 2; i++) void call(`b${i}`, { account: 'b', group: 'order-write' });
    await clock.advance(999);
    const a = started.filter((s) => s.label.startsWith('a'));
    // 2 per second for account a, paced 500 ms apart; b is not held up behind a.
    expect(a.map((s) => s.at)).toEqual([0, 500]);
    expect(started.filter((s) => s.label.startsWith('b')).length).toBe(2);
  });

  it('never lets any window of the IP cap exceed max, however calls arrive', async () => {
    const { clock, started, call } = setup();
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 7; i++)
        void call(`r${round}-${i}`, { account: `x${i % 3}`, lane: i % 2 ? 'critical' : 'api' });
      await clock.advance(137);
    }
    await clock.advance(5000);
    const times = started.map((s) => s.at);
    expect(times.length).toBe(35);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(10);
  });

  it('scales the caps by its share', () => {
    const { budget } = setup({ share: 0.9, ip: { max: 600, windowMs: 5000 } });
    expect(budget.ratePerSec).toBeCloseTo(108);
  });

  it('a blocked account waits out the exchange reset time; others go on', async () => {
    const { clock, started, call, budget } = setup({ ip: { max: 100, windowMs: 1000 } });
    budget.block({ account: 'a', group: 'position-read' }, 400);
    void call('a', { account: 'a', group: 'position-read' });
    void call('b', { account: 'b', group: 'position-read' });
    await clock.advance(1000);
    expect(started).toEqual([
      { label: 'b', at: 0 },
      { label: 'a', at: 400 },
    ]);
  });

  it('an aborted waiting call is dropped and rejects with the reason', async () => {
    const { clock, started, call } = setup();
    void call('first');
    const ctrl = new AbortController();
    const second = call('second', {}, ctrl.signal);
    ctrl.abort(new Error('gave up'));
    await expect(second).rejects.toThrow('gave up');
    await clock.advance(1000);
    expect(started.map((s) => s.label)).toEqual(['first']);
  });

  it('a failing call rejects its caller and does not stall the queue', async () => {
    const { clock, budget, started, call } = setup();
    const failing = budget.schedule({ account: 'a', group: 'market', lane: 'api' }, async () => {
      throw new Error('exchange down');
    });
    void call('after');
    await expect(failing).rejects.toThrow('exchange down');
    await clock.advance(500);
    expect(started.map((s) => s.label)).toEqual(['after']);
  });

  it('caps calls in flight', async () => {
    const clock = new ManualClock(0);
    const budget = new RateBudget({
      ip: { max: 1000, windowMs: 1000 },
      perAccount: {},
      share: 1,
      maxInFlight: 2,
      clock,
    });
    let inFlight = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const calls = Array.from({ length: 5 }, () =>
      budget.schedule({ account: 'a', group: 'market', lane: 'api' }, async () => {
        peak = Math.max(peak, ++inFlight);
        await new Promise<void>((r) => releases.push(r));
        inFlight--;
      }),
    );
    for (let i = 0; i < 10; i++) {
      await clock.advance(10);
      releases.shift()?.();
    }
    await Promise.all(calls);
    expect(peak).toBe(2);
  });
});

describe('RateBudget: a call whose function throws before returning a promise', () => {
  it('rejects that call, frees its in-flight slot, and the next call still goes', async () => {
    const { budget, call } = setup({ maxInFlight: 1 });
    const bad = budget.schedule({ account: 'a', group: 'market', lane: 'api' }, (() => {
      throw new Error('boom');
    }) as () => Promise<never>);
    await expect(bad).rejects.toThrow('boom');
    const next = call('next', { lane: 'execution' });
    await flushMicrotasks();
    await expect(next).resolves.toBe('next');
  });
});
