import { describe, expect, it } from 'vitest';
import { fullBucket, take } from './rate.ts';

const rate = { burst: 3, perMinute: 6 }; // one token every 10 s

describe('take (token bucket)', () => {
  it.each([
    { name: 'a full bucket gives a token', tokens: 3, dt: 0, ok: true, left: 2 },
    { name: 'the last token', tokens: 1, dt: 0, ok: true, left: 0 },
    { name: 'empty: refused', tokens: 0, dt: 0, ok: false, left: 0 },
    { name: 'empty, 9.9 s later: still refused', tokens: 0, dt: 9_900, ok: false, left: 0.99 },
    { name: 'empty, 10 s later: one back', tokens: 0, dt: 10_000, ok: true, left: 0 },
    { name: 'refill stops at the burst', tokens: 0, dt: 3_600_000, ok: true, left: 2 },
    { name: 'a clock going backwards refills nothing', tokens: 0.5, dt: -5_000, ok: false, left: 0.5 },
  ])('$name', ({ tokens, dt, ok, left }) => {
    const r = take({ tokens, at: 1_000_000 }, rate, 1_000_000 + dt);
    expect(r.ok).toBe(ok);
    expect(r.bucket.tokens).toBeCloseTo(left, 6);
  });

  it('a burst of `burst` passes, the next is refused', () => {
    let b = fullBucket(rate, 0);
    const oks: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const r = take(b, rate, 0);
      b = r.bucket;
      oks.push(r.ok);
    }
    expect(oks).toEqual([true, true, true, false]);
  });
});
