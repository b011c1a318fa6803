import type { Balance, ExecuteResult, Position, PositionSide } from '@tierwatch/shared';
import { ApiError } from './api.ts';
import type { ExecuteForm, FieldErrors, FormField } from './execute-fields.ts';
import { fieldForPath, type Plan } from './execute-form.ts';
import type { RepeatCheck } from './repeat-order.ts';

/**
 * The Trade tab as a pure reducer: the step a trade is at (form → confirm → placing / checking → result),
 * what the confirm step has read for it (held positions, a repeat of a recent order, free balances), the
 * trader's acknowledgements, and what went wrong. The view (popup/Trade.tsx) dispatches what happened; every
 * read's answer carries the key of the plan it was asked for, and one for an abandoned plan is dropped.
 */

export type HeldByAccount = Record<string, { side: PositionSide; size: number; leverage: number | null }>;
export type HeldCheck =
  | { state: 'checking' }
  | { state: 'ok'; byAccount: HeldByAccount }
  | { state: 'error'; message: string };

export type TradeStep =
  | { at: 'form' }
  | { at: 'confirm'; plan: Plan }
  | { at: 'placing'; plan: Plan }
  /** The answer to Place was lost: following the execution by its key. */
  | { at: 'checking'; plan: Plan; message: string }
  | { at: 'result'; result: ExecuteResult };

export interface TradeState {
  step: TradeStep;
  errors: FieldErrors;
  banner: string | null;
  repeat: RepeatCheck;
  repeatAck: boolean;
  /** What each account holds on the symbol, read fresh at review: an order against it must say so. */
  held: HeldCheck;
  heldAck: boolean;
  /** Free USDT per account, read when the trader reviews (the companion's pre-check then reuses it). */
  free: Record<string, number> | null;
}

export type TradeAction =
  | { type: 'edited'; key: keyof ExecuteForm }
  | { type: 'invalid'; errors: FieldErrors }
  /** Review: `reads` says whether the companion can be asked (held, repeat, balances). */
  | { type: 'reviewing'; plan: Plan; reads: boolean }
  | { type: 'held'; key: string; held: HeldCheck }
  | { type: 'repeat'; key: string; repeat: RepeatCheck }
  | { type: 'free'; key: string; free: Record<string, number> | null }
  | { type: 'ack-repeat'; on: boolean }
  | { type: 'ack-held'; on: boolean }
  | { type: 'placing' }
  /** Asked again as it went: the same order went out meanwhile; back to confirm to say so. */
  | { type: 'repeat-found'; repeat: RepeatCheck }
  | { type: 'checking'; message: string }
  | { type: 'placed'; result: ExecuteResult }
  /** Not placed, or not known: stay on confirm; Place sends the same request with the same key. */
  | { type: 'unsettled'; message: string }
  /** The companion refused before sending anything. */
  | { type: 'refused'; error: unknown }
  | { type: 'back' }
  | { type: 'new' };

export const initialTrade: TradeState = {
  step: { at: 'form' },
  errors: {},
  banner: null,
  repeat: { state: 'none' },
  repeatAck: false,
  held: { state: 'checking' },
  heldAck: false,
  free: null,
};

/** The plan the trade is at (confirm, placing, checking), or null. */
export const planOf = (step: TradeStep): Plan | null => ('plan' in step ? step.plan : null);
const keyOf = (s: TradeState) => planOf(s.step)?.request.idempotencyKey ?? null;

export const fieldOf = (k: keyof ExecuteForm): FormField =>
  k === 'tpMode' ? 'tp' : k === 'slMode' ? 'sl' : k === 'sizeMode' ? 'quantity' : (k as FormField);

export function tradeReducer(s: TradeState, a: TradeAction): TradeState {
  switch (a.type) {
    case 'edited':
      return { ...s, errors: { ...s.errors, [fieldOf(a.key)]: undefined, form: undefined } };
    case 'invalid':
      return { ...s, banner: null, errors: a.errors };
    case 'reviewing':
      return {
        ...s,
        step: { at: 'confirm', plan: a.plan },
        errors: {},
        banner: null,
        repeatAck: false,
        heldAck: false,
        held: a.reads ? { state: 'checking' } : { state: 'error', message: 'not connected' },
        repeat: a.reads ? { state: 'checking' } : { state: 'none' },
        free: null,
      };
    case 'held':
      return a.key === keyOf(s) ? { ...s, held: a.held } : s;
    case 'repeat':
      return a.key === keyOf(s) ? { ...s, repeat: a.repeat } : s;
    case 'free':
      return a.key === keyOf(s) ? { ...s, free: a.free } : s;
    case 'ack-repeat':
      return { ...s, repeatAck: a.on };
    case 'ack-held':
      return { ...s, heldAck: a.on };
    case 'placing':
      return s.step.at === 'confirm' ? { ...s, step: { at: 'placing', plan: s.step.plan }, banner: null } : s;
    case 'repeat-found':
    case 'unsettled': {
      const plan = planOf(s.step);
      if (!plan) return s;
      const patch = a.type === 'repeat-found' ? { repeat: a.repeat } : { banner: a.message };
      return { ...s, ...patch, step: { at: 'confirm', plan } };
    }
    case 'checking': {
      const plan = planOf(s.step);
      return plan ? { ...s, step: { at: 'checking', plan, message: a.message } } : s;
    }
    case 'placed':
      return { ...s, step: { at: 'result', result: a.result } };
    case 'refused':
      return refused(s, a.error);
    case 'back':
      return { ...s, step: { at: 'form' } };
    case 'new':
      return initialTrade;
  }
}

/**
 * A refusal names the field when it can (the companion's error path); a 5xx stays on confirm (the same key
 * may be placed again), anything else goes back to the form to be corrected.
 */
function refused(s: TradeState, err: unknown): TradeState {
  const api = err instanceof ApiError ? err : null;
  const errors = api?.path ? { [fieldForPath(api.path)]: `${api.code}: ${api.message}` } : s.errors;
  const plan = planOf(s.step);
  const stay = plan && api && api.status !== null && api.status >= 500;
  return { ...s, errors, banner: describeError(err), step: stay ? { at: 'confirm', plan } : { at: 'form' } };
}

export function describeError(err: unknown): string {
  if (err instanceof ApiError)
    return err.code === 'NETWORK' || err.code === 'TIMEOUT' || err.code === 'BAD_RESPONSE'
      ? err.message
      : `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** What each account holds on `symbol` (the confirm step warns of an order against a held position). */
export function heldOn(positions: readonly Position[], symbol: string): HeldByAccount {
  const out: HeldByAccount = {};
  for (const p of positions)
    if (p.symbol === symbol) out[p.account] = { side: p.side, size: p.size, leverage: p.leverage };
  return out;
}

/** Free USDT per account. */
export const freeUsdt = (balances: readonly Balance[]): Record<string, number> =>
  Object.fromEntries(balances.filter((b) => b.currency === 'USDT').map((b) => [b.account, b.free]));

/** Pending legs, or a market execution whose fills have not been read back yet: more is coming. */
export const unsettled = (r: ExecuteResult): boolean =>
  r.status === 'pending' || (r.orderType === 'market' && r.legs.some((l) => l.status === 'placed'));

/** How far an execution has come: finished, then how much has filled, then how many fills are priced. */
const progress = (r: ExecuteResult): number[] => [
  r.status === 'pending' ? 0 : 1,
  r.legs.reduce((n, l) => n + l.filledQty, 0),
  r.legs.filter((l) => l.avgPrice !== null).length,
];

/**
 * The result to show, from what is known of this execution: the answer to the POST, the stream's
 * (execution-finished, then execution-updated as fills are read back) and a fallback read while the socket
 * was down. The one furthest along wins; on a tie the later source (the stream, then the read).
 */
export function shownResult(answer: ExecuteResult, ...later: (ExecuteResult | null)[]): ExecuteResult {
  let best = answer;
  for (const r of later) {
    if (!r || r.executionId !== answer.executionId) continue;
    const [a, b] = [progress(r), progress(best)];
    const i = a.findIndex((x, k) => x !== b[k]);
    if (i < 0 || (a[i] as number) > (b[i] as number)) best = r;
  }
  return best;
}
