import type { BusEvent, GuardMode } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../core/bus.ts';
import { flushMicrotasks, ManualClock } from '../core/clock.ts';
import { ExecutionGuard } from './guard.ts';

function setup(timeoutMs = 180_000) {
  const clock = new ManualClock();
  const bus = new EventBus();
  const events: BusEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const modes: GuardMode[] = [];
  const guard = new ExecutionGuard({ monitor: { setMode: (m) => modes.push(m) }, bus, clock, timeoutMs });
  const guardEvents = () => events.filter((e) => e.type === 'guard-mode').map((e) => `${e.mode}/${e.reason}`);
  return { clock, guard, modes, guardEvents };
}

describe('ExecutionGuard', () => {
  it('critical-only while an execution runs, normal after; each change is an event', () => {
    const { guard, modes, guardEvents } = setup();
    const release = guard.enter('a');
    expect(guard.mode).toBe('critical-only');
    release();
    release(); // twice is harmless
    expect(modes).toEqual(['critical-only', 'normal']);
    expect(guardEvents()).toEqual(['critical-only/execution-started', 'normal/execution-finished']);
  });

  it('overlapping executions: restored only when the last one ends', () => {
    const { guard, modes, guardEvents } = setup();
    const a = guard.enter('a');
    const b = guard.enter('b');
    a();
    expect(guard.mode).toBe('critical-only');
    const c = guard.enter('c');
    b('error');
    expect(guard.holders).toBe(1);
    c('error');
    expect(modes).toEqual(['critical-only', 'normal']);
    expect(guardEvents()).toEqual(['critical-only/execution-started', 'normal/error']);
  });

  it('a hung execution: the timeout restores normal monitoring, and its late finish changes nothing', async () => {
    const { clock, guard, modes, guardEvents } = setup(180_000);
    const hung = guard.enter('hung');
    await clock.advance(179_999);
    expect(guard.mode).toBe('critical-only');
    await clock.advance(1);
    expect(guard.mode).toBe('normal');
    expect(guard.timeouts).toBe(1);
    expect(guardEvents()).toEqual(['critical-only/execution-started', 'normal/timeout']);
    hung();
    expect(modes).toEqual(['critical-only', 'normal']);
  });

  it('with overlap, the timed-out one leaves and the other keeps the guard until it ends', async () => {
    const { clock, guard, guardEvents } = setup(1000);
    guard.enter('hung');
    await clock.advance(600);
    const later = guard.enter('later');
    await clock.advance(400); // the first times out
    expect(guard.mode).toBe('critical-only');
    later();
    expect(guardEvents()).toEqual(['critical-only/execution-started', 'normal/execution-finished']);
    expect(clock.pendingSleepers).toBe(0); // finished entries leave no timers behind
  });

  it('releaseAll (shutdown) restores normal', () => {
    const { guard } = setup();
    guard.enter('a');
    guard.enter('b');
    guard.releaseAll();
    expect(guard.mode).toBe('normal');
    expect(guard.holders).toBe(0);
  });
});

describe('ExecutionGuard: a monitor that throws on a mode change', () => {
  it('never throws out of enter/release, and never leaves the guard held', async () => {
    const clock = new ManualClock();
    const bus = new EventBus();
    let fail = true;
    const modes: GuardMode[] = [];
    const monitor = {
      setMode: (m: GuardMode) => {
        modes.push(m);
        if (fail) throw new Error('monitor busy');
      },
    };
    const guard = new ExecutionGuard({ monitor, bus, clock, timeoutMs: 1000 });
    let release: ((r?: 'execution-finished' | 'error') => void) | undefined;
    expect(() => {
      release = guard.enter('a');
    }).not.toThrow();
    expect(guard.holders).toBe(1);
    expect(() => release!()).not.toThrow();
    expect(guard.holders).toBe(0);
    expect(guard.mode).toBe('normal');
    // The timer still runs even when the switch failed: a stuck entry is dropped after timeoutMs.
    guard.enter('b');
    await clock.advance(1000);
    expect(guard.holders).toBe(0);
    fail = false;
    const c = guard.enter('c');
    c();
    expect(modes.at(-1)).toBe('normal');
    expect(guard.mode).toBe('normal');
    await flushMicrotasks();
  });
});
