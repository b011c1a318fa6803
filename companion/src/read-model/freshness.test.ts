import type { AccountHealth } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { accountFreshness, type FreshnessInput, PROBLEM, problemInWords } from './freshness.ts';

const NOW = 1_000_000;
const health = (over: Partial<AccountHealth> = {}): AccountHealth => ({
  account: 'main',
  lastReadAt: NOW - 1_000,
  failures: 0,
  consecutiveFailures: 0,
  lastError: null,
  ...over,
});
const input = (over: Partial<FreshnessInput> = {}): FreshnessInput => ({
  health: health(),
  stream: null,
  keyRefused: false,
  now: NOW,
  staleAfterMs: 120_000,
  ...over,
});

describe('problemInWords', () => {
  it.each([
    ['main: bybit GET http://127.0.0.1:4711/v5/position/list?category=linear fetch failed', PROBLEM.unreachable],
    ['main: bybit GET http://x/v5/position/list request timed out (10000 ms)', PROBLEM.unreachable],
    ['main: connect ECONNREFUSED 127.0.0.1:4711', PROBLEM.unreachable],
    ['main: Too many visits!', PROBLEM.rateLimited],
    ['main: bybit {"retCode":10006}', PROBLEM.rateLimited],
    ['main: API key is invalid.', PROBLEM.keyRefused],
    ['main: error sign! (10004)', PROBLEM.keyRefused],
    ['main: bybit GET http://x/v5/position/list 503 Service Unavailable', PROBLEM.unavailable],
    ['main: params error: symbol invalid', PROBLEM.error],
  ])('%s → %s', (raw, words) => {
    expect(problemInWords(raw)).toBe(words);
  });
});

describe('accountFreshness', () => {
  it.each<[string, Partial<FreshnessInput>, { status: string; problem: string | null; dataAt: number | null }]>([
    ['read recently', {}, { status: 'live', problem: null, dataAt: NOW - 1_000 }],
    ['nothing read yet', { health: health({ lastReadAt: null }) }, { status: 'down', problem: null, dataAt: null }],
    [
      'first reads failing',
      { health: health({ lastReadAt: null, consecutiveFailures: 2, failures: 2, lastError: 'x fetch failed' }) },
      { status: 'down', problem: PROBLEM.unreachable, dataAt: null },
    ],
    [
      'reads failing after good data',
      { health: health({ consecutiveFailures: 1, failures: 1, lastError: 'Too many visits!' }) },
      { status: 'stale', problem: PROBLEM.rateLimited, dataAt: NOW - 1_000 },
    ],
    [
      'failures recovered',
      { health: health({ consecutiveFailures: 0, failures: 5, lastError: 'fetch failed' }) },
      { status: 'live', problem: null, dataAt: NOW - 1_000 },
    ],
    ['key refused', { keyRefused: true }, { status: 'stale', problem: PROBLEM.keyRefused, dataAt: NOW - 1_000 }],
    [
      'silent past the cadence, no stream',
      { health: health({ lastReadAt: NOW - 120_001 }) },
      { status: 'stale', problem: PROBLEM.silent, dataAt: NOW - 120_001 },
    ],
    [
      'silent REST but a live private stream',
      { health: health({ lastReadAt: NOW - 300_000 }), stream: { health: 'live', ageMs: 2_000 } },
      { status: 'live', problem: null, dataAt: NOW - 2_000 },
    ],
    [
      "stream stale and REST old: as old as the stream's last frame",
      { health: health({ lastReadAt: NOW - 300_000 }), stream: { health: 'stale', ageMs: 40_000 } },
      { status: 'stale', problem: PROBLEM.silent, dataAt: NOW - 40_000 },
    ],
    [
      'stream down since a frame older than the last REST read',
      { health: health({ lastReadAt: NOW - 300_000 }), stream: { health: 'down', ageMs: 400_000 } },
      { status: 'stale', problem: PROBLEM.silent, dataAt: NOW - 300_000 },
    ],
    [
      'stream down before any frame',
      { health: health({ lastReadAt: NOW - 300_000 }), stream: { health: 'down', ageMs: null } },
      { status: 'stale', problem: PROBLEM.silent, dataAt: NOW - 300_000 },
    ],
    [
      'only the stream has spoken',
      { health: health({ lastReadAt: null }), stream: { health: 'live', ageMs: 0 } },
      { status: 'live', problem: null, dataAt: NOW },
    ],
  ])('%s', (_name, over, want) => {
    expect(accountFreshness(input(over))).toEqual({ account: 'main', ...want });
  });

  it('a key the key watch saw refused counts as refused', () => {
    const key = { status: 'refused' as const, canTrade: false, expiresAt: null, warnings: [] };
    const f = accountFreshness(input({ health: health({ key }) }));
    expect(f).toMatchObject({ status: 'stale', problem: PROBLEM.keyRefused });
  });
});
