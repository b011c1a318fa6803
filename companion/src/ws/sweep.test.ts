import { describe, expect, it } from 'vitest';
import { type SweepVerdict, sweepVerdict } from './sweep.ts';

const limits = { idleTimeoutMs: 45_000, stallTimeoutMs: 15_000 };
const now = 100_000;

describe('sweepVerdict', () => {
  it.each<{ name: string; lastSeenAt: number; lagging: boolean; lagSince: number; verdict: SweepVerdict }>([
    { name: 'heard from lately, not lagging', lastSeenAt: now - 1_000, lagging: false, lagSince: 0, verdict: 'alive' },
    {
      name: 'silent exactly the idle timeout',
      lastSeenAt: now - 45_000,
      lagging: false,
      lagSince: 0,
      verdict: 'alive',
    },
    { name: 'silent past the idle timeout', lastSeenAt: now - 45_001, lagging: false, lagSince: 0, verdict: 'idle' },
    {
      name: 'lagging, within the stall timeout',
      lastSeenAt: now,
      lagging: true,
      lagSince: now - 15_000,
      verdict: 'alive',
    },
    {
      name: 'lagging past the stall timeout',
      lastSeenAt: now,
      lagging: true,
      lagSince: now - 15_001,
      verdict: 'stalled',
    },
    // lagSince is stale once it caught up: only a socket lagging now can be stalled.
    { name: 'caught up, old lagSince', lastSeenAt: now, lagging: false, lagSince: now - 60_000, verdict: 'alive' },
    {
      name: 'idle and stalled: idle wins',
      lastSeenAt: now - 50_000,
      lagging: true,
      lagSince: now - 50_000,
      verdict: 'idle',
    },
  ])('$name → $verdict', ({ verdict, ...sub }) => {
    expect(sweepVerdict(sub, now, limits)).toBe(verdict);
  });
});
