import { Rng } from '../../core/rng.ts';
import type { PaperEngine } from '../engine/engine.ts';
import { sign } from '../engine/ledger.ts';
import { ApiPermissions, Faults, Latency, type PaperOptions, type TimeWindow } from '../options.ts';
import { LostPushes } from '../streams/lost-pushes.ts';
import { IpGuard, KeyedWindows, RateLimitWindow, type Verdict } from './limits.ts';
import type { PositionMode } from './route-kit.ts';
import { type PaperStats, StatsRecorder, type StreamStats } from './stats.ts';
import { StreamFaults, type StreamScope } from './stream-faults.ts';

/**
 * The in-process control surface (also served under /sim/): prices, time, latency, faults, counters.
 * It owns the mutable run-time settings; the HTTP layer asks it what to do with each request.
 */

export type FaultDecision = 'none' | 'outage' | 'error' | 'timeout' | 'storm';

export interface PositionView {
  account: string;
  symbol: string;
  side: 'long' | 'short';
  size: number;
  entryPrice: number;
  markPrice: number;
  takeProfit: number | null;
  stopLoss: number | null;
  updatedTime: number;
}

/**
 * A bad answer of position/list for one account (tests of the reader): the raw fields of one symbol's row
 * replaced (an undefined field is left out of the JSON, a "missing" field), or a well-formed empty list.
 */
export type PositionRowFault = { symbol: string; fields: Record<string, unknown> } | { empty: true };

export class PaperControl {
  private readonly rowFaults = new Map<string, PositionRowFault>();
  /** The streams' latency and faults, by scope. */
  private readonly streams: StreamFaults;
  /** Single messages lost on an open stream (a gap in it): see streams/lost-pushes.ts. */
  readonly lostPushes = new LostPushes();
  private latency: Latency;
  /** Per-account latency replacing the global one for that account's private requests (a slow mirror). */
  private readonly accountLatency = new Map<string, Latency>();
  private faults: Faults;
  private readonly faultRng: Rng;
  private readonly stats: StatsRecorder;
  private readonly accountWindows: KeyedWindows;
  private readonly ip: IpGuard;
  private limitsEnabled: boolean;
  private readonly permissions = new Map<string, ApiPermissions>();
  private readonly positionModes = new Map<string, PositionMode>();

  constructor(
    readonly engine: PaperEngine,
    opts: PaperOptions,
  ) {
    this.latency = { ...opts.latency };
    this.faults = { ...opts.faults };
    this.faultRng = new Rng(opts.seed ^ 0xfa017);
    this.stats = new StatsRecorder(engine.now());
    this.streams = new StreamFaults(
      () => this.now(),
      this.faultRng,
      (n) => {
        this.stats.streams.dropped += n;
      },
    );
    const l = opts.limits;
    this.accountWindows = new KeyedWindows((key) => {
      const endpoint = key.slice(key.indexOf(' ') + 1);
      return new RateLimitWindow(l.perAccount[endpoint] ?? l.perAccountDefault, l.perAccountWindowMs);
    });
    this.ip = new IpGuard(l.ip.limit, l.ip.windowMs, l.ip.banMs);
    this.limitsEnabled = l.enabled;
    for (const [name, p] of Object.entries(opts.permissions)) this.permissions.set(name, p);
  }

  /** The account's API key permissions (query-api, and every write checks them). */
  permissionsOf(account: string): ApiPermissions {
    return this.permissions.get(account) ?? ApiPermissions.parse({});
  }
  setPermissions(account: string, p: Partial<ApiPermissions>): ApiPermissions {
    const next = ApiPermissions.parse({ ...this.permissionsOf(account), ...p });
    this.permissions.set(account, next);
    return next;
  }

  /** One-way unless set: the only mode the companion trades in (hedge mode is refused by name). */
  positionModeOf(account: string): PositionMode {
    return this.positionModes.get(account) ?? 'one-way';
  }
  setPositionMode(account: string, mode: PositionMode): PositionMode {
    this.positionModes.set(account, mode);
    return mode;
  }

  /** Lifts (false) or restores (true) every rate limit at run time; counting goes on either way. */
  setLimitsEnabled(enabled: boolean): void {
    this.limitsEnabled = enabled;
  }

  now(): number {
    return this.engine.now();
  }

  // --- market and time ---
  setPrice(symbol: string, price: number): number {
    return this.engine.setPrice(symbol, price);
  }
  movePrice(symbol: string, pct: number): number {
    return this.engine.movePrice(symbol, pct);
  }
  price(symbol: string): number {
    this.engine.sync();
    return this.engine.mark(symbol);
  }
  /** Simulated time forward by `ms` (on top of the clock), running the market through it. */
  step(ms: number): void {
    this.engine.step(ms);
  }
  positions(account: string): PositionView[] {
    this.engine.sync();
    const acc = this.engine.account(account);
    if (!acc) return [];
    return [...acc.positions.values()].map((p) => ({
      account,
      symbol: p.symbol,
      side: sign(p.side) > 0 ? 'long' : 'short',
      size: p.size,
      entryPrice: p.entryPrice,
      markPrice: this.engine.mark(p.symbol),
      takeProfit: p.takeProfit,
      stopLoss: p.stopLoss,
      updatedTime: p.updatedTime,
    }));
  }

  // --- latency and faults ---
  setLatency(l: Partial<Latency>): Latency {
    this.latency = Latency.parse({ ...this.latency, ...l });
    return this.latency;
  }
  getLatency(): Latency {
    return { ...this.latency };
  }
  /** Latency for one account's requests only; null goes back to the global latency. */
  setAccountLatency(account: string, l: Partial<Latency> | null): Latency | null {
    if (l === null) {
      this.accountLatency.delete(account);
      return null;
    }
    const next = Latency.parse({ ...(this.accountLatency.get(account) ?? this.latency), ...l });
    this.accountLatency.set(account, next);
    return next;
  }
  setFaults(f: Partial<Faults>): Faults {
    this.faults = Faults.parse({ ...this.faults, ...f });
    return this.faults;
  }
  getFaults(): Faults {
    return { ...this.faults };
  }
  /** position/list for `account` answers with `fault` until cleared with null. */
  setPositionRowFault(account: string, fault: PositionRowFault | null): void {
    if (fault === null) this.rowFaults.delete(account);
    else this.rowFaults.set(account, fault);
  }
  /** The answer of `endpoint` for `account`, as a set PositionRowFault makes it. */
  rewriteAnswer(endpoint: string, account: string, result: unknown): unknown {
    const fault = this.rowFaults.get(account);
    if (!fault || endpoint !== '/v5/position/list') return result;
    const r = result as { list: Record<string, unknown>[] };
    if ('empty' in fault) return { ...r, list: [], nextPageCursor: '' };
    return { ...r, list: r.list.map((row) => (row.symbol === fault.symbol ? { ...row, ...fault.fields } : row)) };
  }
  /** Convenience: every request fails with HTTP 503 for `durationMs` from now. */
  startOutage(durationMs: number): TimeWindow {
    const now = this.now();
    return this.setFaults({ outage: { startAt: now, endAt: now + durationMs } }).outage as TimeWindow;
  }

  /** Latency for this request (the account's own when it has one): fixed plus uniform jitter. */
  delayMs(account?: string): number {
    const l = (account !== undefined && this.accountLatency.get(account)) || this.latency;
    return l.fixedMs + (l.jitterMs > 0 ? this.faultRng.next() * l.jitterMs : 0);
  }

  decideFault(isPrivate: boolean): FaultDecision {
    const f = this.faults;
    const now = this.now();
    const inside = (w: TimeWindow | null) => w !== null && now >= w.startAt && now < w.endAt;
    if (inside(f.outage)) return this.count('outage');
    if (f.errorRate > 0 && this.faultRng.next() < f.errorRate) return this.count('error');
    if (f.timeoutRate > 0 && this.faultRng.next() < f.timeoutRate) return this.count('timeout');
    if (
      isPrivate &&
      (inside(f.rateLimitStorm) || (f.rateLimitStormRate > 0 && this.faultRng.next() < f.rateLimitStormRate))
    ) {
      return this.count('storm');
    }
    return 'none';
  }
  private count(kind: Exclude<FaultDecision, 'none'>): FaultDecision {
    this.stats.fault(
      kind === 'error' ? 'errors' : kind === 'timeout' ? 'timeouts' : kind === 'storm' ? 'storms' : 'outage',
    );
    return kind;
  }
  timeoutMs(): number {
    return this.faults.timeoutMs;
  }

  // --- streams (stream-faults.ts) ---
  setStreamLatency(l: Partial<Latency> | null, scope?: StreamScope): Latency | null {
    return this.streams.setLatency(l, scope);
  }
  getStreamLatency(scope?: StreamScope): Latency {
    return this.streams.getLatency(scope);
  }
  streamDelayMs(scope: StreamScope): number {
    return this.streams.delayMs(scope);
  }
  stallStream(scope: StreamScope, ms: number): TimeWindow {
    return this.streams.stall(scope, ms);
  }
  refuseStreams(scope: StreamScope, ms: number): TimeWindow {
    return this.streams.refuse(scope, ms);
  }
  dropStreams(scope: StreamScope): number {
    return this.streams.drop(scope);
  }
  clearStreamFaults(): void {
    this.streams.clear();
    this.lostPushes.clear();
  }
  isStalled(scope: StreamScope): boolean {
    return this.streams.isStalled(scope);
  }
  isRefused(scope: StreamScope): boolean {
    return this.streams.isRefused(scope);
  }
  onStreamDrop(handler: (scope: StreamScope) => number): () => void {
    return this.streams.onDrop(handler);
  }
  /** Live counters the stream server bumps in place. */
  get streamStats(): StreamStats {
    return this.stats.streams;
  }

  // --- limits and counters ---
  hitIp(ip: string, endpoint: string, account: string): Verdict | null {
    if (!this.limitsEnabled) return null;
    const v = this.ip.hit(ip, this.now());
    if (!v.allowed) this.stats.violation('ip', endpoint, account);
    return v;
  }
  hitAccount(account: string, endpoint: string): Verdict | null {
    if (!this.limitsEnabled) return null;
    const v = this.accountWindows.hit(`${account} ${endpoint}`, this.now());
    if (!v.allowed) this.stats.violation('account', endpoint, account);
    return v;
  }
  recordCall(endpoint: string, account: string): void {
    this.stats.call(endpoint, account);
  }
  recordAuthFailure(): void {
    this.stats.authFailure();
  }
  recordBadRequest(): void {
    this.stats.badRequest();
  }
  getStats(): PaperStats {
    return this.stats.snapshot(this.now());
  }
  /** Clears counters and rate-limit windows (and any IP ban), so a benchmark phase starts clean. */
  resetStats(): void {
    this.stats.reset(this.now());
    this.accountWindows.clear();
    this.ip.clear();
  }
}
