import {
  type ExecuteResult,
  PositionAction,
  type PositionAction as PositionActionT,
  PositionSide,
  SymbolName,
  type TieredPosition,
} from '@tierwatch/shared';
import { z } from 'zod';
import { type Api, ApiError, newIdempotencyKey } from './api.ts';

/**
 * Actions on a position family, from the popup's rows and from notification buttons: one message the
 * background runs (POST /api/v1/trading/actions, the companion's money path), and what the action will do
 * on each account, said before it goes.
 */

/** The message a popup or a notification handler sends the background to act on a family. */
export const PositionActionMessage = z
  .object({
    type: z.literal('position-action'),
    symbol: SymbolName,
    side: PositionSide,
    action: PositionAction,
    /** One key per confirmed action: a resend of the same message can never act twice. */
    idempotencyKey: z.string().regex(/^[A-Za-z0-9_-]{8,36}$/),
    accounts: z.array(z.string()).min(1).optional(),
  })
  .strict();
export type PositionActionMessage = z.infer<typeof PositionActionMessage>;
export type PositionActionReply = { ok: true; result: ExecuteResult } | { ok: false; error: string };

export const actionMessage = (
  p: { symbol: string; side: PositionActionMessage['side'] },
  action: PositionActionT,
  key: string = newIdempotencyKey(),
): PositionActionMessage => ({ type: 'position-action', symbol: p.symbol, side: p.side, action, idempotencyKey: key });

/** Runs one action message against the companion; never throws (the reply says what went wrong). */
export async function runPositionAction(api: Api | null, raw: unknown): Promise<PositionActionReply> {
  const m = PositionActionMessage.safeParse(raw);
  if (!m.success) return { ok: false, error: `not an action: ${m.error.issues[0]?.message}` };
  if (!api) return { ok: false, error: 'not paired with the companion' };
  const { symbol, side, action, idempotencyKey, accounts } = m.data;
  try {
    const result = await api.act({ idempotencyKey, symbol, side, action, ...(accounts ? { accounts } : {}) });
    return { ok: true, result };
  } catch (err) {
    return { ok: false, error: err instanceof ApiError ? `${err.code}: ${err.message}` : String(err) };
  }
}

/**
 * Sent when a family's action menu opens: the background reads the positions fresh, and an action sent in
 * the next seconds is planned from that read (one round trip instead of two on the money path).
 */
export const WARM_MESSAGE = { type: 'position-action-warm' } as const;

export async function warmPositions(api: Api | null): Promise<void> {
  await api?.positions({ use_cache: false }).catch(() => {});
}

/** Closes need a confirmation; protective actions (break-even, trailing, TP/SL) go in one click by default. */
export const confirmsByDefault = (a: PositionActionT): boolean =>
  a.kind === 'close' || a.kind === 'close-limit' || a.kind === 'cancel-orders';

const qty = (x: number) => String(Number(x.toPrecision(10)));

/** What the action will do on each account of the family, from the rows the popup shows. */
export function previewAction(legs: readonly TieredPosition[], a: PositionActionT): string[] {
  return legs.map((p) => {
    const on = `${p.account}:`;
    switch (a.kind) {
      case 'close':
        return `${on} close ${a.percent >= 100 ? `all ${qty(p.size)}` : `${a.percent} % ≈ ${qty((p.size * a.percent) / 100)} of ${qty(p.size)}`} at market (reduce-only)`;
      case 'close-limit':
        return `${on} close ${a.percent >= 100 ? qty(p.size) : `${a.percent} %`} at ${a.price} (reduce-only limit)`;
      case 'set-tpsl':
        return `${on} TP ${a.takeProfit === undefined ? 'unchanged' : (a.takeProfit ?? 'cleared')}, SL ${a.stopLoss === undefined ? 'unchanged' : (a.stopLoss ?? 'cleared')}`;
      case 'sl-break-even':
        return `${on} SL ${p.stopLoss ?? 'none'} → break-even (entry ${p.entryPrice} + fees)`;
      case 'trailing':
        return `${on} trailing stop ${a.distance === null ? 'cleared' : `${a.distance} behind the best price`}`;
      default:
        return `${on} cancel the pending orders on ${p.symbol}`;
    }
  });
}
