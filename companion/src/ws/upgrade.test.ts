import { describe, expect, it } from 'vitest';
import { resumePoint } from './upgrade.ts';

const run = 'run-a';

describe('resumePoint: where a socket starts from its upgrade URL', () => {
  it.each<{ lastSeq?: string; instance?: string; from: number | null; malformed: boolean }>([
    { from: null, malformed: false },
    { lastSeq: '0', from: 0, malformed: false },
    { lastSeq: '42', instance: run, from: 42, malformed: false },
    // No instance: an older client; its seq is taken as this run's.
    { lastSeq: '42', from: 42, malformed: false },
    { lastSeq: '42', instance: 'run-b', from: null, malformed: false },
    { lastSeq: '-1', from: null, malformed: true },
    { lastSeq: '007', from: null, malformed: true },
    { lastSeq: '1.5', from: null, malformed: true },
    { lastSeq: '', from: null, malformed: true },
    { lastSeq: '12345678901234567', from: null, malformed: true },
    { lastSeq: 'x', instance: 'run-b', from: null, malformed: true },
  ])('lastSeq=$lastSeq instance=$instance → $from', ({ lastSeq, instance, from, malformed }) => {
    expect(resumePoint(lastSeq, instance, run)).toEqual({ lastSeq: from, malformed });
  });
});
