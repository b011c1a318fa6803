import { useEffect, useRef, useState } from 'preact/hooks';
import { browser } from '#imports';
import { type BackgroundToPopup, POPUP_PORT, type PopupToBackground } from '../../utils/messages.ts';

/**
 * The popup's state comes from the background over a runtime port: one socket per browser, the popup
 * opens on the current picture at once, and the badge, notifications and popup never disagree.
 * A state push is marked so the render it causes can be measured (performance 'tw:render').
 */
export function useBackgroundState(): { state: BackgroundToPopup | null; send: (msg: PopupToBackground) => void } {
  const [state, setState] = useState<BackgroundToPopup | null>(null);
  const portRef = useRef<ReturnType<typeof browser.runtime.connect> | null>(null);

  useEffect(() => {
    let closed = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      const port = browser.runtime.connect({ name: POPUP_PORT });
      portRef.current = port;
      port.onMessage.addListener((msg: BackgroundToPopup) => {
        if (msg.type !== 'state') return;
        performance.mark('tw:state');
        setState(msg);
      });
      // The worker restarted (Chrome suspends it): attach again; it pushes state on attach.
      port.onDisconnect.addListener(() => {
        portRef.current = null;
        if (!closed) retry = setTimeout(connect, 300);
      });
      port.postMessage({ type: 'refresh' } satisfies PopupToBackground);
    };
    connect();
    return () => {
      closed = true;
      clearTimeout(retry);
      portRef.current?.disconnect();
    };
  }, []);

  // After the DOM for a pushed state is committed and painted, record how long it took.
  useEffect(() => {
    if (!state) return;
    const positions = state.stream ? Object.keys(state.stream.positions).length : 0;
    requestAnimationFrame(() =>
      setTimeout(() => {
        try {
          performance.measure('tw:render', { start: 'tw:state', detail: { positions } });
        } catch {
          // mark cleared; nothing to measure
        }
      }, 0),
    );
  }, [state]);

  return { state, send: (msg) => portRef.current?.postMessage(msg) };
}
