import { KIND_SETTINGS, type KindSetting, type NotificationPrefs } from '../../utils/settings.ts';

/**
 * Per kind on / silent / off (freqtrade's notification settings are the model), and the sound. Silent: a
 * notification at the lowest priority, without sound or staying on screen; off: no desktop notification,
 * the popup's alert list and the badge still show it.
 */

type KindKey = 'nearSl' | 'nearTp' | 'slHit' | 'tpHit' | 'liquidation';
const KINDS: { key: KindKey; label: string; hint: string }[] = [
  { key: 'nearSl', label: 'Approaching stop-loss (CRITICAL)', hint: 'loud, stays until seen' },
  { key: 'slHit', label: 'Stop-loss hit', hint: 'loud, stays until seen, never summed up' },
  { key: 'liquidation', label: 'Liquidation', hint: 'loud, stays until seen' },
  { key: 'nearTp', label: 'Near take-profit (CRITICAL)', hint: 'quiet by default: listed in the popup only' },
  { key: 'tpHit', label: 'Take-profit hit', hint: 'never summed up' },
];
const WORD: Record<KindSetting, string> = { on: 'Notify', silent: 'Notify silently', off: 'Popup only' };

export function NotificationKinds({
  prefs,
  set,
}: {
  prefs: NotificationPrefs;
  set: <K extends keyof NotificationPrefs>(k: K, v: NotificationPrefs[K]) => void;
}) {
  return (
    <>
      <table class="kinds" data-testid="opt-kinds">
        <tbody>
          {KINDS.map(({ key, label, hint }) => (
            <tr key={key}>
              <td>
                {label}
                <div class="muted small">{hint}</div>
              </td>
              <td>
                <select
                  aria-label={`${label}: notify, notify silently or popup only`}
                  value={prefs[key]}
                  disabled={!prefs.enabled}
                  data-testid={`opt-kind-${key}`}
                  onChange={(e) => set(key, (e.target as HTMLSelectElement).value as KindSetting)}
                >
                  {KIND_SETTINGS.map((v) => (
                    <option key={v} value={v}>
                      {WORD[v]}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <label class="check">
        <input
          type="checkbox"
          checked={prefs.sound}
          disabled={!prefs.enabled}
          data-testid="opt-sound"
          onChange={(e) => set('sound', (e.target as HTMLInputElement).checked)}
        />{' '}
        Play a sound for stop-loss hits, liquidations and approaching stop-loss
      </label>
    </>
  );
}
