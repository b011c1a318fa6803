import { createHmac } from 'node:crypto';
import { floorToStep, roundToStep } from '@tierwatch/shared';
import type { Rng } from '../../core/rng.ts';
import { accountNames, type PaperOptions } from '../options.ts';
import { emptyChanges } from './changes.ts';
import type { Universe } from './instruments.ts';
import { applyFill, finalise } from './ledger.ts';
import type { PaperAccount, PaperOrder, Side } from './types.ts';

/**
 * Opens K positions per account the way a trader's book looks: about 1 % CRITICAL (within 1 % of TP or
 * SL, well inside the band so it does not flicker across the line), about 4 % URGENT (1.5-2.5 %), the rest
 * calm: pending limit entries, recent fills, positions untouched for 5-9, 10-30 and 30+ minutes (activity
 * backdated), one without TP. The first slots of every hundred are the critical and an urgent one, so
 * even a handful of positions shows every tier. Accounts named `mirror*` copy main's book at half size,
 * as a trader's mirror accounts would.
 */

type Bucket =
  | 'critTp'
  | 'critSl'
  | 'urgTp'
  | 'urgSl'
  | 'pending'
  | 'recent'
  | 'building'
  | 'stable'
  | 'dormant'
  | 'noTp';

/** 19 calm slots in the proportions of a calm book (2 pending, 3 recent, 6 stable, 6 dormant, 1 each). */
const CALM: Bucket[] = [
  'pending',
  'recent',
  'stable',
  'dormant',
  'stable',
  'building',
  'dormant',
  'recent',
  'stable',
  'dormant',
  'noTp',
  'stable',
  'dormant',
  'pending',
  'recent',
  'stable',
  'dormant',
  'stable',
  'dormant',
];

/** Per hundred positions: 1 critical (TP and SL in turn), 4 urgent, 95 calm. */
export function bucketOf(i: number): Bucket {
  const slot = i % 100;
  const hundred = Math.floor(i / 100);
  if (slot === 0) return hundred % 2 === 0 ? 'critTp' : 'critSl';
  if (slot === 1 || slot === 51) return 'urgSl';
  if (slot === 26 || slot === 76) return 'urgTp';
  const calmIndex = slot - 1 - (slot > 1 ? 1 : 0) - (slot > 26 ? 1 : 0) - (slot > 51 ? 1 : 0) - (slot > 76 ? 1 : 0);
  return CALM[calmIndex % CALM.length] as Bucket;
}

interface Plan {
  symbol: string;
  side: Side;
  notional: number;
  entry: number;
  tp: number | null;
  sl: number | null;
  openedAgoMs: number;
  lastActivityAgoMs: number;
  pendingAtPct: number | null;
}

const MIN = 60_000;

function plan(bucket: Bucket, symbol: string, mark: number, notional: number, rng: Rng): Plan {
  const side: Side = rng.next() < 0.55 ? 'Buy' : 'Sell';
  const dir = side === 'Buy' ? 1 : -1;
  const far = (lo: number, hi: number) => rng.between(lo, hi) / 100;
  let tpDist = far(5, 15);
  let slDist = far(4, 12);
  let entryMove = rng.between(-0.02, 0.02);
  let lastActivityAgoMs = rng.between(5, 9) * MIN;
  let pendingAtPct: number | null = null;
  switch (bucket) {
    case 'critTp':
      tpDist = far(0.2, 0.6);
      entryMove = -dir * far(2, 5);
      break;
    case 'critSl':
      slDist = far(0.2, 0.6);
      entryMove = dir * far(2, 5);
      break;
    case 'urgTp':
      tpDist = far(1.5, 2.5);
      break;
    case 'urgSl':
      slDist = far(1.5, 2.5);
      break;
    case 'pending':
      pendingAtPct = far(4, 8);
      break;
    case 'recent':
      lastActivityAgoMs = rng.between(0.5, 4) * MIN;
      entryMove = rng.between(-0.002, 0.002);
      break;
    case 'stable':
      lastActivityAgoMs = rng.between(11, 29) * MIN;
      break;
    case 'noTp':
      lastActivityAgoMs = rng.between(12, 25) * MIN;
      break;
    case 'dormant':
      lastActivityAgoMs = rng.between(31, 180) * MIN;
      break;
    case 'building':
      break;
  }
  return {
    symbol,
    side,
    notional,
    entry: mark * (1 + entryMove),
    tp: bucket === 'noTp' ? null : mark * (1 + dir * tpDist),
    sl: mark * (1 - dir * slDist),
    // Whole milliseconds, as every time on Bybit is.
    openedAgoMs: Math.round(lastActivityAgoMs + rng.between(0, 120) * MIN),
    lastActivityAgoMs: Math.round(lastActivityAgoMs),
    pendingAtPct,
  };
}

interface SeedContext {
  positionsPerAccount: number;
  startingBalance: number;
  leverage: number;
  now: number;
  nextOrderId(): string;
}

export function seedAccounts(accounts: PaperAccount[], u: Universe, rng: Rng, ctx: SeedContext): void {
  const k = ctx.positionsPerAccount;
  if (k === 0) return;
  const symbols = [...u.instruments.keys()];
  let mainPlans: Plan[] | null = null;
  for (const acc of accounts) {
    const mirror = acc.name.startsWith('mirror') && mainPlans !== null;
    let plans: Plan[];
    if (mirror && mainPlans) {
      plans = mainPlans.map((p) => ({ ...p, notional: p.notional / 2 }));
    } else {
      const chosen = shuffle(symbols, rng).slice(0, k);
      // About 40% of the wallet in margin: room left for the trader's (and the tests') own orders.
      const avg = (ctx.startingBalance * ctx.leverage * 0.4) / k;
      plans = chosen.map((s, i) => plan(bucketOf(i), s, u.markets.get(s)?.mark ?? 1, avg * rng.between(0.5, 1.5), rng));
    }
    if (acc.name === 'main' || mainPlans === null) mainPlans = mainPlans ?? plans;
    for (const p of plans) open(acc, p, u, ctx);
  }
}

function open(acc: PaperAccount, p: Plan, u: Universe, ctx: SeedContext): void {
  const inst = u.instruments.get(p.symbol);
  const mark = u.markets.get(p.symbol)?.mark;
  if (!inst || mark === undefined) return;
  const qty = Math.max(inst.minQty, floorToStep(p.notional / mark, inst.qtyStep));
  const entry = roundToStep(p.entry, inst.tickSize);
  const at = ctx.now - p.openedAgoMs;
  const order = syntheticOrder(ctx.nextOrderId(), p.symbol, p.side, 'Market', qty, null, at);
  applyFill(acc, order, { price: entry, qty, at, isMaker: false, mark: entry }, ctx.leverage);
  finalise(acc, order);
  const pos = acc.positions.get(p.symbol);
  if (!pos) return;
  pos.takeProfit = p.tp === null ? null : roundToStep(p.tp, inst.tickSize);
  pos.stopLoss = p.sl === null ? null : roundToStep(p.sl, inst.tickSize);
  pos.updatedTime = ctx.now - p.lastActivityAgoMs;
  const last = acc.executions[acc.executions.length - 1];
  if (last) last.execTime = pos.updatedTime;
  if (p.pendingAtPct !== null) {
    const dir = p.side === 'Buy' ? -1 : 1;
    const price = roundToStep(mark * (1 + dir * p.pendingAtPct), inst.tickSize);
    const addQty = Math.max(inst.minQty, floorToStep(qty / 2, inst.qtyStep));
    const entryOrder = syntheticOrder(ctx.nextOrderId(), p.symbol, p.side, 'Limit', addQty, price, ctx.now - 2 * MIN);
    acc.open.set(entryOrder.orderId, entryOrder);
  }
}

function syntheticOrder(
  orderId: string,
  symbol: string,
  side: Side,
  type: 'Market' | 'Limit',
  qty: number,
  price: number | null,
  at: number,
): PaperOrder {
  return {
    orderId,
    orderLinkId: '',
    symbol,
    side,
    orderType: type,
    price,
    qty,
    cumExecQty: 0,
    cumExecValue: 0,
    cumExecFee: 0,
    avgPrice: null,
    orderStatus: 'New',
    reduceOnly: false,
    takeProfit: null,
    stopLoss: null,
    timeInForce: type === 'Market' ? 'IOC' : 'GTC',
    stopOrderType: '',
    createType: 'CreateByUser',
    createdTime: at,
    updatedTime: at,
  };
}

function shuffle<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** The paper accounts, empty: each with an API key and secret derived from the seed and its name (stable across runs). */
export function paperAccounts(opts: Pick<PaperOptions, 'accounts' | 'seed' | 'startingBalance'>): PaperAccount[] {
  return accountNames(opts.accounts).map((name, i) => {
    const h = createHmac('sha256', `tierwatch-paper-${opts.seed}`).update(name).digest('hex');
    return {
      name,
      uid: 100_000 + i,
      apiKey: `PAPER${h.slice(0, 13).toUpperCase()}`,
      secret: h.slice(13, 49),
      wallet: opts.startingBalance,
      positions: new Map(),
      open: new Map(),
      history: [],
      linkIds: new Map(),
      executions: [],
      changes: emptyChanges(),
    };
  });
}
