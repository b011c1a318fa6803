import type { Instrument } from './types.ts';

/**
 * Whether an instrument's trading rules can be used at all, pure. A quantity step of 0 (or "", or NaN, as a
 * market list can carry) passes every comparison in validation and only fails in ccxt's rounding, after the
 * order was journaled and the guard engaged; a tick of 0 makes every price "on the tick". Rules that fail
 * here are refused where they are loaded (the symbol is not traded) and again where an order is validated.
 * Returns the first problem, naming the field and the value, or null.
 */
export function instrumentRuleProblem(i: Instrument): string | null {
  const shown = (v: unknown) =>
    v === undefined || v === null
      ? 'missing'
      : typeof v === 'number'
        ? Number.isNaN(v)
          ? 'not a number'
          : String(v)
        : JSON.stringify(v);
  const positive: (keyof Instrument)[] = ['tickSize', 'qtyStep', 'minQty', 'maxQty'];
  for (const field of positive) {
    const v = i[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      return `${field} = ${shown(v)} (must be a positive number)`;
  }
  if (typeof i.minNotional !== 'number' || !Number.isFinite(i.minNotional) || i.minNotional < 0)
    return `minNotional = ${shown(i.minNotional)} (must be a number, 0 or more)`;
  if (i.maxQty < i.minQty) return `maxQty = ${i.maxQty} is below minQty = ${i.minQty}`;
  return null;
}
