import type { ExecuteResult, PositionAction, TieredPosition } from '@tierwatch/shared';
import { useState } from 'preact/hooks';
import { browser } from '#imports';
import { closePercentAction, setTpSlAction, trailingAction } from '../../utils/action-inputs.ts';
import {
  actionMessage,
  confirmsByDefault,
  type PositionActionReply,
  previewAction,
  WARM_MESSAGE,
} from '../../utils/position-actions.ts';
import type { Family } from '../../utils/view.ts';

/**
 * A family's action menu (Close, Close %, SL → break-even, Edit TP/SL, Trailing, Cancel orders). What the
 * action does on each account is listed before it goes; closes and cancels wait for Confirm, protective
 * actions go in one click. The background sends it (the same message a notification button sends).
 */

type Pick = { action: PositionAction; lines: string[] };
type Phase =
  | { at: 'menu' }
  | { at: 'confirm'; pick: Pick }
  | { at: 'sending'; pick: Pick }
  | { at: 'done'; reply: PositionActionReply };

export async function sendAction(
  p: TieredPosition,
  action: PositionAction,
  key?: string,
): Promise<PositionActionReply> {
  try {
    return (
      ((await browser.runtime.sendMessage(actionMessage(p, action, key))) as PositionActionReply) ?? {
        ok: false,
        error: 'the background did not answer',
      }
    );
  } catch (err) {
    return { ok: false, error: String(err) };
  }
}

/** What the menu is at, and how a chosen action goes: straight out, or after a Confirm. */
function useActionPhase(family: Family) {
  const [phase, setPhase] = useState<Phase>({ at: 'menu' });
  const legs = [family.main, ...family.mirrors];
  const go = async (pick: Pick) => {
    setPhase({ at: 'sending', pick });
    setPhase({ at: 'done', reply: await sendAction(family.main, pick.action) });
  };
  const choose = (action: PositionAction | null) => {
    if (!action) return;
    const pick = { action, lines: previewAction(legs, action) };
    if (confirmsByDefault(action)) setPhase({ at: 'confirm', pick });
    else void go(pick);
  };
  return { phase, legs, go, choose, back: () => setPhase({ at: 'menu' }) };
}

export function PositionActions({ family }: { family: Family }) {
  const [open, setOpen] = useState(false);
  const { phase, legs, go, choose, back } = useActionPhase(family);
  // The typed fields outlive the menu: closed and opened again, it shows what was typed.
  const pct = useState('50');
  const levels = { tp: useState(''), sl: useState(''), trail: useState('') };
  const stop = (e: Event) => e.stopPropagation();
  if (!open)
    return (
      <button
        type="button"
        class="row-actions"
        onClick={() => {
          setOpen(true);
          void browser.runtime.sendMessage(WARM_MESSAGE).catch(() => {});
        }}
        data-testid="row-actions"
      >
        Actions ▾
      </button>
    );
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: keeps clicks inside the menu from opening the detail view
    // biome-ignore lint/a11y/useKeyWithClickEvents: the same, for the mouse only
    <div class="actions-menu" data-testid="actions-menu" onClick={stop}>
      <CloseRow legs={legs} choose={choose} pct={pct} />
      <LevelRow
        fields={levels}
        choose={choose}
        onDismiss={() => {
          setOpen(false);
          back();
        }}
      />
      {(phase.at === 'confirm' || phase.at === 'sending') && (
        <ActionPreview
          lines={phase.pick.lines}
          sending={phase.at === 'sending'}
          accounts={legs.length}
          onBack={back}
          onConfirm={() => phase.at === 'confirm' && go(phase.pick)}
        />
      )}
      {phase.at === 'done' && <ActionOutcome reply={phase.reply} />}
    </div>
  );
}

type Choose = (action: PositionAction | null) => void;
type Field = [string, (v: string) => void];

/** Close, Close %, SL → break-even, Cancel orders. */
function CloseRow({ legs, choose, pct: [pct, setPct] }: { legs: TieredPosition[]; choose: Choose; pct: Field }) {
  return (
    <div class="row wrap">
      <button type="button" onClick={() => choose({ kind: 'close', percent: 100 })} data-testid="act-close">
        Close
      </button>
      <span>
        <input
          class="small-num"
          aria-label="percent to close"
          value={pct}
          onInput={(e) => setPct((e.target as HTMLInputElement).value)}
          data-testid="act-pct"
        />
        <button type="button" onClick={() => choose(closePercentAction(pct))} data-testid="act-close-pct">
          Close %
        </button>
      </span>
      <button
        type="button"
        title={previewAction(legs, { kind: 'sl-break-even' }).join('\n')}
        onClick={() => choose({ kind: 'sl-break-even' })}
        data-testid="act-break-even"
      >
        SL → break-even
      </button>
      <button type="button" onClick={() => choose({ kind: 'cancel-orders' })} data-testid="act-cancel-orders">
        Cancel orders
      </button>
    </div>
  );
}

/** Edit TP/SL, Trailing, and the menu's close button. */
function LevelRow({
  fields,
  choose,
  onDismiss,
}: {
  fields: { tp: Field; sl: Field; trail: Field };
  choose: Choose;
  onDismiss: () => void;
}) {
  const [tp, setTp] = fields.tp;
  const [sl, setSl] = fields.sl;
  const [trail, setTrail] = fields.trail;
  return (
    <div class="row wrap">
      <input
        aria-label="take-profit price"
        placeholder="TP"
        value={tp}
        onInput={(e) => setTp((e.target as HTMLInputElement).value)}
        data-testid="act-tp"
      />
      <input
        aria-label="stop-loss price"
        placeholder="SL"
        value={sl}
        onInput={(e) => setSl((e.target as HTMLInputElement).value)}
        data-testid="act-sl"
      />
      <button type="button" onClick={() => choose(setTpSlAction(tp, sl))} data-testid="act-set-tpsl">
        Edit TP/SL
      </button>
      <input
        aria-label="trailing distance"
        placeholder="trail"
        value={trail}
        onInput={(e) => setTrail((e.target as HTMLInputElement).value)}
        data-testid="act-trail"
      />
      <button type="button" onClick={() => choose(trailingAction(trail))} data-testid="act-trailing">
        Trailing
      </button>
      <button type="button" onClick={onDismiss} data-testid="act-dismiss">
        ✕
      </button>
    </div>
  );
}

/** What a close or cancel will do on each account, waiting for Confirm. */
function ActionPreview(props: {
  lines: string[];
  sending: boolean;
  accounts: number;
  onBack: () => void;
  onConfirm: () => void;
}) {
  const { sending, accounts } = props;
  return (
    <div class="banner warn" data-testid="action-preview">
      <ul class="notes">
        {props.lines.map((l) => (
          <li key={l}>{l}</li>
        ))}
      </ul>
      <div class="row">
        <button type="button" onClick={props.onBack} disabled={sending}>
          Back
        </button>
        <button type="button" class="primary" onClick={props.onConfirm} disabled={sending} data-testid="action-confirm">
          {sending ? 'Sending…' : `Confirm on ${accounts} account${accounts === 1 ? '' : 's'}`}
        </button>
      </div>
    </div>
  );
}

function ActionOutcome({ reply }: { reply: PositionActionReply }) {
  if (!reply.ok)
    return (
      <div class="banner error" data-testid="action-result" data-status="error">
        {reply.error}
      </div>
    );
  const r: ExecuteResult = reply.result;
  return (
    <div class={`banner ${r.status === 'complete' ? 'ok' : 'warn'}`} data-testid="action-result" data-status={r.status}>
      {r.action?.kind} {r.symbol}: {r.status}
      <ul class="notes">
        {r.legs.map((l) => (
          <li key={l.account} data-testid="action-leg" data-account={l.account} data-status={l.status}>
            {l.account}: {l.status}
            {l.error ? ` (${l.error.message})` : ''}
          </li>
        ))}
        {r.adjustments.map((a) => (
          <li key={a}>{a}</li>
        ))}
      </ul>
    </div>
  );
}
