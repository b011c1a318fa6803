import type { BusEvent, KeyHealth } from '@tierwatch/shared';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { AccountCheck } from './check.ts';
import { keyHealth, keyNotice } from './key-health.ts';

/**
 * Watches the checked accounts' keys while the companion runs, without a call of its own: the expiry
 * against the clock, and the exchange layer's verdict on the credentials (an account it stopped because
 * the exchange refused them). Serves each account's KeyHealth to the monitor's stats (the popup) and
 * publishes a key-health event (a notification) when a key starts failing or another day of its expiry
 * countdown begins.
 */
export class KeyWatch {
  private readonly health = new Map<string, KeyHealth>();
  private readonly announcedDay = new Map<string, number | null>();
  private readonly stop = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(
    private readonly checks: readonly AccountCheck[],
    private readonly deps: {
      clock: Clock;
      publish(event: BusEvent): void;
      /** Why the exchange refuses the account's key now, or null. */
      refusedNow(account: string): string | null;
      logger: Logger;
      everyMs?: number;
      expiryWarnDays?: number;
    },
  ) {
    this.tick();
  }

  of(account: string): KeyHealth | null {
    return this.health.get(account) ?? null;
  }

  /** Recomputes every account's health; publishes what is news. */
  tick(): void {
    const now = this.deps.clock.now();
    for (const c of this.checks) {
      const prev = this.health.get(c.account) ?? null;
      const next = keyHealth(c.assessment, {
        now,
        refusedNow: this.deps.refusedNow(c.account),
        expiryWarnDays: this.deps.expiryWarnDays,
      });
      this.health.set(c.account, next);
      const notice = keyNotice(prev, next, now, this.announcedDay.get(c.account) ?? null);
      if (!notice) continue;
      this.announcedDay.set(c.account, notice.day);
      this.deps.logger[notice.status === 'refused' ? 'error' : 'warn']({ account: c.account }, notice.message);
      this.deps.publish({
        type: 'key-health',
        at: now,
        account: c.account,
        status: notice.status,
        expiresAt: next.expiresAt,
        message: `${c.account}: ${notice.message}`,
      });
    }
  }

  start(): void {
    if (this.checks.length === 0) return;
    this.loop ??= (async () => {
      while (!this.stop.signal.aborted) {
        await this.deps.clock.sleep(this.deps.everyMs ?? 10_000, this.stop.signal).catch(() => {});
        if (!this.stop.signal.aborted) this.tick();
      }
    })();
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }
}
