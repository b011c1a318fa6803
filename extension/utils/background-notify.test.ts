import { describe, expect, it } from 'vitest';
import { breakEvenKey, buttonAction } from './background-notify.ts';

describe('buttonAction: what a notification button does', () => {
  it.each<{ kind: string | undefined; index: number; action: ReturnType<typeof buttonAction> }>([
    { kind: 'near-tp', index: 0, action: 'break-even' },
    { kind: 'near-tp', index: 1, action: 'snooze' },
    { kind: 'near-sl', index: 0, action: 'snooze' },
    { kind: 'near-sl', index: 1, action: 'mute' },
    { kind: 'near-sl', index: 2, action: null },
    // A notification this worker does not know (shown by a previous one): the plain buttons.
    { kind: undefined, index: 0, action: 'snooze' },
    { kind: undefined, index: 1, action: 'mute' },
  ])('$kind, button $index → $action', ({ kind, index, action }) => {
    expect(buttonAction(kind, index)).toBe(action);
  });
});

describe('breakEvenKey', () => {
  it('is one key per showing: same id and time the same, another time or id another', () => {
    const key = breakEvenKey('tw|near-tp|main:BTCUSDT:long', 1_700_000_000_000);
    expect(key).toBe(breakEvenKey('tw|near-tp|main:BTCUSDT:long', 1_700_000_000_000));
    expect(key).not.toBe(breakEvenKey('tw|near-tp|main:BTCUSDT:long', 1_700_000_000_001));
    expect(key).not.toBe(breakEvenKey('tw|near-tp|main:ETHUSDT:long', 1_700_000_000_000));
    // An idempotency key: 8 to 36 of letters, digits, _ and -.
    expect(key).toMatch(/^[A-Za-z0-9_-]{8,36}$/);
  });
});
