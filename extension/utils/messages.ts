import type { StreamState } from '@tierwatch/shared';
import type { Silence } from './alert-prefs.ts';
import type { ConnectionStatus } from './connection.ts';

/** The runtime port between the popup and the background (name POPUP_PORT). */
export const POPUP_PORT = 'tierwatch-popup';

export type BackgroundToPopup = {
  type: 'state';
  status: ConnectionStatus;
  stream: StreamState | null;
  /** Snoozed and muted families, for the rows' controls. */
  silence: Silence;
  sentAt: number;
};

export type PopupToBackground =
  /** The popup opened: reopen the socket if it is gone (an open one keeps the state current). */
  | { type: 'refresh' }
  /** "Retry now" in the disconnected state. */
  | { type: 'reconnect' }
  /** A row's snooze (default an hour) and mute controls, by family key. */
  | { type: 'snooze'; family: string; ms?: number }
  | { type: 'mute'; family: string; on: boolean };
