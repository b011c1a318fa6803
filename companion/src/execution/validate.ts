import {
  type Account,
  type Balance,
  type ErrorCode,
  type ExecuteRequest,
  floorToStep,
  onStep,
  type PositionSide,
  roundToStep,
} from '@tierwatch/shared';
import { AppError } from '../core/app-error.ts';
import { instrumentRuleProblem } from '../exchange/instrument-rules.ts';
import type { Instrument } from '../exchange/types.ts';
import { fmt } from './rounding.ts';

/**
 * Validation before anything is sent, pure: the request, the configured accounts, the instrument's rules
 * and the current mark in; a plan of legs out, or an AppError naming the field. Nothing here talks to the
 * exchange, so every rule is a row in a table test.
 */

export interface PlannedLeg {
  account: string;
  qty: number;
}

export interface ExecutionPlan {
  symbol: string;
  side: PositionSide;
  orderType: 'market' | 'limit';
  price: number | null;
  /** The price levels and balances are checked against: the limit price, or the mark for a market order. */
  entry: number;
  takeProfit: number | null;
  stopLoss: number | null;
  legs: PlannedLeg[];
  /** What validation changed, said plainly. */
  adjustments: string[];
}

export interface PlanInput {
  req: ExecuteRequest;
  accounts: readonly Account[];
  instrument: Instrument | undefined;
  /** The current mark price; needed for market orders, ignored for limit orders. */
  mark: number | null;
}

const fail = (code: ErrorCode, path: (string | number)[], message: string): never => {
  throw new AppError(code, message, path);
};

function selectAccounts(req: ExecuteRequest, accounts: readonly Account[]): Account[] {
  if (req.accounts === undefined) return [...accounts];
  const seen = new Set<string>();
  return req.accounts.map((name, i) => {
    const a = accounts.find((x) => x.name === name);
    if (!a)
      fail(
        'BAD_REQUEST',
        ['accounts', i],
        `unknown account "${name}" (known: ${accounts.map((x) => x.name).join(', ')})`,
      );
    if (seen.has(name)) fail('BAD_REQUEST', ['accounts', i], `account "${name}" given twice`);
    seen.add(name);
    return a!;
  });
}

/** The TP and SL, each on its tick exactly (the values sent) and on its side of the entry. */
function checkLevels(
  req: ExecuteRequest,
  inst: Instrument,
  entry: number,
  basis: string,
): { takeProfit: number | null; stopLoss: number | null } {
  const long = req.side === 'long';
  const out = { takeProfit: null as number | null, stopLoss: null as number | null };
  for (const [field, raw, above] of [
    ['takeProfit', req.takeProfit ?? null, long],
    ['stopLoss', req.stopLoss ?? null, !long],
  ] as const) {
    if (raw === null) continue;
    // Checked as sent: within float noise of a tick is that tick, which may be the entry itself.
    const level = roundToStep(raw, inst.tickSize);
    if (!onStep(raw, inst.tickSize) || level < inst.tickSize) {
      fail(
        'INVALID_ORDER',
        [field],
        `${field} ${fmt(level)} is not on the tick of ${req.symbol} (${fmt(inst.tickSize)})`,
      );
    }
    if (above ? level <= entry : level >= entry) {
      fail(
        'INVALID_ORDER',
        [field],
        `${field} ${fmt(level)} must be ${above ? 'above' : 'below'} the entry (${basis} ${fmt(entry)}) for a ${req.side}`,
      );
    }
    out[field] = level;
  }
  return out;
}

/** Contracts for the main leg, rounded down to the step (and said so). */
function mainQuantity(
  req: ExecuteRequest,
  inst: Instrument,
  entry: number,
  stopLoss: number | null,
  adjustments: string[],
): number {
  const field = req.quantity !== undefined ? 'quantity' : 'riskAmount';
  let raw: number;
  if (req.quantity !== undefined) {
    raw = req.quantity;
  } else {
    const distance = Math.abs(entry - (stopLoss as number));
    raw = (req.riskAmount as number) / distance;
    adjustments.push(
      `quantity ${fmt(raw)} derived from riskAmount ${fmt(req.riskAmount as number)} / |entry ${fmt(entry)} - stopLoss ${fmt(stopLoss as number)}|`,
    );
  }
  const qty = floorToStep(raw, inst.qtyStep);
  if (qty !== raw)
    adjustments.push(
      `quantity ${fmt(raw)} rounded down to ${fmt(qty)}, the qty step of ${req.symbol} (${fmt(inst.qtyStep)})`,
    );
  checkSize(qty, inst, entry, [field], `quantity ${fmt(qty)}`);
  return qty;
}

function checkSize(qty: number, inst: Instrument, entry: number, path: (string | number)[], what: string): void {
  if (qty < inst.minQty) fail('INVALID_ORDER', path, `${what} is below the minimum of ${fmt(inst.minQty)}`);
  if (qty > inst.maxQty) fail('INVALID_ORDER', path, `${what} is above the maximum of ${fmt(inst.maxQty)}`);
  if (qty * entry < inst.minNotional) {
    fail(
      'INVALID_ORDER',
      path,
      `${what} is worth ${fmt(qty * entry)} USDT, below the minimum order value of ${fmt(inst.minNotional)}`,
    );
  }
}

/**
 * The checks that need no price: the accounts exist, the symbol is traded with usable rules. Run before
 * any exchange read. `refused` is why the market data refused the symbol's rules at load, if it did.
 */
export function preflight(
  req: ExecuteRequest,
  accounts: readonly Account[],
  instrument: Instrument | undefined,
  refused?: string,
): Account[] {
  const selected = selectAccounts(req, accounts);
  // Checked here too, whatever the market data did: a step of 0 would pass every rule below unnoticed.
  const problem = refused ?? (instrument ? instrumentRuleProblem(instrument) : null);
  if (problem)
    fail(
      'INVALID_ORDER',
      ['symbol'],
      `the exchange's instrument rules for ${req.symbol} are invalid (${problem}); it cannot be traded until they are fixed`,
    );
  if (!instrument) fail('INVALID_ORDER', ['symbol'], `unknown symbol ${req.symbol}`);
  return selected;
}

export function planExecution({ req, accounts, instrument: inst, mark }: PlanInput): ExecutionPlan {
  const selected = preflight(req, accounts, inst);
  const instrument = inst as Instrument;
  let entry: number;
  let basis: string;
  if (req.orderType === 'limit') {
    const price = req.price as number;
    // Below one tick (1e-320, say) is "on the tick" as zero ticks: not a price the exchange will take.
    if (!onStep(price, instrument.tickSize) || price < instrument.tickSize) {
      fail(
        'INVALID_ORDER',
        ['price'],
        `price ${fmt(price)} is not on the tick of ${req.symbol} (${fmt(instrument.tickSize)})`,
      );
    }
    entry = roundToStep(price, instrument.tickSize);
    basis = 'limit price';
  } else {
    if (mark === null || !(mark > 0))
      fail('EXCHANGE_UNAVAILABLE', ['symbol'], `no mark price for ${req.symbol} right now`);
    entry = mark as number;
    basis = 'mark';
  }
  const levels = checkLevels(req, instrument, entry, basis);
  const adjustments: string[] = [];
  const qty = mainQuantity(req, instrument, entry, levels.stopLoss, adjustments);
  const legs = selected.map((a): PlannedLeg => {
    if (a.role !== 'mirror' || a.mirrorRatio === 1) return { account: a.name, qty };
    const raw = qty * a.mirrorRatio;
    const legQty = floorToStep(raw, instrument.qtyStep);
    const i = req.accounts ? req.accounts.indexOf(a.name) : -1;
    checkSize(
      legQty,
      instrument,
      entry,
      i >= 0 ? ['accounts', i] : ['quantity'],
      `${a.name}'s leg ${fmt(legQty)} (ratio ${fmt(a.mirrorRatio)})`,
    );
    if (legQty !== raw)
      adjustments.push(
        `${a.name}: ${fmt(qty)} x ratio ${fmt(a.mirrorRatio)} = ${fmt(raw)} rounded down to ${fmt(legQty)}`,
      );
    return { account: a.name, qty: legQty };
  });
  return {
    symbol: req.symbol,
    side: req.side,
    orderType: req.orderType,
    price: req.orderType === 'limit' ? entry : null,
    entry,
    takeProfit: levels.takeProfit,
    stopLoss: levels.stopLoss,
    legs,
    adjustments,
  };
}

/** Free USDT each leg's account needs: initial margin at the assumed leverage plus the taker fee. */
export function marginNeeded(qty: number, entry: number, cfg: { leverage: number; feeRate: number }): number {
  const notional = qty * entry;
  return notional / cfg.leverage + notional * cfg.feeRate;
}

export function checkBalances(
  plan: ExecutionPlan,
  balances: ReadonlyMap<string, readonly Balance[]>,
  cfg: { leverage: number; feeRate: number },
): void {
  for (const leg of plan.legs) {
    const free = balances.get(leg.account)?.find((b) => b.currency === 'USDT')?.free ?? 0;
    const need = marginNeeded(leg.qty, plan.entry, cfg);
    if (free < need) {
      fail(
        'INSUFFICIENT_BALANCE',
        ['quantity'],
        `${leg.account} has ${fmt(Math.round(free * 100) / 100)} USDT free, ${fmt(Math.ceil(need * 100) / 100)} needed for ${fmt(leg.qty)} ${plan.symbol} at ${fmt(plan.entry)} (leverage ${fmt(cfg.leverage)})`,
      );
    }
  }
}
