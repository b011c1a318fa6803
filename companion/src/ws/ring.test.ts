import { describe, expect, it } from 'vitest';
import { EventRing } from './ring.ts';

const entry = (seq: number) => ({ seq, frame: Buffer.from(String(seq)) });
const fill = (capacity: number, upTo: number) => {
  const ring = new EventRing(capacity);
  for (let s = 1; s <= upTo; s++) ring.push(entry(s));
  return ring;
};
const seqs = (xs: { seq: number }[] | null) => xs?.map((x) => x.seq) ?? null;

describe('EventRing', () => {
  it.each([
    // capacity, published, asked after, expected seqs (null: gone, snapshot needed)
    [4, 0, 0, []],
    [4, 3, 0, [1, 2, 3]],
    [4, 3, 1, [2, 3]],
    [4, 3, 3, []],
    [4, 6, 2, [3, 4, 5, 6]],
    [4, 6, 1, null],
    [4, 6, 0, null],
    [4, 6, 7, null],
    [4, 6, 6, []],
    [1, 5, 4, [5]],
    [1, 5, 3, null],
  ] as const)('capacity %i, %i published: after(%i) → %j', (capacity, published, after, expected) => {
    const ring = fill(capacity, published);
    expect(seqs(ring.after(after, published))).toEqual(expected);
  });

  it('keeps the newest entries, oldest first, across many wraps', () => {
    const ring = fill(5, 1_003);
    expect(ring.size).toBe(5);
    expect(ring.oldestSeq).toBe(999);
    expect(ring.newestSeq).toBe(1_003);
    expect(seqs(ring.after(998, 1_003))).toEqual([999, 1_000, 1_001, 1_002, 1_003]);
  });

  it('refuses a seq that does not follow the newest (the hub stamps contiguously)', () => {
    const ring = fill(3, 2);
    expect(() => ring.push(entry(4))).toThrow(/does not follow/);
  });
});
