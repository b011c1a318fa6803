import type { ExecuteResult, InstrumentInfo } from '@tierwatch/shared';
import { useEffect, useState } from 'preact/hooks';
import { formatAgeExact, formatPrice, formatQty } from '../../utils/display.ts';
import type { Plan } from '../../utils/execute-form.ts';
import { describeEffect, effectOf, needsChoice } from '../../utils/position-effect.ts';
import type { Repeat, RepeatCheck } from '../../utils/repeat-order.ts';
import type { HeldCheck } from '../../utils/trade-flow.ts';

// The trade's two steps after the form: confirm (what goes to each account) and the per-account result.

export function Confirm({
  plan,
  busy,
  checking,
  banner,
  onBack,
  onPlace,
  instrument,
  free,
  repeat,
  repeatAck,
  onRepeatAck,
  held,
  heldAck,
  onHeldAck,
}: {
  plan: Plan;
  busy: boolean;
  /** Set while the execution is followed by its key after the answer to Place was lost. */
  checking: string | null;
  banner: string | null;
  onBack: () => void;
  onPlace: () => void;
  instrument: InstrumentInfo | null;
  free: Record<string, number> | null;
  repeat: RepeatCheck;
  repeatAck: boolean;
  onRepeatAck: (ack: boolean) => void;
  held: HeldCheck;
  heldAck: boolean;
  onHeldAck: (ack: boolean) => void;
}) {
  const r = plan.request;
  const tick = instrument?.tickSize;
  const effects = plan.legs.map((l) => {
    const h = held.state === 'ok' ? (held.byAccount[l.account] ?? null) : null;
    // Sized by risk, the exact quantity is the companion's; an opposite position needs the choice either way.
    return held.state === 'ok' ? effectOf(h, r.side, l.qty ?? (h?.side !== r.side ? Infinity : 0)) : null;
  });
  const choice = held.state === 'error' || effects.some((e) => e !== null && needsChoice(e));
  const blocked =
    repeat.state === 'checking' ||
    (repeat.state === 'found' && !repeatAck) ||
    held.state === 'checking' ||
    (choice && !heldAck);
  const lev = (account: string) => (held.state === 'ok' ? held.byAccount[account]?.leverage : null) ?? null;
  const basis =
    r.orderType === 'limit'
      ? `TP/SL % are from the limit price ${formatPrice(plan.refPrice, tick)}`
      : `TP/SL % are from the mark at review (${formatPrice(plan.refPrice, tick)}), not from the fill`;
  return (
    <section class="confirm" data-testid="exec-confirm">
      <h2>
        <span class={`side ${r.side}`}>{r.side}</span> {r.symbol} · {r.orderType}
        {r.price !== undefined
          ? ` @ ${formatPrice(r.price, tick)}`
          : plan.refPrice
            ? ` (mark ≈ ${formatPrice(plan.refPrice, tick)})`
            : ''}
      </h2>
      <p>
        TP <b data-testid="confirm-tp">{formatPrice(plan.takeProfit, tick)}</b> · SL{' '}
        <b data-testid="confirm-sl">{formatPrice(plan.stopLoss, tick)}</b>
        {r.riskAmount !== undefined && (
          <>
            {' '}
            · risk <b>{r.riskAmount} USDT</b>
          </>
        )}
      </p>
      <p class="muted small" data-testid="confirm-basis">
        {basis}; the prices sent are the ones above.
      </p>
      {plan.stopLoss === null && (
        <div class="banner warn" data-testid="exec-no-sl" role="alert">
          No stop-loss: nothing limits the loss on this order.
        </div>
      )}
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
                {l.qty !== null && plan.refPrice !== null && (
                  <div class="muted small" data-testid="confirm-figures">
                    notional {formatQty(l.qty * plan.refPrice, 0.01)}
                    {lev(l.account) ? ` · margin ${formatQty((l.qty * plan.refPrice) / lev(l.account)!, 0.01)}` : ''}
                    {plan.stopLoss !== null
                      ? ` · loss at SL ${formatQty(l.qty * Math.abs(plan.refPrice - plan.stopLoss), 0.01)}`
                      : ''}
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {plan.notes.length > 0 && (
        <ul class="notes">
          {plan.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      {choice && (
        <div class="banner warn" data-testid="exec-against" role="alert">
          <p>
            {held.state === 'error'
              ? `Could not read the accounts' positions on ${r.symbol} (${held.message}): this order may reduce, close or flip one.`
              : `This ${r.side} order goes against a ${r.side === 'long' ? 'short' : 'long'} ${r.symbol} position (one-way mode nets them): see each account above.`}
          </p>
          <label>
            <input
              type="checkbox"
              checked={heldAck}
              onChange={(ev) => onHeldAck((ev.target as HTMLInputElement).checked)}
              data-testid="exec-against-ack"
            />{' '}
            Yes, send it against the position
          </label>
        </div>
      )}
      {repeat.state === 'found' && <RepeatWarning repeat={repeat.repeat} ack={repeatAck} onAck={onRepeatAck} />}
      {repeat.state === 'checking' && (
        <p class="muted small" data-testid="exec-repeat-checking">
          Checking recent orders…
        </p>
      )}
      {repeat.state === 'error' && (
        <p class="muted small" data-testid="exec-repeat-unknown">
          Could not read recent orders to check for a repeat ({repeat.message}).
        </p>
      )}
      {checking && (
        <div class="banner warn" data-testid="exec-checking" role="status">
          {checking}
        </div>
      )}
      {banner && (
        <div class="banner error" data-testid="exec-error">
          {banner}
        </div>
      )}
      <div class="row">
        <button type="button" onClick={onBack} disabled={busy} data-testid="exec-back">
          Back
        </button>
        <button
          type="button"
          class={`primary ${r.side}`}
          onClick={onPlace}
          disabled={busy || blocked}
          data-testid="exec-place"
        >
          {checking
            ? 'Checking…'
            : busy
              ? 'Placing…'
              : `Place${repeat.state === 'found' ? ' again' : ''} on ${plan.legs.length} account${plan.legs.length === 1 ? '' : 's'}`}
        </button>
      </div>
    </section>
  );
}

/** "The same order went out 3s ago": shown with its age as it grows, and a tick to place it a second time. */
function RepeatWarning({ repeat, ack, onAck }: { repeat: Repeat; ack: boolean; onAck: (ack: boolean) => void }) {
  const e = repeat.execution;
  // The age as of the check, carried forward on this popup's clock.
  const [shownAt] = useState(() => Date.now());
  const [now, setNow] = useState(shownAt);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const accounts = e.legs.map((l) => l.account).join(', ');
  return (
    <div class="banner warn" data-testid="exec-repeat" role="alert">
      <p>
        <b>The same order went out {formatAgeExact(repeat.ageMs + now - shownAt)}</b>: {e.side} {e.symbol} on {accounts}{' '}
        ({e.status}, execution <span class="mono">{e.executionId}</span>). Placing it again sends a second order.
      </p>
      <label>
        <input
          type="checkbox"
          checked={ack}
          onChange={(ev) => onAck((ev.target as HTMLInputElement).checked)}
          data-testid="exec-repeat-ack"
        />{' '}
        Yes, place it a second time
      </label>
    </div>
  );
}

export function Result({ result, onNew, onDone }: { result: ExecuteResult; onNew: () => void; onDone: () => void }) {
  return (
    <section class="result" data-testid="exec-result" data-status={result.status}>
      <h2>
        {result.symbol} {result.side}: <span class={`status ${result.status}`}>{result.status}</span>
      </h2>
      <table class="legs">
        <thead>
          <tr>
            <th>Account</th>
            <th>Status</th>
            <th>Qty</th>
            <th>Order</th>
          </tr>
        </thead>
        <tbody>
          {result.legs.map((l) => (
            <tr key={l.account} data-testid="exec-leg" data-account={l.account} data-status={l.status}>
              <td>{l.account}</td>
              <td class={`status ${l.status}`}>{l.status}</td>
              <td>
                {/* "0/qty" reads as a failure: a placed leg shows what was sent; a fill shows filled/qty @ price. */}
                {l.filledQty > 0 ? `${formatQty(l.filledQty)}/${formatQty(l.qty)}` : formatQty(l.qty)}
                {l.avgPrice ? ` @ ${formatPrice(l.avgPrice)}` : ''}
              </td>
              <td class="mono" title={l.orderId ?? l.clientOrderId}>
                {l.error ? (
                  <span class="err">
                    {l.error.code}: {l.error.message}
                  </span>
                ) : (
                  <span class="oid">{l.orderId ?? '—'}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.adjustments.length > 0 && (
        <ul class="notes">
          {result.adjustments.map((a) => (
            <li key={a}>{a}</li>
          ))}
        </ul>
      )}
      <p class="muted small mono">execution {result.executionId}</p>
      <div class="row">
        <button type="button" onClick={onNew} data-testid="exec-new">
          New order
        </button>
        <button type="button" class="primary" onClick={onDone}>
          Positions
        </button>
      </div>
    </section>
  );
}
