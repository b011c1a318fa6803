import { useMemo, useState } from 'preact/hooks';
import { newIdempotencyKey } from '../../utils/api.ts';
import type { PositionActionReply } from '../../utils/position-actions.ts';
import type { Family } from '../../utils/view.ts';
import { sendAction } from './PositionActions.tsx';

/**
 * "Close all shown": every family the filter shows, closed at market (reduce-only, each leg on its own
 * size), behind a typed confirmation ("CLOSE 12"). Each family is its own action under its own key, kept
 * for this set: pressing Close again after a lost answer can only answer, never close twice.
 *
 * The list is live (tiers and distances move while the panel is open), so the panel holds the set it was
 * opened on: the families it names, counts, closes and reports are the ones the trader read, whatever the
 * filter shows a moment later.
 */

/** The words the trader types to close `n` families: the count, so a changed filter needs a new confirmation. */
export const closeAllPhrase = (n: number) => `CLOSE ${n}`;

export function CloseAllShown({ families: live }: { families: Family[] }) {
  const [opened, setOpened] = useState<Family[] | null>(null);
  const open = opened !== null;
  const families = opened ?? live;
  const setOpen = (on: boolean) => setOpened(on ? live : null);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [replies, setReplies] = useState<Record<string, PositionActionReply> | null>(null);
  const setKey = families.map((f) => f.key).join('|');
  const keys = useMemo(() => new Map(families.map((f) => [f.key, newIdempotencyKey()])), [setKey]);
  if (families.length === 0) return null;
  const phrase = closeAllPhrase(families.length);
  if (!open)
    return (
      <button
        type="button"
        class="close-all"
        onClick={() => setOpen(true)}
        data-testid="close-all-shown"
        data-count={families.length}
      >
        Close all {families.length} shown…
      </button>
    );
  const go = async () => {
    setBusy(true);
    const out: Record<string, PositionActionReply> = {};
    await Promise.all(
      families.map(async (f) => {
        out[f.key] = await sendAction(f.main, { kind: 'close', percent: 100 }, keys.get(f.key));
      }),
    );
    setReplies(out);
    setBusy(false);
  };
  const done = replies ? Object.values(replies).filter((r) => r.ok && r.result.status === 'complete').length : 0;
  return (
    <div class="banner warn close-all-panel" data-testid="close-all-panel" data-count={families.length}>
      <p>
        Closes {families.length} position families at market on every account that holds them:{' '}
        {families.map((f) => `${f.main.symbol} ${f.main.side}`).join(', ')}. Type <b class="mono">{phrase}</b> to
        confirm.
      </p>
      <div class="row">
        <input
          aria-label="confirmation"
          value={typed}
          onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
          data-testid="close-all-typed"
        />
        <button type="button" onClick={() => setOpen(false)} disabled={busy}>
          Cancel
        </button>
        <button
          type="button"
          class="primary short"
          disabled={busy || typed.trim() !== phrase}
          onClick={go}
          data-testid="close-all-confirm"
        >
          {busy ? 'Closing…' : `Close ${families.length}`}
        </button>
      </div>
      {replies && (
        <ul class="notes" data-testid="close-all-result" data-complete={done}>
          {families.map((f) => {
            const r = replies[f.key];
            return (
              <li key={f.key}>
                {f.main.symbol} {f.main.side}: {r?.ok ? r.result.status : (r?.error ?? '…')}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
