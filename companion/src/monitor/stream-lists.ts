import type { Order, Position } from '@tierwatch/shared';
import type { Logger } from '../core/logger.ts';

/**
 * Each streamed account's last full lists: the latest REST read, plus every push since. A REST answer is
 * the new base, and the pushes that arrived after its request started are replayed over it (the answer
 * may be older than them). Whatever REST shows that no push had said is a change the stream missed: it
 * is counted and logged (the "REST-only discoveries").
 */

export const posKey = (p: Position) => `${p.symbol}|${p.side}`;
/** Pushes kept to replay over a REST answer whose request started before them. */
const REPLAY_MS = 30_000;

type Push = { at: number; open: Position[]; closed: string[] };

export class StreamedLists {
  private readonly positionsOf = new Map<string, Map<string, Position>>();
  private readonly ordersOf = new Map<string, Map<string, Order>>();
  private readonly pushes = new Map<string, Push[]>();
  /** Positions and orders a REST read found that the streams had not said. */
  restOnly = 0;

  constructor(private readonly log: Logger) {}

  /** The account's positions now; null before its first REST read (nothing to update yet). */
  positions(account: string): Position[] | null {
    const known = this.positionsOf.get(account);
    return known ? [...known.values()] : null;
  }

  has(account: string): boolean {
    return this.positionsOf.has(account);
  }

  /** A position push: kept for replay, and merged into the list; false before the first REST read. */
  pushPositions(account: string, open: Position[], closedSymbols: string[], at: number): boolean {
    const log = this.pushes.get(account) ?? [];
    this.pushes.set(account, log);
    log.push({ at, open, closed: closedSymbols });
    while (log.length > 0 && (log[0] as Push).at < at - REPLAY_MS) log.shift();
    const known = this.positionsOf.get(account);
    // Before the first REST read there is no list to update: the read replays this push.
    if (!known) return false;
    merge(known, open, closedSymbols);
    return true;
  }

  /** An order push: the account's open orders after it; null before the first REST read. */
  pushOrders(account: string, orders: Order[]): Order[] | null {
    const known = this.ordersOf.get(account);
    if (!known) return null;
    for (const o of orders) {
      if (o.status === 'open') known.set(o.id, o);
      else known.delete(o.id);
    }
    return [...known.values()];
  }

  /** A REST read of all positions, requested at `start`: the new base list; later pushes replayed over it. */
  restPositions(account: string, positions: Position[], start: number): void {
    const fresh = new Map(positions.map((p) => [posKey(p), p]));
    const pushed = (this.pushes.get(account) ?? []).filter((p) => p.at >= start);
    const known = this.positionsOf.get(account);
    // Whatever the source now: a change REST sees that no push said is one the stream missed (while down too).
    if (known) {
      const touched = new Set(pushed.flatMap((p) => [...p.open.map((x) => x.symbol), ...p.closed]));
      const found: string[] = [];
      for (const [k, p] of fresh) {
        const s = known.get(k);
        if (touched.has(p.symbol)) continue;
        if (!s || s.size !== p.size || s.takeProfit !== p.takeProfit || s.stopLoss !== p.stopLoss) found.push(k);
      }
      for (const [k, s] of known) if (!fresh.has(k) && !touched.has(s.symbol)) found.push(k);
      if (found.length > 0) {
        this.restOnly += found.length;
        this.log.warn(
          { account, positions: found.slice(0, 20), count: found.length },
          'REST found what the stream did not say',
        );
      }
    }
    for (const p of pushed) merge(fresh, p.open, p.closed);
    this.positionsOf.set(account, fresh);
  }

  restOrders(account: string, orders: Order[]): void {
    const known = this.ordersOf.get(account);
    if (known) {
      const ids = new Set(orders.map((o) => o.id));
      const found =
        orders.filter((o) => !known.has(o.id)).length + [...known.keys()].filter((id) => !ids.has(id)).length;
      if (found > 0) {
        this.restOnly += found;
        this.log.warn({ account, count: found }, 'REST found orders the stream did not say');
      }
    }
    this.ordersOf.set(account, new Map(orders.map((o) => [o.id, o])));
  }
}

function merge(into: Map<string, Position>, open: Position[], closed: string[]): void {
  for (const sym of closed) for (const k of [...into.keys()]) if (k.startsWith(`${sym}|`)) into.delete(k);
  for (const p of open) {
    // One-way mode: a symbol holds one side; a flip replaces it.
    for (const k of [...into.keys()]) if (k.startsWith(`${p.symbol}|`)) into.delete(k);
    into.set(posKey(p), p);
  }
}
