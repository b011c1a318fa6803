import { describe, expect, it } from 'vitest';
import { MonitorConfig } from './config.ts';

describe('MonitorConfig', () => {
  it('is complete with no input', () => {
    const c = MonitorConfig.parse({});
    expect(c.thresholds).toEqual({
      criticalPct: 1,
      urgentPct: 3,
      criticalExitPct: 1.25,
      urgentExitPct: 3.75,
      profitTakingPct: 0.5,
      profitTakingExitPct: 0.25,
      recentActivityMs: 600_000,
      dormantAfterMs: 1_800_000,
    });
    expect(c.profiles.map((p) => [p.name, p.fromPositions])).toEqual([
      ['small', 0],
      ['medium', 25],
      ['large', 100],
      ['extreme', 400],
    ]);
    expect(c.profiles.every((p) => p.intervalsMs.CRITICAL <= 1000)).toBe(true);
    expect(c.missingSl.replace).toBe(false);
    expect(c.mirror.closeOnMainClose).toBe(false);
  });

  it('rejects a CRITICAL interval above the ceiling unless the ceiling is raised', () => {
    const slow = {
      name: 'x',
      fromPositions: 0,
      intervalsMs: {
        CRITICAL: 2000,
        URGENT: 5000,
        ACTIVE: 20_000,
        BUILDING: 60_000,
        STABLE: 300_000,
        DORMANT: 900_000,
      },
      stateRefreshMinMs: 5000,
    };
    expect(MonitorConfig.safeParse({ profiles: [slow] }).success).toBe(false);
    expect(MonitorConfig.safeParse({ profiles: [slow], criticalMaxIntervalMs: 2000 }).success).toBe(true);
  });

  it('rejects inconsistent thresholds and unordered profiles', () => {
    expect(MonitorConfig.safeParse({ thresholds: { criticalPct: 4 } }).success).toBe(false);
    // An exit band inside its entry threshold would let a position flap on one price.
    expect(MonitorConfig.safeParse({ thresholds: { criticalExitPct: 0.9 } }).success).toBe(false);
    expect(MonitorConfig.safeParse({ thresholds: { urgentExitPct: 2.5 } }).success).toBe(false);
    expect(MonitorConfig.safeParse({ thresholds: { criticalExitPct: 4 } }).success).toBe(false);
    expect(MonitorConfig.safeParse({ thresholds: { criticalExitPct: 1, urgentExitPct: 3 } }).success).toBe(true);
    const p = (name: string, fromPositions: number) => ({
      ...MonitorConfig.parse({}).profiles[0],
      name,
      fromPositions,
    });
    expect(MonitorConfig.safeParse({ profiles: [p('a', 0), p('b', 50), p('c', 20)] }).success).toBe(false);
    expect(MonitorConfig.safeParse({ profiles: [p('a', 5)] }).success).toBe(false);
  });
});
