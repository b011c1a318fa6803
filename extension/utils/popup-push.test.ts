import { describe, expect, it } from 'vitest';
import { manualClock } from '../test-support/manual-clock.ts';
import type { BackgroundToPopup } from './messages.ts';
import { createPopupPush } from './popup-push.ts';

function rig(everyMs = 100) {
  const clock = manualClock();
  let version = 0;
  const push = createPopupPush({
    everyMs,
    now: clock.now,
    setTimeout: clock.setTimeout,
    message: () => ({ type: 'state', sentAt: version }) as unknown as BackgroundToPopup,
  });
  const got: number[] = [];
  return {
    push,
    advance: clock.advance,
    got,
    bump: () => ++version,
    listen: () => push.subscribe((m) => got.push(m.sentAt)),
  };
}

describe('popup pushes', () => {
  it('a change after a quiet spell goes out on the next turn, with the state as it is then', () => {
    const r = rig();
    r.listen();
    expect(r.got).toEqual([0]); // on attach
    r.advance(1_000);
    r.bump();
    r.push.changed();
    r.bump();
    r.push.changed();
    r.advance(0);
    expect(r.got).toEqual([0, 2]);
  });

  it('a burst costs one push per window, and the last change is never left behind', () => {
    const r = rig(100);
    r.listen();
    r.advance(500);
    for (let i = 0; i < 10; i++) {
      r.bump();
      r.push.changed();
      r.advance(30);
    }
    r.advance(200);
    // t=500 (leading), then 600, 700, 800 for the changes up to 770.
    expect(r.got).toEqual([0, 1, 4, 7, 10]);
    expect(r.push.pushes()).toBe(4);
  });

  it('nothing is pushed while no popup is attached', () => {
    const r = rig();
    r.push.changed();
    r.advance(1_000);
    expect(r.push.pushes()).toBe(0);
    const stop = r.push.subscribe(() => {});
    stop();
    r.push.changed();
    r.advance(1_000);
    expect(r.push.pushes()).toBe(0);
  });
});
