import { describe, expect, it } from 'vitest';
import { PrivateSequence, TickerSequence } from './stream-sequence.ts';

type Step =
  | { exec: string; seq: number; at: number }
  | { pos: string; seq: number; gap?: string | null }
  | { overdueAt: number; expect: string[] }
  | { reset: true };

const WAIT = 500;

function play(steps: Step[]): void {
  const s = new PrivateSequence();
  for (const step of steps) {
    if ('exec' in step) s.execution(step.exec, step.seq, step.at);
    else if ('pos' in step) expect(s.position(step.pos, step.seq)).toBe(step.gap ?? null);
    else if ('overdueAt' in step) expect(s.overdue(step.overdueAt, WAIT)).toEqual(step.expect);
    else s.reset();
  }
}

describe('PrivateSequence (Bybit: a fill and its position update share the symbol cross sequence)', () => {
  it.each<[string, Step[]]>([
    [
      'a fill answered by its position row is no gap',
      [
        { exec: 'BTCUSDT', seq: 10, at: 0 },
        { pos: 'BTCUSDT', seq: 10 },
        { overdueAt: 1000, expect: [] },
      ],
    ],
    [
      'a position row ahead of its execution (topics are not ordered) answers it',
      [
        { pos: 'BTCUSDT', seq: 12 },
        { exec: 'BTCUSDT', seq: 12, at: 0 },
        { overdueAt: 1000, expect: [] },
      ],
    ],
    [
      'a fill whose position row never came is a gap once the wait is over, and only once',
      [
        { exec: 'BTCUSDT', seq: 10, at: 0 },
        { overdueAt: WAIT - 1, expect: [] },
        { overdueAt: WAIT, expect: ['BTCUSDT'] },
        { overdueAt: WAIT + 100, expect: [] },
      ],
    ],
    [
      'a row of another symbol answers nothing',
      [
        { exec: 'BTCUSDT', seq: 10, at: 0 },
        { pos: 'ETHUSDT', seq: 11 },
        { overdueAt: WAIT, expect: ['BTCUSDT'] },
      ],
    ],
    [
      'an older position row of the symbol does not answer a newer fill',
      [
        { pos: 'BTCUSDT', seq: 5 },
        { exec: 'BTCUSDT', seq: 10, at: 0 },
        { pos: 'BTCUSDT', seq: 8 },
        { overdueAt: WAIT, expect: ['BTCUSDT'] },
      ],
    ],
    [
      'two fills wait from the first; the newer position row answers both',
      [
        { exec: 'BTCUSDT', seq: 10, at: 0 },
        { exec: 'BTCUSDT', seq: 11, at: 400 },
        { pos: 'BTCUSDT', seq: 11 },
        { overdueAt: WAIT, expect: [] },
      ],
    ],
    [
      'a row older than one already heard is out of order',
      [
        { pos: 'BTCUSDT', seq: 20 },
        { pos: 'BTCUSDT', seq: 19, gap: 'position-out-of-order' },
        { pos: 'BTCUSDT', seq: 20 },
      ],
    ],
    [
      'a new connection starts afresh',
      [
        { pos: 'BTCUSDT', seq: 20 },
        { exec: 'ETHUSDT', seq: 3, at: 0 },
        { reset: true },
        { pos: 'BTCUSDT', seq: 1 },
        { overdueAt: WAIT, expect: [] },
      ],
    ],
    [
      'a row without a numeric seq is ignored',
      [
        { exec: 'BTCUSDT', seq: Number.NaN, at: 0 },
        { pos: 'BTCUSDT', seq: Number.NaN },
        { overdueAt: WAIT, expect: [] },
      ],
    ],
  ])('%s', (_name, steps) => play(steps));
});

describe('TickerSequence (Bybit: cs rises by any step)', () => {
  it.each<[string, [string, unknown, string | null][]]>([
    [
      'rising by any step is no gap',
      [
        ['BTCUSDT', 1, null],
        ['BTCUSDT', 7, null],
        ['BTCUSDT', 7, null],
      ],
    ],
    [
      'a fall is a gap, then the new value is the base',
      [
        ['BTCUSDT', 9, null],
        ['BTCUSDT', 4, 'ticker-sequence-fell'],
        ['BTCUSDT', 5, null],
      ],
    ],
    [
      'symbols are apart',
      [
        ['BTCUSDT', 9, null],
        ['ETHUSDT', 2, null],
      ],
    ],
    [
      'a missing cs is ignored',
      [
        ['BTCUSDT', 9, null],
        ['BTCUSDT', undefined, null],
        ['BTCUSDT', '10', null],
      ],
    ],
  ])('%s', (_name, pushes) => {
    const t = new TickerSequence();
    for (const [symbol, cs, gap] of pushes) expect(t.push(symbol, cs)).toBe(gap);
  });
});
