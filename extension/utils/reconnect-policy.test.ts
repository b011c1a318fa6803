import { describe, expect, it } from 'vitest';
import { backoffMs, type ProbeAnswer, probeFinding } from './reconnect-policy.ts';

describe('backoffMs: equal jitter, doubling to the cap', () => {
  it.each([
    { attempt: 1, random: 0, ms: 250 },
    { attempt: 1, random: 1, ms: 500 },
    { attempt: 2, random: 0.5, ms: 750 },
    { attempt: 4, random: 0, ms: 2_000 },
    { attempt: 20, random: 1, ms: 30_000 },
    { attempt: 20, random: 0, ms: 15_000 },
    // Attempt 0 (never happens) counts as the first, not as half of it.
    { attempt: 0, random: 1, ms: 500 },
  ])('attempt $attempt, random $random → $ms', ({ attempt, random, ms }) => {
    expect(backoffMs(attempt, random)).toBe(ms);
  });
});

describe('probeFinding: what the probe after a failed socket says', () => {
  it.each<{ r: ProbeAnswer; found: ReturnType<typeof probeFinding> }>([
    { r: { state: 'unpaired' }, found: { unpaired: true, detail: 'Token refused' } },
    { r: { state: 'unpaired', message: 'rotated' }, found: { unpaired: true, detail: 'rotated' } },
    { r: { state: 'down' }, found: { unpaired: false, detail: 'The companion is not running' } },
    { r: { state: 'error', message: 'HTTP 500' }, found: { unpaired: false, detail: 'HTTP 500' } },
    { r: { state: 'error' }, found: null },
    { r: { state: 'ok' }, found: null },
  ])('$r.state $r.message', ({ r, found }) => {
    expect(probeFinding(r)).toEqual(found);
  });
});
