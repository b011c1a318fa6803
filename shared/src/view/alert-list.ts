import type { Account } from '../account.ts';
import { type AlertGroup, alertGroup } from '../alert-text.ts';
import type { Alert } from '../events.ts';
import { familyKey } from './keys.ts';

/** An alert as the popup lists it: the family it belongs to, and how many times it came (newest kept). */
export interface AlertEntry extends Alert {
  family: string | null;
  count: number;
}

/** Per group: hits (SL, TP, liquidation) and the rest are capped apart, so the rest never pushes out a hit. */
export const MAX_ALERTS = 50;

/**
 * The alert list after one more alert: a family has one entry per group (its newest, counting repeats),
 * and the hits keep their own MAX_ALERTS however many CRITICAL entries come after them.
 */
export function addAlert(list: readonly AlertEntry[], alert: Alert, family: string | null): AlertEntry[] {
  const group = alertGroup(alert.kind);
  const same = (a: AlertEntry) =>
    family !== null &&
    a.family === family &&
    alertGroup(a.kind) === group &&
    (group !== 'other' || a.kind === alert.kind);
  const prev = list.find(same);
  // A family's entry speaks of its main leg when it has one: "BTCUSDT long on main", not whichever mirror
  // leg came last (the count says how many came).
  const fromMain = (a: Alert) => family !== null && a.account !== null && family.startsWith(`${a.account}:`);
  const keep = prev && fromMain(prev) && !fromMain(alert) ? { message: prev.message, severity: prev.severity } : {};
  const entry: AlertEntry = { ...alert, ...keep, family, count: (prev?.count ?? 0) + 1 };
  const out: AlertEntry[] = [entry];
  const kept: Record<AlertGroup, number> = { hit: 0, critical: 0, other: 0 };
  kept[group] = 1;
  for (const a of list) {
    if (a === prev) continue;
    const g = alertGroup(a.kind) === 'hit' ? 'hit' : 'critical';
    const n = g === 'hit' ? kept.hit : kept.critical + kept.other;
    if (n >= MAX_ALERTS) continue;
    if (g === 'hit') kept.hit++;
    else kept.critical++;
    out.push(a);
  }
  return out;
}

export const alertFamily = (a: Alert, accounts: readonly Account[]): string | null =>
  a.account && a.symbol && a.side ? familyKey({ account: a.account, symbol: a.symbol, side: a.side }, accounts) : null;
