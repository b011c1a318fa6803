import { storage } from '#imports';
import {
  DEFAULT_NOTIFICATION_PREFS,
  emptySilence,
  type NotificationPrefs,
  normalisePrefs,
  type Settings,
  type Silence,
} from './alert-prefs.ts';

export * from './alert-prefs.ts';

/** Every setting the extension keeps, defined once. Entry points read and watch these items only. */

export const DEFAULT_COMPANION_URL = 'http://127.0.0.1:8787';

export const companionUrl = storage.defineItem<string>('local:companionUrl', { fallback: DEFAULT_COMPANION_URL });
export const pairingToken = storage.defineItem<string>('local:pairingToken', { fallback: '' });
export const notificationPrefs = storage.defineItem<NotificationPrefs>('local:notificationPrefs', {
  fallback: DEFAULT_NOTIFICATION_PREFS,
});
/** Snoozes and mutes, set from a notification's buttons or a position's row. */
export const alertSilence = storage.defineItem<Silence>('local:alertSilence', { fallback: emptySilence() });
/** Position key the popup should scroll to when it next opens (set by a notification click). */
export const pendingFocus = storage.defineItem<string | null>('session:pendingFocus', { fallback: null });

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The companion listens on loopback only, and the manifest grants nothing else: refuse other hosts
 * here, with a message the options page can show as is.
 */
export function normaliseCompanionUrl(input: string): { ok: true; url: string } | { ok: false; message: string } {
  const raw = input.trim() || DEFAULT_COMPANION_URL;
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    return { ok: false, message: 'not an address, e.g. http://127.0.0.1:8787' };
  }
  if (url.protocol !== 'http:') return { ok: false, message: 'the companion speaks plain http on loopback' };
  if (!LOOPBACK_HOSTS.has(url.hostname)) {
    return { ok: false, message: 'the companion only listens on 127.0.0.1 or localhost' };
  }
  return { ok: true, url: `${url.protocol}//${url.host}` };
}

export async function loadSettings(): Promise<Settings> {
  const [baseUrl, token, prefs, silence] = await Promise.all([
    companionUrl.getValue(),
    pairingToken.getValue(),
    notificationPrefs.getValue(),
    alertSilence.getValue(),
  ]);
  return { baseUrl, token: token.trim(), prefs: normalisePrefs(prefs), silence: { ...emptySilence(), ...silence } };
}
