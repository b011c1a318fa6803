import type { ChangeSet, PaperAccount, PaperExecution, PaperOrder } from './types.ts';

export const emptyChanges = (): ChangeSet => ({
  orders: new Map(),
  positions: new Set(),
  executions: [],
  wallet: false,
});

export const hasChanges = (c: ChangeSet): boolean =>
  c.orders.size > 0 || c.positions.size > 0 || c.executions.length > 0 || c.wallet;

export function markOrder(acc: PaperAccount, o: PaperOrder): void {
  acc.changes.orders.set(o.orderId, o);
  // Margin is reserved or freed by every order change (Bybit pushes the wallet with it).
  acc.changes.wallet = true;
}

export function markPosition(acc: PaperAccount, symbol: string): void {
  acc.changes.positions.add(symbol);
}

export function markExecution(acc: PaperAccount, e: PaperExecution): void {
  acc.changes.executions.push(e);
  acc.changes.positions.add(e.symbol);
  acc.changes.wallet = true;
}
