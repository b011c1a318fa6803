import type { ExecuteResult, InstrumentInfo } from '@tierwatch/shared';
import type { Api } from './api.ts';
import { placeExecution } from './execute-flow.ts';
import type { Plan } from './execute-form.ts';
import { checkRepeat } from './repeat-order.ts';
import { describeError, freeUsdt, heldOn, type TradeAction } from './trade-flow.ts';

/**
 * The Trade tab's calls to the companion, each answer told to the steps' reducer (trade-flow.ts) as an
 * action: the reads while the trader reviews, and placing. The popup passes its API and its dispatch.
 */

type Dispatch = (a: TradeAction) => void;

/** Held positions, a repeat of a recent order and fresh balances and marks, while the trader reads. */
export function readForReview(
  api: Api,
  plan: Plan,
  placedHere: readonly ExecuteResult[],
  dispatch: Dispatch,
  onInstruments: (instruments: InstrumentInfo[]) => void,
): void {
  const key = plan.request.idempotencyKey;
  void api
    .positions({ use_cache: false })
    .then((p) => dispatch({ type: 'held', key, held: { state: 'ok', byAccount: heldOn(p.data, plan.request.symbol) } }))
    .catch((err) => dispatch({ type: 'held', key, held: { state: 'error', message: describeError(err) } }));
  void checkRepeat(api, plan, placedHere).then((repeat) => dispatch({ type: 'repeat', key, repeat }));
  // The companion's pre-check reuses these, so Place costs one exchange round trip instead of two.
  void api
    .balances({ use_cache: false })
    .then((b) => dispatch({ type: 'free', key, free: freeUsdt(b.data) }))
    .catch(() => dispatch({ type: 'free', key, free: null }));
  void api
    .instruments({ use_cache: false })
    .then((i) => onInstruments(i.data))
    .catch(() => {});
}

/**
 * Places the plan's request, once: unless the trader ticked "place it a second time", the repeat check is
 * asked again first. What this window placed is added to `placedHere` (a repeat of it is known even when
 * the companion's list cannot be read).
 */
export async function placeTrade(
  api: Api,
  plan: Plan,
  opts: { repeatAck: boolean; placedHere: ExecuteResult[]; dispatch: Dispatch },
): Promise<void> {
  const { dispatch, placedHere } = opts;
  dispatch({ type: 'placing' });
  if (!opts.repeatAck) {
    // Asked again as it goes: another window may have sent the same order while this one was confirming.
    const c = await checkRepeat(api, plan, placedHere);
    if (c.state === 'found') return dispatch({ type: 'repeat-found', repeat: c });
  }
  try {
    const outcome = await placeExecution(api, plan.request, {
      onChecking: (message) => dispatch({ type: 'checking', message }),
    });
    if (outcome.kind !== 'result') return dispatch({ type: 'unsettled', message: outcome.message });
    placedHere.push(outcome.result);
    dispatch({ type: 'placed', result: outcome.result });
  } catch (err) {
    dispatch({ type: 'refused', error: err });
  }
}
