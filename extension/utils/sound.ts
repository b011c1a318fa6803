import type { NoticeKind } from '@tierwatch/shared';

/**
 * The alert sound. A service worker cannot play audio; Chrome's offscreen document (reason
 * AUDIO_PLAYBACK) can. The background opens it on the first sound and sends it one message per sound;
 * the document synthesises the tone (no audio file to ship): a falling pair for an SL hit or liquidation,
 * one short tone for approaching SL.
 */

export const SOUND_MESSAGE = 'tierwatch-sound';
export interface SoundMessage {
  type: typeof SOUND_MESSAGE;
  kind: NoticeKind;
}

export const isSoundMessage = (m: unknown): m is SoundMessage =>
  typeof m === 'object' && m !== null && (m as SoundMessage).type === SOUND_MESSAGE;

/** Tones (Hz, ms) per kind. */
export function tonesFor(kind: NoticeKind): { hz: number; ms: number }[] {
  if (kind === 'sl-hit' || kind === 'liquidation')
    return [
      { hz: 880, ms: 180 },
      { hz: 587, ms: 260 },
    ];
  return [{ hz: 740, ms: 160 }];
}

export interface OffscreenApi {
  hasDocument(): Promise<boolean>;
  createDocument(): Promise<void>;
  send(message: SoundMessage): Promise<void>;
}

/** Opens the offscreen document once (concurrent sounds share the opening), then sends the sound. */
export function soundPlayer(api: OffscreenApi) {
  let opening: Promise<void> | null = null;
  return async (kind: NoticeKind): Promise<void> => {
    if (!(await api.hasDocument())) {
      opening ??= api.createDocument().finally(() => {
        opening = null;
      });
      await opening;
    }
    await api.send({ type: SOUND_MESSAGE, kind });
  };
}
