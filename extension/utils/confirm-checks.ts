import type { Plan } from './execute-form.ts';
import { type Effect, effectOf, needsChoice } from './position-effect.ts';
import type { TradeState } from './trade-flow.ts';

/**
 * What the confirm step reads from the plan and the checks made while the trader reviews: what each leg
 * does to the position its account holds, and whether Place waits (a check still running, or a repeat or
 * an order against a position not yet acknowledged).
 */
export interface ConfirmChecks {
  /** Per planned leg (same order): its effect on the held position, or null while that is not known. */
  effects: (Effect | null)[];
  /** The trader must tick "send it against the position" (held positions unread, or one is reduced, closed or flipped). */
  choice: boolean;
  /** Place is held back. */
  blocked: boolean;
}

type Checks = Pick<TradeState, 'held' | 'heldAck' | 'repeat' | 'repeatAck'>;

export function confirmChecks(plan: Plan, t: Checks): ConfirmChecks {
  const r = plan.request;
  const { held } = t;
  const effects = plan.legs.map((l) => {
    if (held.state !== 'ok') return null;
    const h = held.byAccount[l.account] ?? null;
    // Sized by risk, the exact quantity is the companion's; an opposite position needs the choice either way.
    return effectOf(h, r.side, l.qty ?? (h?.side !== r.side ? Infinity : 0));
  });
  const choice = held.state === 'error' || effects.some((e) => e !== null && needsChoice(e));
  const blocked =
    t.repeat.state === 'checking' ||
    (t.repeat.state === 'found' && !t.repeatAck) ||
    held.state === 'checking' ||
    (choice && !t.heldAck);
  return { effects, choice, blocked };
}

/** The Place button's words: checking after a lost answer, placing, or how many accounts it goes to. */
export function placeLabel(o: { checking: boolean; busy: boolean; repeat: boolean; accounts: number }): string {
  if (o.checking) return 'Checking…';
  if (o.busy) return 'Placing…';
  return `Place${o.repeat ? ' again' : ''} on ${o.accounts} account${o.accounts === 1 ? '' : 's'}`;
}
