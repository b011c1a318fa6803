import { storage } from '#imports';

/** Every setting the extension keeps, defined once. Entry points read and watch these items only. */

export const DEFAULT_COMPANION_URL = 'http://127.0.0.1:8787';

export interface NotificationPrefs {
  enabled: boolean;
  critical: boolean;
  slHit: boolean;
  tpHit: boolean;
  /** Desktop notifications allowed per minute before the rest are summed up in one. */
  maxPerMinute: number;
  /** How long one position+kind stays quiet after it was notified. */
  dedupeMinutes: number;
}

export const DEFAULT_NOTIFICATION_PREFS: NotificationPrefs = {
  enabled: true,
  critical: true,
  slHit: true,
  tpHit: true,
  maxPerMinute: 6,
  dedupeMinutes: 10,
};

export const companionUrl = storage.defineItem<string>('local:companionUrl', { fallback: DEFAULT_COMPANION_URL });
export const pairingToken = storage.defineItem<string>('local:pairingToken', { fallback: '' });
export const notificationPrefs = storage.defineItem<NotificationPrefs>('local:notificationPrefs', {
  fallback: DEFAULT_NOTIFICATION_PREFS,
});
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

export interface Settings {
  baseUrl: string;
  token: string;
  prefs: NotificationPrefs;
}

export async function loadSettings(): Promise<Settings> {
  const [baseUrl, token, prefs] = await Promise.all([
    companionUrl.getValue(),
    pairingToken.getValue(),
    notificationPrefs.getValue(),
  ]);
  return { baseUrl, token: token.trim(), prefs: { ...DEFAULT_NOTIFICATION_PREFS, ...prefs } };
}
