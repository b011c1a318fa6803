import { floorToStep, type InstrumentInfo, type PositionSide, roundToStep } from '@tierwatch/shared';

/**
 * The execute form's fields as typed, each read into the figure the request takes (buildRequest in
 * execute-form.ts puts them together). A reader records what is wrong in `errors` under its field and
 * what it changed (rounding) in `notes`, and returns what it read, or nothing when there is nothing to use.
 */

export interface ExecuteForm {
  symbol: string;
  side: PositionSide;
  orderType: 'market' | 'limit';
  price: string;
  sizeMode: 'quantity' | 'risk';
  quantity: string;
  riskAmount: string;
  tpMode: 'price' | 'pct';
  tp: string;
  slMode: 'price' | 'pct';
  sl: string;
  accounts: string[];
}

export type FormField =
  | 'symbol'
  | 'side'
  | 'orderType'
  | 'price'
  | 'quantity'
  | 'riskAmount'
  | 'tp'
  | 'sl'
  | 'accounts'
  | 'form';
export type FieldErrors = Partial<Record<FormField, string>>;

/** The form being read, the instrument when it is the form's symbol, and what the readers found. */
export interface FieldReading {
  form: ExecuteForm;
  inst: InstrumentInfo | null;
  symbol: string;
  errors: FieldErrors;
  notes: string[];
}

/** A level given in % of the reference price, on the side where it belongs. */
export function levelFromPct(kind: 'tp' | 'sl', side: PositionSide, ref: number, pct: number): number {
  const up = (kind === 'tp') === (side === 'long');
  return ref * (1 + (up ? pct : -pct) / 100);
}

/** A typed number: null when blank, NaN when not a number (commas as thousands separators are fine). */
export const num = (s: string): number | null => {
  const t = s.trim().replace(/,/g, '');
  if (!t) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : Number.NaN;
};

/** A limit order's price, rounded to the tick; none for a market order. */
export function readLimitPrice(r: FieldReading): number | undefined {
  if (r.form.orderType !== 'limit') return undefined;
  const p = num(r.form.price);
  if (p === null) r.errors.price = 'a limit order needs a price';
  else if (!(p > 0)) r.errors.price = 'must be a positive number';
  else {
    const tick = r.inst?.tickSize;
    const price = tick ? roundToStep(p, tick) : p;
    if (price !== p) r.notes.push(`price ${p} rounded to ${price}, the tick`);
    return price;
  }
  return undefined;
}

/**
 * The take-profit or stop-loss as a price rounded to the tick (a % is of `refPrice`), on the side of
 * `refPrice` where it belongs; null when blank or wrong.
 */
export function readLevel(r: FieldReading, kind: 'tp' | 'sl', refPrice: number | null): number | null {
  const { form, errors } = r;
  const raw = num(kind === 'tp' ? form.tp : form.sl);
  const mode = kind === 'tp' ? form.tpMode : form.slMode;
  const label = kind === 'tp' ? 'take-profit' : 'stop-loss';
  if (raw === null) return null;
  if (!(raw > 0)) {
    errors[kind] = 'must be a positive number';
    return null;
  }
  let value = raw;
  if (mode === 'pct') {
    if (kind === 'sl' && form.side === 'long' && raw >= 100) {
      errors[kind] = 'a long stop-loss must be under 100% away';
      return null;
    }
    if (refPrice === null) {
      errors[kind] =
        `no ${form.orderType === 'limit' ? 'limit' : 'mark'} price to take ${raw}% of; give the ${label} as a price`;
      return null;
    }
    value = levelFromPct(kind, form.side, refPrice, raw);
  }
  const tick = r.inst?.tickSize;
  const rounded = tick ? roundToStep(value, tick) : value;
  if (mode === 'price' && rounded !== raw) r.notes.push(`${label} ${raw} rounded to ${rounded}, the tick`);
  if (refPrice !== null) {
    const above = rounded > refPrice;
    const wantAbove = (kind === 'tp') === (form.side === 'long');
    if (rounded === refPrice || above !== wantAbove) {
      errors[kind] = `a ${form.side} ${label} must be ${wantAbove ? 'above' : 'below'} ${refPrice}`;
      return null;
    }
  }
  return rounded;
}

/**
 * The size: a quantity (rounded down to the qty step, within the instrument's bounds) or a risk amount.
 * `mainQty` is the main leg's contracts as far as the form can tell (by risk: from the SL's distance).
 */
export function readSize(
  r: FieldReading,
  stopLoss: number | null,
  refPrice: number | null,
): { quantity?: number; riskAmount?: number; mainQty: number | null } {
  const { form, errors, inst } = r;
  const step = inst?.qtyStep;
  if (form.sizeMode === 'quantity') {
    const q = num(form.quantity);
    if (q === null) errors.quantity = 'how many contracts?';
    else if (!(q > 0)) errors.quantity = 'must be a positive number';
    if (q === null || !(q > 0)) return { mainQty: null };
    // Without the instrument (its symbol is already in error) the quantity stays as typed.
    if (!inst || !step) return { quantity: q, mainQty: q };
    const quantity = floorToStep(q, step);
    if (quantity < inst.minQty) errors.quantity = `under the minimum of ${inst.minQty} ${r.symbol}`;
    else if (quantity > inst.maxQty) errors.quantity = `over the maximum of ${inst.maxQty}`;
    else if (quantity !== q) r.notes.push(`quantity ${q} rounded down to ${quantity}, the qty step`);
    return { quantity, mainQty: quantity };
  }
  const risk = num(form.riskAmount);
  if (risk === null) errors.riskAmount = 'how much may this trade lose at the stop-loss?';
  else if (!(risk > 0)) errors.riskAmount = 'must be a positive number';
  if (risk === null || !(risk > 0)) return { mainQty: null };
  if (stopLoss === null && !errors.sl) errors.sl = 'risk sizing needs a stop-loss';
  const mainQty =
    stopLoss !== null && refPrice !== null && step ? floorToStep(risk / Math.abs(refPrice - stopLoss), step) : null;
  return { riskAmount: risk, mainQty };
}
