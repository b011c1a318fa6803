import type { Account, AccountFreshness, AccountHealth, Snapshot, TieredPosition } from '@tierwatch/shared';
import type { Clock } from '../core/clock.ts';
import type { StreamStatus } from '../exchange/types.ts';
import type { Monitor } from '../monitor/index.ts';
import { accountFreshness } from './freshness.ts';

export type BookParts = Pick<Snapshot, 'accounts' | 'positions' | 'tierCounts' | 'stats' | 'guardMode'> & {
  freshness: AccountFreshness[];
};

export interface ReadModelDeps {
  monitor: Pick<Monitor, 'positions' | 'tierCounts' | 'latest' | 'mode' | 'accountHealth'>;
  accounts: readonly Account[];
  /** The exchange's streams (absent when the monitor polls only). */
  streams?: () => readonly StreamStatus[];
  /** Whether the exchange layer stopped calling for the account because its key was refused. */
  keyRefused: (account: string) => boolean;
  clock: Clock;
  /** An account whose newest data is older than this, with no live stream, is stale. */
  staleAfterMs: number;
}

/**
 * One read model (handbook: "one book"): what the WebSocket snapshot, positions-updated and HTTP
 * /positions serve all comes from here, so the popup and the API never disagree. It reads the monitor's
 * position book (every price reclassifies it) and says how fresh each account's part of it is.
 */
export class ReadModel {
  constructor(private readonly d: ReadModelDeps) {}

  get accounts(): readonly Account[] {
    return this.d.accounts;
  }

  positions(account?: string): TieredPosition[] {
    return this.d.monitor.positions(account);
  }

  accountHealth(): AccountHealth[] {
    return this.d.monitor.accountHealth();
  }

  freshness(): AccountFreshness[] {
    const now = this.d.clock.now();
    const streams = this.d.streams?.() ?? [];
    return this.d.monitor.accountHealth().map((health) => {
      const s = streams.find((x) => x.kind === 'private' && x.account === health.account);
      return accountFreshness({
        health,
        stream: s ? { health: s.health, ageMs: s.ageMs } : null,
        keyRefused: this.d.keyRefused(health.account),
        now,
        staleAfterMs: this.d.staleAfterMs,
      });
    });
  }

  /** Everything a snapshot holds beside the hub's own (seq, alerts), taken in one synchronous turn. */
  book(): BookParts {
    const m = this.d.monitor;
    return {
      accounts: [...this.d.accounts],
      positions: m.positions(),
      tierCounts: m.tierCounts(),
      stats: m.latest(),
      guardMode: m.mode,
      freshness: this.freshness(),
    };
  }
}
