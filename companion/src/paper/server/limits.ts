/**
 * Rolling-window request budgets on the exchange's clock: per account and endpoint (Bybit: per UID,
 * rolling second) and per IP (600 per 5 s, then HTTP 403 and a ban). Pure bookkeeping, no timers.
 */

export interface Verdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When a rejected caller may try again; the current time when allowed (as Bybit's header does). */
  resetAt: number;
}

/** A rate limit as Bybit keeps it: a sliding window of hits, refusing past `limit` with when to try again. */
export class RateLimitWindow {
  private hits: number[] = [];
  private head = 0;
  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  hit(now: number): Verdict {
    while (this.head < this.hits.length && (this.hits[this.head] as number) <= now - this.windowMs) this.head++;
    if (this.head > 1024) {
      this.hits = this.hits.slice(this.head);
      this.head = 0;
    }
    const used = this.hits.length - this.head;
    if (used >= this.limit) {
      return {
        allowed: false,
        limit: this.limit,
        remaining: 0,
        resetAt: (this.hits[this.head] as number) + this.windowMs,
      };
    }
    this.hits.push(now);
    return { allowed: true, limit: this.limit, remaining: this.limit - used - 1, resetAt: now };
  }
}

export class KeyedWindows {
  private readonly windows = new Map<string, RateLimitWindow>();
  constructor(private readonly make: (key: string) => RateLimitWindow) {}
  hit(key: string, now: number): Verdict {
    let w = this.windows.get(key);
    if (!w) {
      w = this.make(key);
      this.windows.set(key, w);
    }
    return w.hit(now);
  }
  clear(): void {
    this.windows.clear();
  }
}

/** Per IP: past the limit the IP is banned for `banMs` (Bybit: "403, access too frequent", >= 10 min). */
export class IpGuard {
  private readonly windows: KeyedWindows;
  private readonly bannedUntil = new Map<string, number>();
  constructor(
    limit: number,
    windowMs: number,
    private readonly banMs: number,
  ) {
    this.windows = new KeyedWindows(() => new RateLimitWindow(limit, windowMs));
  }
  hit(ip: string, now: number): Verdict {
    const until = this.bannedUntil.get(ip);
    if (until !== undefined && now < until) return { allowed: false, limit: 0, remaining: 0, resetAt: until };
    const v = this.windows.hit(ip, now);
    if (!v.allowed && this.banMs > 0) {
      this.bannedUntil.set(ip, now + this.banMs);
      return { ...v, resetAt: now + this.banMs };
    }
    return v;
  }
  clear(): void {
    this.windows.clear();
    this.bannedUntil.clear();
  }
}
