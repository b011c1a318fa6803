/** Every request counted by endpoint and account, every limit violation and injected fault: benchmarks read these. */

export interface PaperStats {
  since: number;
  now: number;
  total: number;
  byEndpoint: Record<string, number>;
  byAccount: Record<string, number>;
  byAccountEndpoint: Record<string, Record<string, number>>;
  violations: {
    total: number;
    ip: number;
    account: number;
    byEndpoint: Record<string, number>;
    byAccount: Record<string, number>;
  };
  authFailures: number;
  badRequests: number;
  faults: { errors: number; timeouts: number; storms: number; outage: number };
  streams: StreamStats;
}

export type StreamKind = 'public' | 'private' | 'trade';

/** The WebSocket side: connections by path, pushes by topic family (tickers, position, pong, ...), faults. */
export interface StreamStats {
  opened: Record<StreamKind, number>;
  open: Record<StreamKind, number>;
  /** Handshakes refused: over the per-IP connection limit, by an injected refusal, or an unknown path. */
  refused: { limit: number; fault: number; path: number };
  messages: number;
  byTopic: Record<string, number>;
  /** Messages a stalled stream swallowed. */
  stalled: number;
  dropped: number;
  idleCuts: number;
  authFailures: number;
  received: number;
}

const bump = (rec: Record<string, number>, key: string, n = 1) => {
  rec[key] = (rec[key] ?? 0) + n;
};

export class StatsRecorder {
  private s: PaperStats;
  constructor(now: number) {
    this.s = StatsRecorder.empty(now);
  }
  private static empty(now: number): PaperStats {
    return {
      since: now,
      now,
      total: 0,
      byEndpoint: {},
      byAccount: {},
      byAccountEndpoint: {},
      violations: { total: 0, ip: 0, account: 0, byEndpoint: {}, byAccount: {} },
      authFailures: 0,
      badRequests: 0,
      faults: { errors: 0, timeouts: 0, storms: 0, outage: 0 },
      streams: {
        opened: { public: 0, private: 0, trade: 0 },
        open: { public: 0, private: 0, trade: 0 },
        refused: { limit: 0, fault: 0, path: 0 },
        messages: 0,
        byTopic: {},
        stalled: 0,
        dropped: 0,
        idleCuts: 0,
        authFailures: 0,
        received: 0,
      },
    };
  }
  /** The live stream counters, mutated in place by the stream server (hot path: one push per message). */
  get streams(): StreamStats {
    return this.s.streams;
  }
  call(endpoint: string, account: string): void {
    this.s.total++;
    bump(this.s.byEndpoint, endpoint);
    bump(this.s.byAccount, account);
    this.s.byAccountEndpoint[account] ??= {};
    bump(this.s.byAccountEndpoint[account], endpoint);
  }
  violation(kind: 'ip' | 'account', endpoint: string, account: string): void {
    this.s.violations.total++;
    this.s.violations[kind]++;
    bump(this.s.violations.byEndpoint, endpoint);
    bump(this.s.violations.byAccount, account);
  }
  fault(kind: keyof PaperStats['faults']): void {
    this.s.faults[kind]++;
  }
  authFailure(): void {
    this.s.authFailures++;
  }
  badRequest(): void {
    this.s.badRequests++;
  }
  snapshot(now: number): PaperStats {
    return structuredClone({ ...this.s, now });
  }
  reset(now: number): void {
    const open = this.s.streams.open;
    this.s = StatsRecorder.empty(now);
    // Open connections are a level, not a count: they survive a reset.
    this.s.streams.open = { ...open };
  }
}
