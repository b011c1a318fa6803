import type { BackgroundToPopup } from './messages.ts';

/**
 * The background's pushes to open popups and side panels: the whole state, at most once per `everyMs`.
 * Throttled, not debounced: the first change after a quiet spell goes out on the next turn (so a
 * positions-updated shows at once), and a burst (a replay, a snapshot's notices) costs one message per
 * window. Every push is the complete current state: a popup that missed one loses nothing.
 */

export interface PopupPushDeps {
  setTimeout(fn: () => void, ms: number): unknown;
  now(): number;
  /** The message for the state as it is at push time. */
  message(): BackgroundToPopup;
  everyMs: number;
}

export function createPopupPush(deps: PopupPushDeps) {
  const listeners = new Set<(msg: BackgroundToPopup) => void>();
  let timer: unknown = null;
  let lastAt = Number.NEGATIVE_INFINITY;
  let pushes = 0;

  const push = () => {
    timer = null;
    lastAt = deps.now();
    pushes++;
    const msg = deps.message();
    for (const l of listeners) l(msg);
  };

  return {
    /** The state changed: push it, within the window. */
    changed(): void {
      if (listeners.size === 0 || timer !== null) return;
      timer = deps.setTimeout(push, Math.max(0, lastAt + deps.everyMs - deps.now()));
    },
    /** A popup attached: it gets the state now and on every change until it detaches. */
    subscribe(listener: (msg: BackgroundToPopup) => void): () => void {
      listeners.add(listener);
      listener(deps.message());
      return () => listeners.delete(listener);
    },
    /** Pushes made (the benchmark and tests compare them with the updates applied). */
    pushes: () => pushes,
  };
}
