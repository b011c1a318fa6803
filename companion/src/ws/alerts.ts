import { type Alert, alertGroup, alertOf, type StreamEvent } from '@tierwatch/shared';

/**
 * Which events a trader must still see after the fact, as the alerts a snapshot carries. The wording is
 * shared/alert-text.ts, the same the extension derives from the live events.
 */
export const alertFor = (ev: StreamEvent): Alert | null => alertOf(ev);

/**
 * The newest alerts, oldest first. A position has at most one entry per group (its newest: a price
 * wobbling in and out of CRITICAL does not fill the log), and SL / TP hits and liquidations are capped
 * apart from everything else: however many CRITICAL entries follow, no hit is pushed out by them.
 */
export class AlertLog {
  private hits: Alert[] = [];
  private rest: Alert[] = [];
  constructor(private readonly limit: number) {}

  note(ev: StreamEvent): void {
    const alert = alertFor(ev);
    if (!alert) return;
    const group = alertGroup(alert.kind);
    const list = group === 'hit' ? this.hits : this.rest;
    const same = (a: Alert) =>
      a.account !== null &&
      a.account === alert.account &&
      a.symbol === alert.symbol &&
      a.side === alert.side &&
      alertGroup(a.kind) === group &&
      (group !== 'other' || a.kind === alert.kind);
    const kept = list.filter((a) => !same(a));
    kept.push(alert);
    if (kept.length > this.limit) kept.splice(0, kept.length - this.limit);
    if (group === 'hit') this.hits = kept;
    else this.rest = kept;
  }

  list(): Alert[] {
    return [...this.hits, ...this.rest].sort((a, b) => a.seq - b.seq);
  }
}
