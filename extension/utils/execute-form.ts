import { type Account, ExecuteRequest, type InstrumentInfo, type PositionSide } from '@tierwatch/shared';
import { decimalsOf } from './display.ts';

/**
 * The execute form as data: what the person typed (strings, as typed) → a validated ExecuteRequest plus
 * the per-account plan the confirm step shows. % levels become prices from the reference price (the
 * limit price, or the mark price for market orders), rounded to the tick; quantities round down to the
 * qty step, so nothing larger than asked is ever sent.
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

export interface PlannedLeg {
  account: string;
  role: Account['role'];
  ratio: number;
  /** Contracts for this leg; approximate when sized by risk (the companion derives the exact figure). */
  qty: number | null;
  approx: boolean;
  warning: string | null;
}

export interface Plan {
  request: ExecuteRequest;
  refPrice: number | null;
  takeProfit: number | null;
  stopLoss: number | null;
  legs: PlannedLeg[];
  /** What the form changed, said plainly (rounding). */
  notes: string[];
}

/** Main accounts and every mirror ticked: the default the issue asks for. */
export function defaultAccounts(accounts: Account[]): string[] {
  return orderAccounts(accounts).map((a) => a.name);
}

/** Each main followed by its mirrors; mirrors of unknown mains at the end. */
export function orderAccounts(accounts: Account[]): Account[] {
  const mains = accounts.filter((a) => a.role === 'main');
  const out: Account[] = [];
  for (const m of mains) out.push(m, ...accounts.filter((a) => a.role === 'mirror' && a.mirrorOf === m.name));
  for (const a of accounts) if (!out.includes(a)) out.push(a);
  return out;
}

export const emptyForm = (accounts: Account[]): ExecuteForm => ({
  symbol: '',
  side: 'long',
  orderType: 'market',
  price: '',
  sizeMode: 'quantity',
  quantity: '',
  riskAmount: '',
  tpMode: 'pct',
  tp: '',
  slMode: 'pct',
  sl: '',
  accounts: defaultAccounts(accounts),
});

/** Round down to the step (never more size than asked); tolerant of float dust like 0.3/0.1. */
export function floorToStep(value: number, step: number): number {
  const n = Math.floor(value / step + 1e-9);
  return Number((n * step).toFixed(decimalsOf(step)));
}

export function roundToTick(value: number, tick: number): number {
  return Number((Math.round(value / tick) * tick).toFixed(decimalsOf(tick)));
}

/** A level given in % of the reference price, on the side where it belongs. */
export function levelFromPct(kind: 'tp' | 'sl', side: PositionSide, ref: number, pct: number): number {
  const up = (kind === 'tp') === (side === 'long');
  return ref * (1 + (up ? pct : -pct) / 100);
}

/** Symbols matching a query: prefix matches first, then substring; at most `limit`. */
export function searchSymbols(instruments: InstrumentInfo[], query: string, limit = 8): InstrumentInfo[] {
  const q = query.trim().toUpperCase();
  if (!q) return instruments.slice(0, limit);
  const prefix = instruments.filter((i) => i.symbol.startsWith(q));
  const inner = instruments.filter((i) => !i.symbol.startsWith(q) && i.symbol.includes(q));
  return [...prefix, ...inner].slice(0, limit);
}

const num = (s: string): number | null => {
  const t = s.trim().replace(/,/g, '');
  if (!t) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : Number.NaN;
};

const PATH_FIELDS: Record<string, FormField> = {
  symbol: 'symbol',
  side: 'side',
  orderType: 'orderType',
  price: 'price',
  quantity: 'quantity',
  riskAmount: 'riskAmount',
  takeProfit: 'tp',
  stopLoss: 'sl',
  accounts: 'accounts',
};

/** Which form field an error `path` from the companion (or zod) names; 'form' when none. */
export function fieldForPath(path: readonly (string | number | symbol)[] | null | undefined): FormField {
  const head = path?.[0];
  return (typeof head === 'string' && PATH_FIELDS[head]) || 'form';
}

export interface BuildContext {
  instrument: InstrumentInfo | null;
  accounts: Account[];
  idempotencyKey: string;
}

export function buildRequest(
  form: ExecuteForm,
  ctx: BuildContext,
): { ok: true; plan: Plan } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const notes: string[] = [];
  const symbol = form.symbol.trim().toUpperCase();
  const inst = ctx.instrument && ctx.instrument.symbol === symbol ? ctx.instrument : null;
  if (!symbol) errors.symbol = 'pick a symbol';
  else if (!inst) errors.symbol = `${symbol} is not a listed linear perpetual`;
  const tick = inst?.tickSize;
  const step = inst?.qtyStep;

  let price: number | undefined;
  if (form.orderType === 'limit') {
    const p = num(form.price);
    if (p === null) errors.price = 'a limit order needs a price';
    else if (!(p > 0)) errors.price = 'must be a positive number';
    else {
      price = tick ? roundToTick(p, tick) : p;
      if (price !== p) notes.push(`price ${p} rounded to ${price}, the tick`);
    }
  }
  const refPrice = form.orderType === 'limit' ? (price ?? null) : (inst?.markPrice ?? null);

  const level = (kind: 'tp' | 'sl'): number | null => {
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
    const rounded = tick ? roundToTick(value, tick) : value;
    if (mode === 'price' && rounded !== raw) notes.push(`${label} ${raw} rounded to ${rounded}, the tick`);
    if (refPrice !== null) {
      const above = rounded > refPrice;
      const wantAbove = (kind === 'tp') === (form.side === 'long');
      if (rounded === refPrice || above !== wantAbove) {
        errors[kind] = `a ${form.side} ${label} must be ${wantAbove ? 'above' : 'below'} ${refPrice}`;
        return null;
      }
    }
    return rounded;
  };
  const takeProfit = level('tp');
  const stopLoss = level('sl');

  let quantity: number | undefined;
  let riskAmount: number | undefined;
  let mainQty: number | null = null;
  if (form.sizeMode === 'quantity') {
    const q = num(form.quantity);
    if (q === null) errors.quantity = 'how many contracts?';
    else if (!(q > 0)) errors.quantity = 'must be a positive number';
    else if (inst && step) {
      quantity = floorToStep(q, step);
      if (quantity < inst.minQty) errors.quantity = `under the minimum of ${inst.minQty} ${symbol}`;
      else if (quantity > inst.maxQty) errors.quantity = `over the maximum of ${inst.maxQty}`;
      else if (quantity !== q) notes.push(`quantity ${q} rounded down to ${quantity}, the qty step`);
      mainQty = quantity;
    } else {
      quantity = q;
      mainQty = q;
    }
  } else {
    const r = num(form.riskAmount);
    if (r === null) errors.riskAmount = 'how much may this trade lose at the stop-loss?';
    else if (!(r > 0)) errors.riskAmount = 'must be a positive number';
    else {
      riskAmount = r;
      if (stopLoss === null && !errors.sl) errors.sl = 'risk sizing needs a stop-loss';
      if (stopLoss !== null && refPrice !== null && step) {
        mainQty = floorToStep(r / Math.abs(refPrice - stopLoss), step);
      }
    }
  }

  const known = new Map(ctx.accounts.map((a) => [a.name, a]));
  const chosen = orderAccounts(ctx.accounts).filter((a) => form.accounts.includes(a.name));
  for (const name of form.accounts) if (!known.has(name)) errors.accounts = `unknown account ${name}`;
  if (chosen.length === 0 && !errors.accounts) errors.accounts = 'tick at least one account';

  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const request: ExecuteRequest = {
    idempotencyKey: ctx.idempotencyKey,
    symbol,
    side: form.side,
    orderType: form.orderType,
    ...(price !== undefined ? { price } : {}),
    ...(quantity !== undefined ? { quantity } : {}),
    ...(riskAmount !== undefined ? { riskAmount } : {}),
    takeProfit,
    stopLoss,
    accounts: chosen.map((a) => a.name),
  };
  const checked = ExecuteRequest.safeParse(request);
  if (!checked.success) {
    const out: FieldErrors = {};
    for (const issue of checked.error.issues) out[fieldForPath(issue.path)] ??= issue.message;
    return { ok: false, errors: out };
  }

  const approx = form.sizeMode === 'risk';
  const legs = chosen.map((a): PlannedLeg => {
    const ratio = a.role === 'main' ? 1 : a.mirrorRatio;
    const qty = mainQty === null ? null : step ? floorToStep(mainQty * ratio, step) : mainQty * ratio;
    const warning =
      qty !== null && inst && qty < inst.minQty
        ? `${qty} is under the minimum ${inst.minQty}; this leg will be rejected`
        : null;
    return { account: a.name, role: a.role, ratio, qty, approx, warning };
  });
  return { ok: true, plan: { request: checked.data, refPrice, takeProfit, stopLoss, legs, notes } };
}
