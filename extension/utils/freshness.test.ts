import type { AccountFreshness } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { accountProblems, formatSeconds, liveLine, staleMark } from './freshness.ts';

const NOW = 1_000_000;
const f = (account: string, over: Partial<AccountFreshness> = {}): AccountFreshness => ({
  account,
  status: 'live',
  dataAt: NOW - 500,
  problem: null,
  ...over,
});
const book = (...list: AccountFreshness[]) => Object.fromEntries(list.map((x) => [x.account, x]));

describe('formatSeconds', () => {
  it.each([
    [0, '0 s'],
    [999, '0 s'],
    [42_400, '42 s'],
    [59_999, '59 s'],
    [60_000, '1 min'],
    [190_000, '3 min'],
    [7_300_000, '2 h'],
    [-5, '0 s'],
  ])('%s ms → %s', (ms, text) => expect(formatSeconds(ms)).toBe(text));
});

describe('liveLine', () => {
  it.each([
    ['socket up, every account live', 'open', book(f('main'), f('mirror1')), { live: true, label: 'Live' }],
    ['an older companion without freshness', 'open', {}, { live: true, label: 'Live' }],
    [
      'one account stale',
      'open',
      book(f('main', { status: 'stale', dataAt: NOW - 12_300 }), f('mirror1')),
      { live: false, label: 'Delayed: main 12 s', tone: 'delayed' },
    ],
    [
      'oldest first, the third counted',
      'open',
      book(
        f('a', { status: 'stale', dataAt: NOW - 5_000 }),
        f('b', { status: 'stale', dataAt: NOW - 90_000 }),
        f('c', { status: 'down', dataAt: null }),
      ),
      { live: false, label: 'Delayed: c no data yet, b 1 min +1 more' },
    ],
    ['socket reconnecting, data live', 'connecting', book(f('main')), { live: false, label: 'Reconnecting…' }],
    ['socket down', 'disconnected', book(f('main')), { live: false, label: 'Disconnected', tone: 'down' }],
  ] as const)('%s', (_name, socket, fresh, expected) => {
    expect(liveLine(socket, fresh, NOW)).toMatchObject(expected);
  });
});

describe('staleMark', () => {
  const fresh = book(
    f('main'),
    f('mirror1', { status: 'stale', dataAt: NOW - 42_000 }),
    f('mirror2', { status: 'down', dataAt: null }),
  );
  it.each([
    ['main', null],
    ['mirror1', 'stale 42 s'],
    ['mirror2', 'stale: no data yet'],
    ['unknown', null],
  ])('%s → %s', (account, mark) => expect(staleMark(account, fresh, NOW)).toBe(mark));
});

describe('accountProblems', () => {
  it('says what is wrong in the companion’s words, with the rows’ age; live accounts say nothing', () => {
    const out = accountProblems(
      book(
        f('main'),
        f('mirror1', { status: 'stale', dataAt: NOW - 42_000, problem: 'The exchange is not answering' }),
        f('mirror2', { status: 'down', dataAt: null }),
      ),
      NOW,
    );
    expect(out).toEqual([
      { account: 'mirror1', severity: 'warning', message: 'mirror1: The exchange is not answering — rows 42 s old' },
      { account: 'mirror2', severity: 'critical', message: 'mirror2: no data from the exchange — nothing shown yet' },
    ]);
  });
});
