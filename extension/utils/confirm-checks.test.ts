import type { ExecuteResult } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { confirmChecks, placeLabel } from './confirm-checks.ts';
import type { Plan, PlannedLeg } from './execute-form.ts';
import type { HeldCheck } from './trade-flow.ts';

const leg = (account: string, qty: number | null): PlannedLeg => ({
  account,
  role: account === 'main' ? 'main' : 'mirror',
  ratio: 1,
  qty,
  approx: qty === null,
  warning: null,
});
const plan = (legs: PlannedLeg[]): Plan => ({
  request: { idempotencyKey: 'k'.repeat(32), symbol: 'BTCUSDT', side: 'long', orderType: 'market', quantity: 1 },
  refPrice: 60_000,
  takeProfit: null,
  stopLoss: null,
  legs,
  notes: [],
});
const heldOk = (byAccount: Record<string, { side: 'long' | 'short'; size: number }>): HeldCheck => ({
  state: 'ok',
  byAccount: Object.fromEntries(Object.entries(byAccount).map(([a, h]) => [a, { ...h, leverage: null }])),
});
const found = { state: 'found' as const, repeat: { execution: {} as ExecuteResult, ageMs: 1000 } };
const none = { state: 'none' as const };

describe('confirmChecks', () => {
  it.each([
    {
      name: 'nothing held, no repeat: opens, Place free',
      legs: [leg('main', 1)],
      held: heldOk({}),
      repeat: none,
      acks: [false, false],
      effects: ['opens'],
      choice: false,
      blocked: false,
    },
    {
      name: 'held positions still being read: effects unknown, Place waits',
      legs: [leg('main', 1)],
      held: { state: 'checking' } as HeldCheck,
      repeat: none,
      acks: [false, false],
      effects: [null],
      choice: false,
      blocked: true,
    },
    {
      name: 'held positions unreadable: the choice is asked, Place waits for it',
      legs: [leg('main', 1)],
      held: { state: 'error', message: 'down' } as HeldCheck,
      repeat: none,
      acks: [false, false],
      effects: [null],
      choice: true,
      blocked: true,
    },
    {
      name: 'against a short on one account: that leg reduces, the choice is asked',
      legs: [leg('main', 1), leg('m1', 1)],
      held: heldOk({ m1: { side: 'short', size: 3 } }),
      repeat: none,
      acks: [false, false],
      effects: ['opens', 'reduces'],
      choice: true,
      blocked: true,
    },
    {
      name: 'against a short, acknowledged: Place free',
      legs: [leg('main', 1)],
      held: heldOk({ main: { side: 'short', size: 1 } }),
      repeat: none,
      acks: [false, true],
      effects: ['closes'],
      choice: true,
      blocked: false,
    },
    {
      name: 'sized by risk against a short: counted as a flip (the size is the companion’s)',
      legs: [leg('main', null)],
      held: heldOk({ main: { side: 'short', size: 1 } }),
      repeat: none,
      acks: [false, false],
      effects: ['flips'],
      choice: true,
      blocked: true,
    },
    {
      name: 'sized by risk on a long: adds, no choice',
      legs: [leg('main', null)],
      held: heldOk({ main: { side: 'long', size: 1 } }),
      repeat: none,
      acks: [false, false],
      effects: ['adds'],
      choice: false,
      blocked: false,
    },
    {
      name: 'a repeat found: Place waits for its tick',
      legs: [leg('main', 1)],
      held: heldOk({}),
      repeat: found,
      acks: [false, false],
      effects: ['opens'],
      choice: false,
      blocked: true,
    },
    {
      name: 'a repeat acknowledged: Place free',
      legs: [leg('main', 1)],
      held: heldOk({}),
      repeat: found,
      acks: [true, false],
      effects: ['opens'],
      choice: false,
      blocked: false,
    },
    {
      name: 'the repeat check still running: Place waits',
      legs: [leg('main', 1)],
      held: heldOk({}),
      repeat: { state: 'checking' as const },
      acks: [true, true],
      effects: ['opens'],
      choice: false,
      blocked: true,
    },
  ])('$name', ({ legs, held, repeat, acks: [repeatAck, heldAck], effects, choice, blocked }) => {
    const c = confirmChecks(plan(legs), { held, heldAck: heldAck!, repeat, repeatAck: repeatAck! });
    expect(c.effects.map((e) => e?.kind ?? null)).toEqual(effects);
    expect(c.choice).toBe(choice);
    expect(c.blocked).toBe(blocked);
  });
});

describe('placeLabel', () => {
  it.each([
    [{ checking: true, busy: true, repeat: false, accounts: 2 }, 'Checking…'],
    [{ checking: false, busy: true, repeat: false, accounts: 2 }, 'Placing…'],
    [{ checking: false, busy: false, repeat: false, accounts: 1 }, 'Place on 1 account'],
    [{ checking: false, busy: false, repeat: true, accounts: 3 }, 'Place again on 3 accounts'],
  ])('%j → %j', (o, label) => {
    expect(placeLabel(o)).toBe(label);
  });
});
