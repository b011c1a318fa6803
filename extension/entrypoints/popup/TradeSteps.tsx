import type { InstrumentInfo } from '@tierwatch/shared';
import { useEffect, useState } from 'preact/hooks';
import { confirmChecks, placeLabel } from '../../utils/confirm-checks.ts';
import { formatAgeExact, formatPrice } from '../../utils/display.ts';
import type { Plan } from '../../utils/execute-form.ts';
import type { Repeat, RepeatCheck } from '../../utils/repeat-order.ts';
import type { HeldCheck, TradeState } from '../../utils/trade-flow.ts';
import { ConfirmLegs } from './ConfirmLegs.tsx';

// The trade's confirm step: what goes to each account, what was read for it, and Place.

export function Confirm({
  plan,
  busy,
  checking,
  trade: t,
  instrument,
  onBack,
  onPlace,
  onRepeatAck,
  onHeldAck,
}: {
  plan: Plan;
  busy: boolean;
  /** Set while the execution is followed by its key after the answer to Place was lost. */
  checking: string | null;
  /** The banner, and the checks read for the plan (held positions, repeat, free USDT) with their ticks. */
  trade: TradeState;
  instrument: InstrumentInfo | null;
  onBack: () => void;
  onPlace: () => void;
  onRepeatAck: (ack: boolean) => void;
  onHeldAck: (ack: boolean) => void;
}) {
  const r = plan.request;
  const { effects, choice, blocked } = confirmChecks(plan, t);
  const { repeat } = t;
  return (
    <section class="confirm" data-testid="exec-confirm">
      <PlanSummary plan={plan} tick={instrument?.tickSize} />
      <ConfirmLegs plan={plan} effects={effects} held={t.held} free={t.free} instrument={instrument} />
      {plan.notes.length > 0 && (
        <ul class="notes">
          {plan.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      {choice && <AgainstWarning plan={plan} held={t.held} ack={t.heldAck} onAck={onHeldAck} />}
      <RepeatStatus repeat={repeat} ack={t.repeatAck} onAck={onRepeatAck} />
      {checking && (
        <div class="banner warn" data-testid="exec-checking" role="status">
          {checking}
        </div>
      )}
      {t.banner && (
        <div class="banner error" data-testid="exec-error">
          {t.banner}
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
          {placeLabel({ checking: !!checking, busy, repeat: repeat.state === 'found', accounts: plan.legs.length })}
        </button>
      </div>
    </section>
  );
}

/** The order in one line, its TP/SL (and risk), where the % came from, and a warning when there is no SL. */
function PlanSummary({ plan, tick }: { plan: Plan; tick: number | undefined }) {
  const r = plan.request;
  const basis =
    r.orderType === 'limit'
      ? `TP/SL % are from the limit price ${formatPrice(plan.refPrice, tick)}`
      : `TP/SL % are from the mark at review (${formatPrice(plan.refPrice, tick)}), not from the fill`;
  return (
    <>
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
    </>
  );
}

/** The order nets with a held opposite position (or the positions could not be read): a tick to send it. */
function AgainstWarning({
  plan,
  held,
  ack,
  onAck,
}: {
  plan: Plan;
  held: HeldCheck;
  ack: boolean;
  onAck: (ack: boolean) => void;
}) {
  const r = plan.request;
  return (
    <div class="banner warn" data-testid="exec-against" role="alert">
      <p>
        {held.state === 'error'
          ? `Could not read the accounts' positions on ${r.symbol} (${held.message}): this order may reduce, close or flip one.`
          : `This ${r.side} order goes against a ${r.side === 'long' ? 'short' : 'long'} ${r.symbol} position (one-way mode nets them): see each account above.`}
      </p>
      <AckBox ack={ack} onAck={onAck} testId="exec-against-ack" text="Yes, send it against the position" />
    </div>
  );
}

/** The repeat check as it stands: a repeat found (with its tick), still checking, or unreadable. */
function RepeatStatus({ repeat, ack, onAck }: { repeat: RepeatCheck; ack: boolean; onAck: (ack: boolean) => void }) {
  if (repeat.state === 'found') return <RepeatWarning repeat={repeat.repeat} ack={ack} onAck={onAck} />;
  if (repeat.state === 'checking')
    return (
      <p class="muted small" data-testid="exec-repeat-checking">
        Checking recent orders…
      </p>
    );
  if (repeat.state === 'error')
    return (
      <p class="muted small" data-testid="exec-repeat-unknown">
        Could not read recent orders to check for a repeat ({repeat.message}).
      </p>
    );
  return null;
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
      <AckBox ack={ack} onAck={onAck} testId="exec-repeat-ack" text="Yes, place it a second time" />
    </div>
  );
}

/** The box a warning is acknowledged with before Place is enabled. */
function AckBox(props: { ack: boolean; onAck: (ack: boolean) => void; testId: string; text: string }) {
  return (
    <label>
      <input
        type="checkbox"
        checked={props.ack}
        onChange={(ev) => props.onAck((ev.target as HTMLInputElement).checked)}
        data-testid={props.testId}
      />{' '}
      {props.text}
    </label>
  );
}
