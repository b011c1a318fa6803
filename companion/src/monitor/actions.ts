import type { BusEvent, PositionSide } from '@tierwatch/shared';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { MarketData } from '../exchange/types.ts';
import type { AccountState } from './accounts.ts';
import type { MonitorConfig } from './config.ts';
import { type Entry, lastMark } from './entry.ts';
import type { PositionBook } from './position-book.ts';

/**
 * What follows a fresh position read of one account: missing-SL alerts (and re-placing the SL when
 * configured) and mirror drift (a main position closed while its mirror's is still open; closing the
 * mirror when configured). The only monitor code that writes to the exchange, and only when told to.
 */

export interface ActionsDeps {
  config: MonitorConfig;
  clock: Clock;
  log: Logger;
  market: MarketData;
  book: PositionBook;
  accounts: ReadonlyMap<string, AccountState>;
  publish(event: BusEvent): void;
  recordCall(endpoint: string, account: string, n: number, failed?: boolean): void;
  refreshAccount(account: string): void;
}

export class AccountActions {
  private seq = 0;
  constructor(private readonly d: ActionsDeps) {}

  async afterPositions(
    a: AccountState,
    res: { closed: Entry[]; missingSl: Entry[] },
    readStart: number,
  ): Promise<void> {
    for (const e of res.missingSl) await this.missingSl(a, e);
    for (const e of res.closed) this.mainClosed(a, e);
    await this.checkMirror(a, readStart);
  }

  private async missingSl(a: AccountState, e: Entry): Promise<void> {
    const { config, clock, publish } = this.d;
    const now = clock.now();
    const prev = e.slMissing;
    const retry =
      prev && prev.action !== 'alerted' && prev.action !== 'pending' && now - prev.at >= config.missingSl.retryMs;
    if (prev && !retry) return;
    const key = { account: a.name, symbol: e.symbol, side: e.side };
    if (!config.missingSl.replace) {
      e.slMissing = { at: now, action: 'alerted' };
      publish({ type: 'missing-sl', at: now, ...key, action: 'alerted' });
      return;
    }
    e.slMissing = { at: now, action: 'pending' };
    const level = this.slLevel(e);
    try {
      await a.client.setTradingStop(e.symbol, e.side, { stopLoss: level }, { lane: 'critical' });
      this.d.recordCall('setTradingStop', a.name, 1);
      e.slMissing = { at: clock.now(), action: 'replaced' };
      this.d.log.info({ ...key, stopLoss: level }, 'missing SL re-placed');
      this.d.refreshAccount(a.name); // confirm it took, and show it
    } catch (err) {
      this.d.recordCall('setTradingStop', a.name, 1, true);
      e.slMissing = { at: clock.now(), action: 'replace-failed' };
      this.d.log.warn({ ...key, stopLoss: level, err: String(err) }, 'missing SL re-place failed');
    }
    publish({
      type: 'missing-sl',
      at: clock.now(),
      ...key,
      action: e.slMissing.action as 'replaced' | 'replace-failed',
    });
  }

  /** The last SL seen while it still protects; else fallbackDistancePct beyond the mark, on the tick. */
  slLevel(e: Entry): number {
    const mark = lastMark(e);
    const long = e.side === 'long';
    const last = e.lastKnownSl;
    if (last !== null && (long ? last < mark : last > mark)) return last;
    const pct = this.d.config.missingSl.fallbackDistancePct / 100;
    const raw = long ? mark * (1 - pct) : mark * (1 + pct);
    const tick = this.d.market.instrument(e.symbol)?.tickSize;
    if (!tick) return raw;
    // Round away from the mark so the SL never ends up closer than asked.
    const steps = long ? Math.floor(raw / tick) : Math.ceil(raw / tick);
    return Number((steps * tick).toFixed(12));
  }

  /** A main position closed: every mirror still holding it gets re-read, then checked. */
  private mainClosed(main: AccountState, e: Entry): void {
    if (main.client.account.role !== 'main') return;
    for (const m of this.d.accounts.values()) {
      const acc = m.client.account;
      if (acc.role !== 'mirror' || acc.mirrorOf !== main.name) continue;
      if (!this.d.book.has(m.name, e.symbol, e.side)) continue;
      m.mirrorChecks.push({ main: main.name, symbol: e.symbol, side: e.side, since: this.d.clock.now() });
      this.d.refreshAccount(m.name);
    }
  }

  /** On a mirror's read that started after the main's close was seen: is the mirror still open? */
  private async checkMirror(m: AccountState, readStart: number): Promise<void> {
    const ready = m.mirrorChecks.filter((c) => c.since <= readStart);
    if (ready.length === 0) return;
    m.mirrorChecks = m.mirrorChecks.filter((c) => c.since > readStart);
    for (const c of ready) {
      if (!this.d.book.has(m.name, c.symbol, c.side)) continue;
      await this.drift(m, c.main, c.symbol, c.side);
    }
  }

  private async drift(m: AccountState, main: string, symbol: string, side: PositionSide): Promise<void> {
    const { clock, publish, config } = this.d;
    const base = { type: 'mirror-drift', main, mirror: m.name, symbol, side } as const;
    if (!config.mirror.closeOnMainClose) {
      publish({ ...base, at: clock.now(), action: 'alerted' });
      return;
    }
    // Short and unique: Bybit's orderLinkId allows 36 characters.
    const clientOrderId = `twmc-${clock.now().toString(36)}-${(this.seq++).toString(36)}`;
    try {
      await m.client.closePosition(symbol, side, clientOrderId, { lane: 'critical' });
      this.d.recordCall('closePosition', m.name, 1);
      publish({ ...base, at: clock.now(), action: 'closed' });
      this.d.refreshAccount(m.name);
    } catch (err) {
      this.d.recordCall('closePosition', m.name, 1, true);
      this.d.log.warn({ mirror: m.name, symbol, side, err: String(err) }, 'closing mirror failed');
      publish({ ...base, at: clock.now(), action: 'close-failed' });
    }
  }
}
