import {
  type Account,
  type ActionRequest,
  ceilToStep,
  type ErrorCode,
  floorToStep,
  onStep,
  type Position,
  type PositionAction,
  type PositionSide,
  roundToStep,
} from '@tierwatch/shared';
import { AppError } from '../core/app-error.ts';
import type { Instrument, TradingStopLevels } from '../exchange/types.ts';
import { fmt } from './rounding.ts';

/**
 * Planning an action on a position family, pure: the request, the accounts, the instrument, each account's
 * position (read just before) and fee rate in; per account what will be sent, or why nothing is, out.
 * Every rule is a row in action-plan.test.ts.
 */

/** What one account's leg does: an order (close), a trading-stop call (levels), or a cancel-all. */
export type ActionLegKind = 'close' | 'trading-stop' | 'cancel-orders';

export const legKindOf = (a: PositionAction): ActionLegKind =>
  a.kind === 'close' || a.kind === 'close-limit'
    ? 'close'
    : a.kind === 'cancel-orders'
      ? 'cancel-orders'
      : 'trading-stop';

export interface ActionLeg {
  account: string;
  /** The contracts a close sends; for the other kinds, the position's size (what the levels cover). */
  qty: number;
  /** The levels the position will carry once the leg is done (for a close: none, the order carries none). */
  takeProfit: number | null;
  stopLoss: number | null;
  /** Set when nothing is sent on this account, and why (recorded as a rejected leg, never sent). */
  skip: string | null;
}

export interface ActionPlan {
  symbol: string;
  side: PositionSide;
  action: PositionAction;
  kind: ActionLegKind;
  orderType: 'market' | 'limit';
  /** close-limit's price; null otherwise. */
  price: number | null;
  legs: ActionLeg[];
  adjustments: string[];
}

export interface ActionPlanInput {
  req: ActionRequest;
  accounts: readonly Account[];
  instrument: Instrument | undefined;
  /** Each selected account's position on the symbol and side; null when it holds none. */
  positions: ReadonlyMap<string, Position | null>;
  /** The account's taker fee rate; null when the exchange did not say (then `fallbackFeeRate`). */
  feeRates: ReadonlyMap<string, number | null>;
  fallbackFeeRate: number;
  mark: number;
}

const fail = (code: ErrorCode, path: (string | number)[], message: string): never => {
  throw new AppError(code, message, path);
};

/**
 * The SL at which closing loses nothing after the round trip's fees (taker both ways, the dearer rate):
 * a long breaks even at entry·(1+f)/(1−f), a short at entry·(1−f)/(1+f). Snapped away from the entry (up for
 * a long, down for a short): an SL a tick past break-even still covers the fees, a tick short of it does not.
 */
export function breakEvenPrice(side: PositionSide, entry: number, feeRate: number, tick: number): number {
  const raw = side === 'long' ? (entry * (1 + feeRate)) / (1 - feeRate) : (entry * (1 - feeRate)) / (1 + feeRate);
  return side === 'long' ? ceilToStep(raw, tick) : floorToStep(raw, tick);
}

/** The accounts an action covers: the named ones, or every configured account holding the position. */
function selectAccounts(input: ActionPlanInput): { account: Account; position: Position | null; named: boolean }[] {
  const { req, accounts, positions } = input;
  if (req.accounts === undefined)
    return accounts.map((account) => ({ account, position: positions.get(account.name) ?? null, named: false }));
  const seen = new Set<string>();
  return req.accounts.map((name, i) => {
    const account = accounts.find((a) => a.name === name);
    if (!account)
      fail(
        'BAD_REQUEST',
        ['accounts', i],
        `unknown account "${name}" (known: ${accounts.map((a) => a.name).join(', ')})`,
      );
    if (seen.has(name)) fail('BAD_REQUEST', ['accounts', i], `account "${name}" given twice`);
    seen.add(name);
    return { account: account!, position: positions.get(name) ?? null, named: true };
  });
}

/** A level the trader typed: on the tick, and on the side of the mark that cannot trigger at once. */
function checkLevel(what: 'takeProfit' | 'stopLoss' | 'activePrice', v: number, input: ActionPlanInput): void {
  const { req, instrument, mark } = input;
  const tick = instrument!.tickSize;
  if (!onStep(v, tick)) fail('BAD_REQUEST', ['action', what], `${what} ${fmt(v)} is not on the tick ${fmt(tick)}`);
  const above = (what === 'stopLoss') === (req.side === 'short');
  if (above ? !(v > mark) : !(v < mark))
    fail(
      'BAD_REQUEST',
      ['action', what],
      `${what} ${fmt(v)} must be ${above ? 'above' : 'below'} the mark ${fmt(mark)} for a ${req.side} (it would trigger at once)`,
    );
}

export function planAction(input: ActionPlanInput): ActionPlan {
  const { req, instrument, mark } = input;
  const a = req.action;
  if (!instrument) return fail('BAD_REQUEST', ['symbol'], `unknown symbol ${req.symbol}`);
  const selected = selectAccounts(input);
  const adjustments: string[] = [];
  const holding = selected.filter((s) => s.position !== null);
  if (holding.length === 0)
    fail(
      'NOT_FOUND',
      ['symbol'],
      `no ${req.side} ${req.symbol} position on ${selected.map((s) => s.account.name).join(', ')}; nothing was sent`,
    );
  for (const s of selected)
    if (s.position === null && !s.named)
      adjustments.push(`${s.account.name} holds no ${req.side} ${req.symbol}: left out`);

  if (a.kind === 'close-limit') {
    if (!onStep(a.price, instrument.tickSize))
      fail('BAD_REQUEST', ['action', 'price'], `price ${fmt(a.price)} is not on the tick ${fmt(instrument.tickSize)}`);
  }
  if (a.kind === 'set-tpsl') {
    if (a.takeProfit != null) checkLevel('takeProfit', a.takeProfit, input);
    if (a.stopLoss != null) checkLevel('stopLoss', a.stopLoss, input);
  }
  if (a.kind === 'trailing') {
    if (a.distance !== null && !onStep(a.distance, instrument.tickSize))
      fail(
        'BAD_REQUEST',
        ['action', 'distance'],
        `distance ${fmt(a.distance)} is not on the tick ${fmt(instrument.tickSize)}`,
      );
    if (a.activePrice !== undefined) {
      if (!onStep(a.activePrice, instrument.tickSize))
        fail('BAD_REQUEST', ['action', 'activePrice'], `activePrice ${fmt(a.activePrice)} is not on the tick`);
      const up = req.side === 'long';
      if (up ? !(a.activePrice > mark) : !(a.activePrice < mark))
        fail(
          'BAD_REQUEST',
          ['action', 'activePrice'],
          `activePrice must be ${up ? 'above' : 'below'} the mark ${fmt(mark)}`,
        );
    }
  }

  const legs: ActionLeg[] = [];
  for (const { account, position: p, named } of selected) {
    if (!p) {
      if (named)
        legs.push({
          account: account.name,
          qty: instrument.minQty,
          takeProfit: null,
          stopLoss: null,
          skip: `holds no ${req.side} ${req.symbol}`,
        });
      continue;
    }
    legs.push(legFor(a, p, input, adjustments));
  }
  return {
    symbol: req.symbol,
    side: req.side,
    action: a,
    kind: legKindOf(a),
    orderType: a.kind === 'close-limit' ? 'limit' : 'market',
    price: a.kind === 'close-limit' ? a.price : null,
    legs,
    adjustments,
  };
}

function legFor(a: PositionAction, p: Position, input: ActionPlanInput, adjustments: string[]): ActionLeg {
  const inst = input.instrument!;
  const base = { account: p.account, qty: p.size, takeProfit: p.takeProfit, stopLoss: p.stopLoss, skip: null };
  switch (a.kind) {
    case 'close':
    case 'close-limit': {
      // A whole close sends the size as whole steps: a size read with binary dust (0.0006199999999999999)
      // is 62 steps on the exchange, and sent as read it would be truncated to 61, leaving one step open.
      const qty =
        a.percent >= 100 ? roundToStep(p.size, inst.qtyStep) : floorToStep((p.size * a.percent) / 100, inst.qtyStep);
      if (a.percent < 100 && qty !== (p.size * a.percent) / 100)
        adjustments.push(
          `${p.account}: ${fmt(a.percent)} % of ${fmt(p.size)} rounded down to ${fmt(qty)}, the qty step`,
        );
      if (qty < inst.minQty)
        return {
          ...base,
          qty: p.size,
          takeProfit: null,
          stopLoss: null,
          skip: `${fmt(a.percent)} % of ${fmt(p.size)} is below the minimum order ${fmt(inst.minQty)}`,
        };
      return { ...base, qty, takeProfit: null, stopLoss: null };
    }
    case 'set-tpsl':
      return {
        ...base,
        takeProfit: a.takeProfit === undefined ? p.takeProfit : a.takeProfit,
        stopLoss: a.stopLoss === undefined ? p.stopLoss : a.stopLoss,
      };
    case 'sl-break-even': {
      const known = input.feeRates.get(p.account) ?? null;
      const fee = known ?? input.fallbackFeeRate;
      if (known === null)
        adjustments.push(`${p.account}: fee rate unknown; break-even at the configured ${fmt(fee * 100)} %`);
      const be = breakEvenPrice(p.side, p.entryPrice, fee, inst.tickSize);
      const long = p.side === 'long';
      if (long ? !(be < input.mark) : !(be > input.mark))
        return {
          ...base,
          skip: `the mark ${fmt(input.mark)} is not past break-even ${fmt(be)}: an SL there would trigger at once`,
        };
      if (p.stopLoss !== null && (long ? p.stopLoss >= be : p.stopLoss <= be))
        return {
          ...base,
          skip: `the SL ${fmt(p.stopLoss)} is already at or past break-even ${fmt(be)}: left as it is`,
        };
      return { ...base, stopLoss: be };
    }
    case 'trailing':
    case 'cancel-orders':
      return base;
  }
}

/** The trading-stop call a leg makes: only the levels the action changes (absent keys are left alone). */
export function stopLevels(
  a: PositionAction,
  leg: { takeProfit: number | null; stopLoss: number | null },
): TradingStopLevels {
  switch (a.kind) {
    case 'set-tpsl': {
      const out: TradingStopLevels = {};
      if (a.takeProfit !== undefined) out.takeProfit = leg.takeProfit;
      if (a.stopLoss !== undefined) out.stopLoss = leg.stopLoss;
      return out;
    }
    case 'sl-break-even':
      return { stopLoss: leg.stopLoss };
    case 'trailing':
      return { trailingStop: a.distance, activePrice: a.activePrice ?? null };
    default:
      return {};
  }
}
