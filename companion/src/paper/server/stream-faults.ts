import type { Rng } from '../../core/rng.ts';
import { Latency, type TimeWindow } from '../options.ts';

/** Where a stream fault applies: the public stream, or one paper account's private and trade streams. */
export type StreamScope = 'public' | (string & {});

interface StreamFaultState {
  stall: TimeWindow | null;
  refuse: TimeWindow | null;
}

/**
 * The paper exchange's stream faults, by scope: push latency, stalls (open but silent), refused connections,
 * dropped connections. PaperControl holds one and serves it; the stream server asks it before each push.
 */
export class StreamFaults {
  /** Push latency per scope ('*' is every scope without its own). */
  private readonly latency = new Map<string, Latency>([['*', { fixedMs: 0, jitterMs: 0 }]]);
  private readonly windows = new Map<string, StreamFaultState>();
  private readonly dropHandlers = new Set<(scope: StreamScope) => number>();

  constructor(
    private readonly now: () => number,
    /** The control's fault RNG, shared: one seeded sequence for every fault decision. */
    private readonly rng: Rng,
    private readonly dropped: (n: number) => void,
  ) {}

  /** Push latency for one scope, or for all (`scope` omitted); null on a scope goes back to the global one. */
  setLatency(l: Partial<Latency> | null, scope?: StreamScope): Latency | null {
    const key = scope ?? '*';
    if (l === null) {
      if (key !== '*') this.latency.delete(key);
      return key === '*' ? this.getLatency() : null;
    }
    const next = Latency.parse({ ...(this.latency.get(key) ?? this.getLatency()), ...l });
    this.latency.set(key, next);
    return next;
  }

  getLatency(scope?: StreamScope): Latency {
    return { ...((scope !== undefined && this.latency.get(scope)) || (this.latency.get('*') as Latency)) };
  }

  delayMs(scope: StreamScope): number {
    const l = this.latency.get(scope) ?? (this.latency.get('*') as Latency);
    return l.fixedMs + (l.jitterMs > 0 ? this.rng.next() * l.jitterMs : 0);
  }

  /** The scope's streams stay open but send nothing (and answer no ping) for `ms`. */
  stall(scope: StreamScope, ms: number): TimeWindow {
    return this.setWindow(scope, 'stall', ms);
  }

  /** New connections of the scope are refused for `ms` (private: at auth, the first time the account is known). */
  refuse(scope: StreamScope, ms: number): TimeWindow {
    return this.setWindow(scope, 'refuse', ms);
  }

  /** Ends the scope's open connections at once (TCP reset, no close frame); returns how many. */
  drop(scope: StreamScope): number {
    let n = 0;
    for (const h of this.dropHandlers) n += h(scope);
    this.dropped(n);
    return n;
  }

  clear(): void {
    this.windows.clear();
  }

  isStalled(scope: StreamScope): boolean {
    return this.inside(scope, 'stall');
  }

  isRefused(scope: StreamScope): boolean {
    return this.inside(scope, 'refuse');
  }

  /** The stream server registers here how to drop a scope's connections. */
  onDrop(handler: (scope: StreamScope) => number): () => void {
    this.dropHandlers.add(handler);
    return () => this.dropHandlers.delete(handler);
  }

  private setWindow(scope: StreamScope, kind: keyof StreamFaultState, ms: number): TimeWindow {
    if (!(ms >= 0)) throw new Error(`stream fault: ms must be >= 0, got ${ms}`);
    const now = this.now();
    const w = { startAt: now, endAt: now + ms };
    const state = this.windows.get(scope) ?? { stall: null, refuse: null };
    state[kind] = w;
    this.windows.set(scope, state);
    return w;
  }

  private inside(scope: StreamScope, kind: keyof StreamFaultState): boolean {
    const w = this.windows.get(scope)?.[kind];
    if (!w) return false;
    const now = this.now();
    return now >= w.startAt && now < w.endAt;
  }
}
