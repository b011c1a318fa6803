import { type Account, ExecuteRequest, floorToStep, type InstrumentInfo } from '@tierwatch/shared';
import {
  type ExecuteForm,
  type FieldErrors,
  type FieldReading,
  type FormField,
  readLevel,
  readLimitPrice,
  readSize,
} from './execute-fields.ts';

/**
 * The execute form as data: what the person typed (strings, as typed) → a validated ExecuteRequest plus
 * the per-account plan the confirm step shows. % levels become prices from the reference price (the
 * limit price, or the mark price for market orders), rounded to the tick; quantities round down to the
 * qty step, so nothing larger than asked is ever sent.
 */

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

/** Symbols matching a query: prefix matches first, then substring; at most `limit`. */
export function searchSymbols(instruments: InstrumentInfo[], query: string, limit = 8): InstrumentInfo[] {
  const q = query.trim().toUpperCase();
  if (!q) return instruments.slice(0, limit);
  const prefix = instruments.filter((i) => i.symbol.startsWith(q));
  const inner = instruments.filter((i) => !i.symbol.startsWith(q) && i.symbol.includes(q));
  return [...prefix, ...inner].slice(0, limit);
}

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
  const symbol = form.symbol.trim().toUpperCase();
  const inst = ctx.instrument && ctx.instrument.symbol === symbol ? ctx.instrument : null;
  const r: FieldReading = { form, inst, symbol, errors: {}, notes: [] };
  const { errors, notes } = r;
  if (!symbol) errors.symbol = 'pick a symbol';
  else if (!inst) errors.symbol = `${symbol} is not a listed linear perpetual`;

  const price = readLimitPrice(r);
  const refPrice = form.orderType === 'limit' ? (price ?? null) : (inst?.markPrice ?? null);
  const takeProfit = readLevel(r, 'tp', refPrice);
  const stopLoss = readLevel(r, 'sl', refPrice);
  const { quantity, riskAmount, mainQty } = readSize(r, stopLoss, refPrice);

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

  const legs = planLegs(chosen, mainQty, inst, form.sizeMode === 'risk');
  return { ok: true, plan: { request: checked.data, refPrice, takeProfit, stopLoss, legs, notes } };
}

/** Each chosen account's leg: the main's contracts times its ratio, rounded down to the qty step. */
function planLegs(
  chosen: Account[],
  mainQty: number | null,
  inst: InstrumentInfo | null,
  approx: boolean,
): PlannedLeg[] {
  const step = inst?.qtyStep;
  return chosen.map((a): PlannedLeg => {
    const ratio = a.role === 'main' ? 1 : a.mirrorRatio;
    const qty = mainQty === null ? null : step ? floorToStep(mainQty * ratio, step) : mainQty * ratio;
    const warning =
      qty !== null && inst && qty < inst.minQty
        ? `${qty} is under the minimum ${inst.minQty}; this leg will be rejected`
        : null;
    return { account: a.name, role: a.role, ratio, qty, approx, warning };
  });
}
