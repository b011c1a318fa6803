import type { GuardMode } from '@tierwatch/shared';
import type { EventBus } from '../core/bus.ts';
import type { Clock } from '../core/clock.ts';
import { type Logger, silentLogger } from '../core/logger.ts';

/**
 * The execution guard: while any execution runs, the monitor is critical-only (CRITICAL checks and TP/SL
 * handling go on; everything else waits) and the execution's exchange calls ride the top lane.
 *
 * Executions may overlap, so the guard counts them: the first in switches to critical-only, the last out
 * switches back. Each entry carries its own timer on the injected clock; when it runs out the entry is
 * dropped as if the execution had finished, so a hung or crashed execution can never keep the monitor
 * paused past `timeoutMs`. Releasing twice (finish after timeout) is harmless.
 */

export type ReleaseReason = 'execution-finished' | 'timeout' | 'error';

export interface GuardTarget {
  setMode(mode: GuardMode): void;
}

export class ExecutionGuard {
  private readonly active = new Map<number, AbortController>();
  private nextId = 1;
  private modeNow: GuardMode = 'normal';
  /** Entries dropped by their timer (tests and stats). */
  timeouts = 0;

  constructor(
    private readonly deps: {
      monitor: GuardTarget;
      bus: EventBus;
      clock: Clock;
      timeoutMs: number;
      logger?: Logger;
    },
  ) {}

  get mode(): GuardMode {
    return this.modeNow;
  }

  /** Executions currently holding the guard. */
  get holders(): number {
    return this.active.size;
  }

  /** Enters the guard; call the returned function exactly when the execution ends (extra calls are ignored). */
  enter(label: string): (reason?: Exclude<ReleaseReason, 'timeout'>) => void {
    const id = this.nextId++;
    const timer = new AbortController();
    this.active.set(id, timer);
    this.deps.clock.sleep(this.deps.timeoutMs, timer.signal).then(
      () => {
        if (!this.active.has(id)) return;
        this.timeouts++;
        (this.deps.logger ?? silentLogger).warn(
          { execution: label, timeoutMs: this.deps.timeoutMs },
          'execution guard timed out; normal monitoring restored',
        );
        this.leave(id, 'timeout');
      },
      () => {},
    );
    // After the timer is armed: whatever happens from here on, the entry is dropped by timeoutMs at the latest.
    if (this.active.size === 1) this.switchTo('critical-only', 'execution-started');
    return (reason = 'execution-finished') => this.leave(id, reason);
  }

  private leave(id: number, reason: ReleaseReason): void {
    const timer = this.active.get(id);
    if (!timer) return;
    this.active.delete(id);
    timer.abort();
    if (this.active.size === 0) this.switchTo('normal', reason);
  }

  private switchTo(mode: GuardMode, reason: 'execution-started' | ReleaseReason): void {
    if (mode === this.modeNow) return;
    this.modeNow = mode;
    try {
      this.deps.monitor.setMode(mode);
    } catch (err) {
      // Never out of enter/release: a throw there would skip the release (guard held) or turn an execution
      // whose orders are out into an error. The next switch tries again.
      (this.deps.logger ?? silentLogger).error({ err, mode }, 'execution guard: the monitor refused the mode change');
    }
    this.deps.bus.publish({ type: 'guard-mode', at: this.deps.clock.now(), mode, reason });
  }

  /** Drops every entry (companion shutting down): monitoring back to normal. */
  releaseAll(): void {
    for (const id of [...this.active.keys()]) this.leave(id, 'execution-finished');
  }
}
