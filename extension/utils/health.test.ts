import { describe, expect, it } from 'vitest';
import { stats } from '../test-support/fixtures.ts';
import { healthWarnings } from './health.ts';

const NOW = 1_000_000;
const acct = (over: Partial<ReturnType<typeof stats>['accounts'][number]> = {}) => ({
  account: 'mirror1',
  lastReadAt: NOW - 45_000,
  failures: 3,
  consecutiveFailures: 1,
  lastError: 'exchange unavailable',
  ...over,
});

describe('healthWarnings', () => {
  it.each([
    ['no stats yet', null, []],
    ['every account healthy', stats({ accounts: [acct({ consecutiveFailures: 0 })] }), []],
    [
      'one failed read',
      stats({ accounts: [acct()] }),
      [
        {
          account: 'mirror1',
          severity: 'warning',
          message: 'mirror1: 1 failed read, last good read 45s ago',
        },
      ],
    ],
    [
      'failing for a while',
      stats({ accounts: [acct({ consecutiveFailures: 3, lastError: null })] }),
      [{ account: 'mirror1', severity: 'critical', message: 'mirror1: 3 failed reads, last good read 45s ago' }],
    ],
    [
      'never read',
      stats({ accounts: [acct({ lastReadAt: null })] }),
      [
        {
          account: 'mirror1',
          severity: 'critical',
          message: 'mirror1: 1 failed read, never read',
        },
      ],
    ],
    [
      'a subscriber threw',
      stats({ subscriberErrors: 2 }),
      [{ account: '', severity: 'warning', message: '2 event subscriber errors in the companion (see its log)' }],
    ],
  ])('%s', (_name, s, expected) => {
    expect(healthWarnings(s, NOW)).toEqual(expected);
  });

  it('never says the raw error (it is in Diagnostics), and leaves accounts with freshness to it', () => {
    const s = stats({
      accounts: [acct({ lastError: 'GET http://127.0.0.1:1/v5/position/list 503 Service Unavailable' })],
    });
    expect(
      healthWarnings(s, NOW)
        .map((w) => w.message)
        .join(),
    ).not.toMatch(/http|503/i);
    expect(healthWarnings(s, NOW, new Set(['mirror1']))).toEqual([]);
  });
});
