import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { PopupToBackground } from '../../utils/messages.ts';
import { emptySilence, type Silence } from '../../utils/settings.ts';

/**
 * What the alert controls need from the popup around them: the snoozes and mutes (from the background's
 * state), a way to ask the background to change them, and a way to bring a position into view. Provided
 * once by App, so the glance's rows take one `<AlertControls family=… />` and nothing else.
 */
export interface AlertContext {
  silence: Silence;
  send(msg: PopupToBackground): void;
  focus(key: string): void;
  now(): number;
}

export const AlertCtx = createContext<AlertContext>({
  silence: emptySilence(),
  send: () => {},
  focus: () => {},
  now: () => Date.now(),
});

export const useAlertContext = () => useContext(AlertCtx);
