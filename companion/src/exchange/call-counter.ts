import type { Lane } from './types.ts';

export interface CallRecord {
  at: number;
  account: string | null;
  endpoint: string;
  lane: Lane;
  ok: boolean;
}

export interface CallRates {
  windowMs: number;
  total: number;
  perSec: number;
  byEndpoint: Record<string, number>;
  byAccount: Record<string, number>;
  byLane: Record<string, number>;
}

/**
 * Every exchange call is recorded here as it is sent: the monitor's stats, the benchmarks and the API's
 * figures are counted from these records, never estimated. Keeps a bounded history for rates plus totals.
 */
export class CallCounter {
  private records: CallRecord[] = [];
  private head = 0;
  readonly totals = { calls: 0, failed: 0 };

  constructor(private readonly retainMs = 10 * 60_000) {}

  record(r: CallRecord): void {
    this.records.push(r);
    this.totals.calls++;
    if (!r.ok) this.totals.failed++;
    // Drop what is older than the retention, in amortised O(1).
    while (this.head < this.records.length && this.records[this.head]!.at < r.at - this.retainMs) this.head++;
    if (this.head > 4096 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
  }

  /** Calls in [now - windowMs, now], grouped; per-group figures are calls per second. */
  rates(now: number, windowMs: number): CallRates {
    const byEndpoint: Record<string, number> = {};
    const byAccount: Record<string, number> = {};
    const byLane: Record<string, number> = {};
    let total = 0;
    const from = now - windowMs;
    for (let i = this.records.length - 1; i >= this.head; i--) {
      const r = this.records[i]!;
      if (r.at < from) break;
      if (r.at > now) continue;
      total++;
      byEndpoint[r.endpoint] = (byEndpoint[r.endpoint] ?? 0) + 1;
      const acct = r.account ?? '(public)';
      byAccount[acct] = (byAccount[acct] ?? 0) + 1;
      byLane[r.lane] = (byLane[r.lane] ?? 0) + 1;
    }
    const perSec = (n: number) => (n * 1000) / windowMs;
    const scale = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, perSec(v)]));
    return {
      windowMs,
      total,
      perSec: perSec(total),
      byEndpoint: scale(byEndpoint),
      byAccount: scale(byAccount),
      byLane: scale(byLane),
    };
  }

  /** Records since `since` (for benchmarks that measure one phase). */
  since(since: number): CallRecord[] {
    const out: CallRecord[] = [];
    for (let i = this.head; i < this.records.length; i++) if (this.records[i]!.at >= since) out.push(this.records[i]!);
    return out;
  }
}
