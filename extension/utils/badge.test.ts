import { describe, expect, it } from 'vitest';
import { BADGE_AMBER, BADGE_GREY, BADGE_RED, badgeFor } from './badge.ts';

describe('badgeFor', () => {
  it.each([
    { state: 'open', critical: 0, text: '', color: BADGE_RED },
    { state: 'open', critical: 3, text: '3', color: BADGE_RED },
    { state: 'open', critical: 1500, text: '999+', color: BADGE_RED },
    { state: 'disconnected', critical: 3, text: '×', color: BADGE_GREY },
    { state: 'connecting', critical: 3, text: '…', color: BADGE_GREY },
    { state: 'unpaired', critical: 0, text: 'key', color: BADGE_AMBER },
    { state: 'unconfigured', critical: 0, text: 'key', color: BADGE_AMBER },
  ] as const)('$state with $critical critical → "$text"', ({ state, critical, text, color }) => {
    expect(badgeFor(state, critical)).toMatchObject({ text, color });
  });
});
