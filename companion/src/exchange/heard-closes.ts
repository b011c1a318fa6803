import type { Account } from '@tierwatch/shared';
import type { Clock } from '../core/clock.ts';
import type { AccountClientDeps } from './account-calls.ts';
import { CcxtAccountClient } from './account-client.ts';
import type { Bybit } from './bybit.ts';
import { type CloseCause, closeCauses } from './close-cause.ts';
import type { CallOptions } from './types.ts';

/**
 * The closing fills an account's private stream carried: its order pushes are the rows /v5/order/history
 * would list (stopOrderType, createType, orderLinkId, avgPrice, triggerPrice) and its execution pushes the
 * rows of /v5/execution/list (execType, closedSize). A close the stream already explained needs no history
 * read: with every ticker and position heard, that read was most of a streamed account's REST calls.
 */
export class HeardCloses {
  private rows: { at: number; row: Record<string, unknown> }[] = [];

  constructor(
    private readonly clock: Clock,
    /** How long a heard row is kept: closes are explained within seconds of being seen. */
    private readonly keepMs = 120_000,
  ) {}

  /** Order or execution rows of one push, raw. */
  add(rows: readonly Record<string, unknown>[]): void {
    const now = this.clock.now();
    for (const row of rows) this.rows.push({ at: now, row });
    const cutoff = now - this.keepMs;
    if ((this.rows[0]?.at ?? now) < cutoff) this.rows = this.rows.filter((r) => r.at >= cutoff);
  }

  causes(symbols: ReadonlySet<string>, since: number): CloseCause[] {
    return closeCauses(
      this.rows.map((r) => r.row),
      symbols,
      since,
    );
  }
}

/** The account's client, explaining closes from what its stream carried first; the rest from REST. */
export class StreamedAccountClient extends CcxtAccountClient {
  constructor(
    account: Account,
    ex: Bybit,
    deps: AccountClientDeps,
    readonly heard: HeardCloses,
  ) {
    super(account, ex, deps);
  }

  override async fetchCloseCauses(symbols: readonly string[], since: number, opts: CallOptions): Promise<CloseCause[]> {
    const found = this.heard.causes(new Set(symbols), since);
    const rest = symbols.filter((s) => !found.some((c) => c.symbol === s));
    return rest.length === 0 ? found : [...found, ...(await super.fetchCloseCauses(rest, since, opts))];
  }
}
