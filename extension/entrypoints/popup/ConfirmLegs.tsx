import type { InstrumentInfo } from '@tierwatch/shared';
import { formatQty } from '../../utils/display.ts';
import type { Plan, PlannedLeg } from '../../utils/execute-form.ts';
import { describeEffect, type Effect } from '../../utils/position-effect.ts';
import type { HeldCheck } from '../../utils/trade-flow.ts';

/** The confirm step's table: per account its ratio, quantity, free USDT and what the order does to its position. */
export function ConfirmLegs({
  plan,
  effects,
  held,
  free,
  instrument,
}: {
  plan: Plan;
  effects: (Effect | null)[];
  held: HeldCheck;
  free: Record<string, number> | null;
  instrument: InstrumentInfo | null;
}) {
  return (
    <table class="legs">
      <thead>
        <tr>
          <th>Account</th>
          <th>Ratio</th>
          <th>Qty</th>
          <th>Free USDT</th>
          <th>Position</th>
        </tr>
      </thead>
      <tbody>
        {plan.legs.map((l, i) => (
          <tr key={l.account} data-testid="confirm-leg" data-account={l.account}>
            <td>
              {l.account} {l.account !== l.role && <span class="muted">{l.role}</span>}
            </td>
            <td>×{l.ratio}</td>
            <td data-testid="confirm-qty">
              {l.qty === null ? 'from risk' : `${l.approx ? '≈ ' : ''}${formatQty(l.qty, instrument?.qtyStep)}`}
              {l.warning && <div class="err">{l.warning}</div>}
            </td>
            <td data-testid="confirm-free">
              {free?.[l.account] === undefined ? '…' : formatQty(free[l.account]!, 0.01)}
            </td>
            <td data-testid="confirm-effect" data-effect={effects[i]?.kind ?? held.state}>
              {effects[i] ? describeEffect(effects[i]!) : held.state === 'checking' ? '…' : 'unknown'}
              <LegFigures leg={l} plan={plan} held={held} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A sized leg's notional, margin at the account's leverage and loss at the SL. */
function LegFigures({ leg: l, plan, held }: { leg: PlannedLeg; plan: Plan; held: HeldCheck }) {
  if (l.qty === null || plan.refPrice === null) return null;
  const lev = (held.state === 'ok' ? held.byAccount[l.account]?.leverage : null) ?? null;
  return (
    <div class="muted small" data-testid="confirm-figures">
      notional {formatQty(l.qty * plan.refPrice, 0.01)}
      {lev ? ` · margin ${formatQty((l.qty * plan.refPrice) / lev, 0.01)}` : ''}
      {plan.stopLoss !== null
        ? ` · loss at SL ${formatQty(l.qty * Math.abs(plan.refPrice - plan.stopLoss), 0.01)}`
        : ''}
    </div>
  );
}
