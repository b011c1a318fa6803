import type { BusEvent, CloseReason } from '@tierwatch/shared';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { CloseCause } from '../exchange/types.ts';
import type { AccountState } from './accounts.ts';
import type { Entry } from './entry.ts';

/**
 * Every close says why. The book only sees a position vanish from a read; a TP or SL that fired between
 * two reads shows no price past the level, so the close would be `unknown` and no hit announced at all.
 * The exchange knows: its order history (one call per account read that found closes, on the critical
 * lane) names the TP, SL, trailing stop, liquidation, our own client order id, or the trader's hand. A
 * triggered close the prices never showed also gets its tp-hit / sl-hit, once. When the history cannot be
 * read, the price explanation (the level the last price had reached) is the fallback, else `unknown`.
 */

export interface CloseReasonDeps {
  clock: Clock;
  log: Logger;
  publish(event: BusEvent): void;
  recordCall(endpoint: string, account: string, n: number, failed?: boolean): void;
}

/** Exchange and companion clocks differ a little; a close stamped slightly before our read still counts. */
const CLOCK_SLACK_MS = 5000;

export async function reportCloses(d: CloseReasonDeps, a: AccountState, closed: readonly Entry[]): Promise<void> {
  if (closed.length === 0) return;
  const causes = await lookUp(d, a, closed);
  for (const e of closed) {
    const cause = causes.find((c) => c.symbol === e.symbol && c.side === e.side) ?? null;
    const reason: CloseReason = cause?.reason ?? e.closedAs ?? 'unknown';
    const now = d.clock.now();
    const key = { account: a.name, symbol: e.symbol, side: e.side };
    if ((reason === 'tp' || reason === 'sl') && e.hitPublished !== reason) {
      const level = cause?.level ?? (reason === 'tp' ? e.position.takeProfit : e.position.stopLoss);
      const price = cause?.price ?? level;
      if (level !== null && price !== null) {
        e.hitPublished = reason;
        d.publish({ type: reason === 'tp' ? 'tp-hit' : 'sl-hit', at: now, ...key, price, level });
      }
    }
    const price = cause?.price ?? undefined;
    d.publish({ type: 'position-closed', at: now, ...key, reason, ...(price ? { price } : {}) });
  }
}

async function lookUp(d: CloseReasonDeps, a: AccountState, closed: readonly Entry[]): Promise<CloseCause[]> {
  const fetch = a.client.fetchCloseCauses?.bind(a.client);
  if (!fetch) return [];
  const since = Math.min(...closed.map((e) => e.listedAt)) - CLOCK_SLACK_MS;
  try {
    const causes = await fetch(
      closed.map((e) => e.symbol),
      since,
      { lane: 'critical', retries: 1 },
    );
    d.recordCall('closeCauses', a.name, 1);
    return causes;
  } catch (err) {
    d.recordCall('closeCauses', a.name, 1, true);
    d.log.warn(
      { account: a.name, err: String(err) },
      'close reasons: order history unreadable, falling back to prices',
    );
    return [];
  }
}
