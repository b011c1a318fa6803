/**
 * The settings as plain data, notification preferences and snoozes with their pure helpers (no browser
 * API), so the background logic, the notification policy and the benchmark use them without WXT;
 * settings.ts stores them.
 */

/**
 * Per kind, as freqtrade's notification settings: a desktop notification, one without sound (lowest
 * priority), or none (`off`: the alert list and the badge still show it).
 */
export type KindSetting = 'on' | 'silent' | 'off';
export const KIND_SETTINGS: readonly KindSetting[] = ['on', 'silent', 'off'];

export interface NotificationPrefs {
  enabled: boolean;
  /** CRITICAL, nearest its stop-loss: loud, stays until seen. */
  nearSl: KindSetting;
  /**
   * CRITICAL, nearest its take-profit: good news, quiet by default: in the alert list (green) and the
   * badge, no desktop notification. Its TP hit is notified on its own either way.
   */
  nearTp: KindSetting;
  slHit: KindSetting;
  tpHit: KindSetting;
  liquidation: KindSetting;
  /** A sound (offscreen document) for SL hits, liquidations and approaching SL. */
  sound: boolean;
  /** CRITICAL notifications allowed per minute before the rest are summed up in one (hits never are). */
  maxPerMinute: number;
  /** How long one family and kind stays quiet after it was notified, whatever its tier does meanwhile. */
  dedupeMinutes: number;
}

export const DEFAULT_NOTIFICATION_PREFS: NotificationPrefs = {
  enabled: true,
  nearSl: 'on',
  nearTp: 'off',
  slHit: 'on',
  tpHit: 'on',
  liquidation: 'on',
  sound: false,
  maxPerMinute: 6,
  dedupeMinutes: 10,
};

const asSetting = (v: unknown, fallback: KindSetting): KindSetting =>
  v === true ? 'on' : v === false ? 'off' : KIND_SETTINGS.includes(v as KindSetting) ? (v as KindSetting) : fallback;

/**
 * Stored prefs → complete prefs. Earlier versions stored booleans (critical, slHit, tpHit): true is
 * 'on', false 'off', and the one `critical` switch stands for both near-SL and near-TP.
 */
export function normalisePrefs(
  raw: Partial<Record<keyof NotificationPrefs | 'critical', unknown>> | null | undefined,
): NotificationPrefs {
  const d = DEFAULT_NOTIFICATION_PREFS;
  const r = raw ?? {};
  const critical = r.critical === false ? 'off' : undefined;
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback);
  return {
    enabled: typeof r.enabled === 'boolean' ? r.enabled : d.enabled,
    nearSl: asSetting(r.nearSl ?? critical, d.nearSl),
    nearTp: asSetting(r.nearTp ?? critical, d.nearTp),
    slHit: asSetting(r.slHit, d.slHit),
    tpHit: asSetting(r.tpHit, d.tpHit),
    liquidation: asSetting(r.liquidation, d.liquidation),
    sound: typeof r.sound === 'boolean' ? r.sound : d.sound,
    maxPerMinute: num(r.maxPerMinute, d.maxPerMinute),
    dedupeMinutes: num(r.dedupeMinutes, d.dedupeMinutes),
  };
}

/** Snoozed and muted families (by family key: the main leg's position key). */
export interface Silence {
  snoozedUntil: Record<string, number>;
  muted: Record<string, true>;
}
export const emptySilence = (): Silence => ({ snoozedUntil: {}, muted: {} });

export const isSilenced = (s: Silence, family: string, now: number): boolean =>
  s.muted[family] === true || (s.snoozedUntil[family] ?? 0) > now;

/** Snooze until `until`; expired snoozes are dropped on the way, so the item does not grow. */
export function snoozed(s: Silence, family: string, until: number, now: number): Silence {
  const snoozedUntil: Record<string, number> = {};
  for (const [k, t] of Object.entries(s.snoozedUntil)) if (t > now) snoozedUntil[k] = t;
  snoozedUntil[family] = until;
  return { ...s, snoozedUntil };
}

export function muted(s: Silence, family: string, on: boolean): Silence {
  const { [family]: _, ...rest } = s.muted;
  return { ...s, muted: on ? { ...rest, [family]: true } : rest };
}

export function unsnoozed(s: Silence, family: string): Silence {
  const { [family]: _, ...snoozedUntil } = s.snoozedUntil;
  return { ...s, snoozedUntil };
}

/** What the background runs on (settings.ts loads it from storage). */
export interface Settings {
  baseUrl: string;
  token: string;
  prefs: NotificationPrefs;
  silence?: Silence;
}
