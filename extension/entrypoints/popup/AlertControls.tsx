import { SNOOZE_MS } from '../../utils/notify.ts';
import { isSilenced } from '../../utils/settings.ts';
import { useAlertContext } from './alert-context.ts';
import './alerts.css';

/** A family's snooze (1 h) and mute toggles, for its row in the glance. */
export function AlertControls({ family }: { family: string }) {
  const { silence, send, now } = useAlertContext();
  const mutedNow = silence.muted[family] === true;
  const until = silence.snoozedUntil[family] ?? 0;
  const snoozedNow = !mutedNow && isSilenced(silence, family, now());
  const minutes = Math.max(1, Math.ceil((until - now()) / 60_000));
  return (
    <span class="alert-controls" data-testid="alert-controls" data-family={family}>
      <button
        type="button"
        class={`ac${snoozedNow ? ' on' : ''}`}
        title={snoozedNow ? `Snoozed for ${minutes} more min — click to wake` : 'Snooze its notifications for 1 h'}
        aria-pressed={snoozedNow}
        data-testid="snooze"
        onClick={() => send({ type: 'snooze', family, ms: snoozedNow ? 0 : SNOOZE_MS })}
      >
        {snoozedNow ? `snoozed ${minutes}m` : 'snooze'}
      </button>
      <button
        type="button"
        class={`ac${mutedNow ? ' on' : ''}`}
        title={mutedNow ? 'Muted — click to hear it again' : 'Mute its notifications'}
        aria-pressed={mutedNow}
        data-testid="mute"
        onClick={() => send({ type: 'mute', family, on: !mutedNow })}
      >
        {mutedNow ? 'muted' : 'mute'}
      </button>
    </span>
  );
}
