import {
  type AccountHealth,
  type GuardMode,
  type MonitorStats,
  TIERS,
  type Ticker,
  type Tier,
  type TierCounts,
} from '@tierwatch/shared';
import type { EffectiveIntervals } from './profiles.ts';

/**
 * Counted, never estimated: every call the monitor makes (by endpoint and account), every gap between
 * two checks of one position (by tier), every detection latency, over a sliding window.
 */

/** Bounded time-stamped samples; oldest dropped first, by age or by count. */
class SampleWindow {
  private at: number[] = [];
  private val: number[] = [];
  private head = 0;
  constructor(private readonly cap: number) {}
  push(at: number, value: number): void {
    this.at.push(at);
    this.val.push(value);
    if (this.at.length - this.head > this.cap) this.head++;
    this.compact();
  }
  prune(before: number): void {
    while (this.head < this.at.length && (this.at[this.head] as number) < before) this.head++;
    this.compact();
  }
  values(): number[] {
    return this.val.slice(this.head);
  }
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.at.length) {
      this.at = this.at.slice(this.head);
      this.val = this.val.slice(this.head);
      this.head = 0;
    }
  }
}

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

/** Key under which the public ticker calls are counted in callsPerSecByAccount. */
export const PUBLIC_ACCOUNT = 'public';
/** Failed calls are also counted under this endpoint, so a failing account shows in the stats. */
export const FAILED_ENDPOINT = 'failed';

export interface StatsContext {
  positions: number;
  tierCounts: TierCounts;
  intervals: EffectiveIntervals;
  stretched: boolean;
  guardMode: GuardMode;
  accounts: AccountHealth[];
  subscriberErrors: number;
}

export class MonitorStatsRecorder {
  private calls: { at: number; endpoint: string; account: string; n: number }[] = [];
  private callsHead = 0;
  private gaps = new Map<Tier, SampleWindow>(TIERS.map((t) => [t, new SampleWindow(8192)]));
  private detections = new SampleWindow(8192);

  constructor(
    readonly windowMs: number,
    private readonly startedAt: number,
  ) {}

  recordCall(at: number, endpoint: string, account: string, n = 1): void {
    this.calls.push({ at, endpoint, account, n });
  }

  recordGap(at: number, tier: Tier, gapMs: number): void {
    this.gaps.get(tier)?.push(at, gapMs);
  }

  recordDetection(at: number, latencyMs: number): void {
    this.detections.push(at, Math.max(0, latencyMs));
  }

  snapshot(now: number, ctx: StatsContext): MonitorStats {
    const from = now - this.windowMs;
    while (this.callsHead < this.calls.length && (this.calls[this.callsHead]?.at ?? 0) < from) this.callsHead++;
    if (this.callsHead > 4096) {
      this.calls = this.calls.slice(this.callsHead);
      this.callsHead = 0;
    }
    // Before a full window has passed, rates are over the time actually observed.
    const spanS = Math.max(1, Math.min(this.windowMs, now - this.startedAt)) / 1000;
    let total = 0;
    const byEndpoint: Record<string, number> = {};
    const byAccount: Record<string, number> = {};
    for (let i = this.callsHead; i < this.calls.length; i++) {
      const c = this.calls[i];
      if (!c) continue;
      byEndpoint[c.endpoint] = (byEndpoint[c.endpoint] ?? 0) + c.n;
      if (c.endpoint === FAILED_ENDPOINT) continue; // already counted under its own endpoint
      total += c.n;
      byAccount[c.account] = (byAccount[c.account] ?? 0) + c.n;
    }
    const rate = (o: Record<string, number>) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v / spanS)]));
    const callsPerSec = round(total / spanS);
    const naive = (ctx.positions * 2) / 5;
    const cadence = Object.fromEntries(
      TIERS.map((t) => {
        const w = this.gaps.get(t) as SampleWindow;
        w.prune(from);
        const sorted = w.values().sort((a, b) => a - b);
        return [
          t,
          { intervalMs: ctx.intervals.tiers[t], p50GapMs: percentile(sorted, 50), p99GapMs: percentile(sorted, 99) },
        ];
      }),
    ) as MonitorStats['cadence'];
    this.detections.prune(from);
    const det = this.detections.values().sort((a, b) => a - b);
    return {
      at: now,
      windowMs: this.windowMs,
      positions: ctx.positions,
      tierCounts: ctx.tierCounts,
      profile: ctx.intervals.profile,
      callsPerSec,
      callsPerSecByEndpoint: rate(byEndpoint),
      callsPerSecByAccount: rate(byAccount),
      naiveCallsPerSec: naive,
      reductionVsNaive: naive > 0 ? Math.min(1, round(1 - callsPerSec / naive, 4)) : null,
      cadence,
      stretched: ctx.stretched,
      detectionP99Ms: percentile(det, 99),
      guardMode: ctx.guardMode,
      accounts: ctx.accounts,
      subscriberErrors: ctx.subscriberErrors,
    };
  }
}

/**
 * Detection latency: from the moment a price crossing was first observable to the event. Benchmarks and
 * tests say when they pushed a price (`pushed`); from the first push on, only pushed prices are measured,
 * so the figure is not diluted by crossings the monitor merely happened to see. Without pushes, the
 * data's own time (ticker timestamp, or the start of the read that carried it) is the start.
 */
export class DetectionLatency {
  private pushes = new Map<string, number>();
  private pushMode = false;
  constructor(private readonly stats: MonitorStatsRecorder) {}

  pushed(symbol: string, at: number): void {
    this.pushMode = true;
    if (!this.pushes.has(symbol)) this.pushes.set(symbol, at);
  }

  detected(symbol: string, at: number, dataAt: number): void {
    const pushed = this.pushes.get(symbol);
    if (pushed !== undefined) {
      this.pushes.delete(symbol);
      this.stats.recordDetection(at, at - pushed);
    } else if (!this.pushMode) this.stats.recordDetection(at, at - dataAt);
  }

  /** A pushed price that an answer requested after the push carried, but that raised no event, is no detection. */
  seen(tickers: readonly Ticker[], requestedAt: number): void {
    for (const t of tickers) {
      const pushed = this.pushes.get(t.symbol);
      if (pushed !== undefined && pushed <= requestedAt) this.pushes.delete(t.symbol);
    }
  }
}

const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;
