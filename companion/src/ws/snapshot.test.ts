import { describe, expect, it } from 'vitest';
import { SharedSnapshot } from './snapshot.ts';

describe('SharedSnapshot', () => {
  const make = (maxAgeMs = 1_000) => {
    const built: { seq: number; now: number }[] = [];
    const shared = new SharedSnapshot((seq, now) => {
      built.push({ seq, now });
      return { frame: Buffer.from(`${seq}@${now}`), gen: seq };
    }, maxAgeMs);
    return { shared, built };
  };

  it.each([
    { name: 'same seq, same instant: reused', seq: 5, dt: 0, rebuilt: false },
    { name: 'same seq, within the age: reused', seq: 5, dt: 1_000, rebuilt: false },
    { name: 'same seq, past the age: rebuilt', seq: 5, dt: 1_001, rebuilt: true },
    { name: 'next seq: rebuilt', seq: 6, dt: 0, rebuilt: true },
    { name: 'clock went backwards: rebuilt', seq: 5, dt: -1, rebuilt: true },
  ])('$name', ({ seq, dt, rebuilt }) => {
    const { shared, built } = make();
    const first = shared.get(5, 10_000);
    const second = shared.get(seq, 10_000 + dt);
    expect(built).toHaveLength(rebuilt ? 2 : 1);
    if (!rebuilt) expect(second.frame).toBe(first.frame); // the very same bytes
    expect(second.seq).toBe(seq);
  });

  it('a build that throws is not cached: the next call builds again', () => {
    let fail = true;
    const shared = new SharedSnapshot(() => {
      if (fail) throw new Error('monitor not ready');
      return { frame: Buffer.from('ok'), gen: 0 };
    }, 1_000);
    expect(() => shared.get(1, 0)).toThrow('monitor not ready');
    fail = false;
    expect(String(shared.get(1, 0).frame)).toBe('ok');
    expect(shared.builds).toBe(1);
  });
});
