import type { ExecuteResult, InstrumentInfo, StreamState } from '@tierwatch/shared';
import { useEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import { type Api, createApi, newIdempotencyKey } from '../../utils/api.ts';
import type { ConnectionStatus } from '../../utils/connection.ts';
import { placeExecution } from '../../utils/execute-flow.ts';
import { buildRequest, type ExecuteForm, emptyForm, type Plan } from '../../utils/execute-form.ts';
import { checkRepeat } from '../../utils/repeat-order.ts';
import { loadSettings } from '../../utils/settings.ts';
import {
  describeError,
  freeUsdt,
  heldOn,
  initialTrade,
  shownResult,
  tradeReducer,
  unsettled,
} from '../../utils/trade-flow.ts';
import { TradeForm } from './TradeForm.tsx';
import { Confirm, Result } from './TradeSteps.tsx';

/**
 * The Trade tab: the form, the confirm step with what it read for the plan, placing, and the result. The
 * steps are utils/trade-flow.ts's reducer; this component does the reads and renders the step it is at.
 */
export function Trade({
  stream,
  status,
  onDone,
}: {
  stream: StreamState;
  status: ConnectionStatus['state'];
  onDone: () => void;
}) {
  const [api, setApi] = useState<Api | null>(null);
  const [instruments, setInstruments] = useState<InstrumentInfo[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [form, setForm] = useState<ExecuteForm>(() => emptyForm(stream.accounts));
  const [s, dispatch] = useReducer(tradeReducer, initialTrade);
  /** Executions this form placed: a repeat of one is known even if the companion's list cannot be read. */
  const placedHere = useRef<ExecuteResult[]>([]);

  useEffect(() => {
    void (async () => {
      const settings = await loadSettings();
      const a = createApi({ baseUrl: settings.baseUrl, token: settings.token });
      setApi(a);
      try {
        setInstruments((await a.instruments()).data);
      } catch (err) {
        setLoadError(describeError(err));
      }
    })();
  }, []);

  const instrument = useMemo(
    () => instruments?.find((i) => i.symbol === form.symbol.trim().toUpperCase()) ?? null,
    [instruments, form.symbol],
  );
  const set = <K extends keyof ExecuteForm>(k: K, v: ExecuteForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    dispatch({ type: 'edited', key: k });
  };

  const review = () => {
    // One key per confirmed request: a retry of the same confirm reuses it, so it can never double-place.
    const r = buildRequest(form, { instrument, accounts: stream.accounts, idempotencyKey: newIdempotencyKey() });
    if (!r.ok) return dispatch({ type: 'invalid', errors: r.errors });
    dispatch({ type: 'reviewing', plan: r.plan, reads: api !== null });
    if (api) readForReview(api, r.plan);
  };

  /** Held positions, a repeat of a recent order and fresh balances and marks, while the trader reads. */
  const readForReview = (a: Api, plan: Plan) => {
    const key = plan.request.idempotencyKey;
    void a
      .positions({ use_cache: false })
      .then((p) =>
        dispatch({ type: 'held', key, held: { state: 'ok', byAccount: heldOn(p.data, plan.request.symbol) } }),
      )
      .catch((err) => dispatch({ type: 'held', key, held: { state: 'error', message: describeError(err) } }));
    void checkRepeat(a, plan, placedHere.current).then((repeat) => dispatch({ type: 'repeat', key, repeat }));
    // The companion's pre-check reuses these, so Place costs one exchange round trip instead of two.
    void a
      .balances({ use_cache: false })
      .then((b) => dispatch({ type: 'free', key, free: freeUsdt(b.data) }))
      .catch(() => dispatch({ type: 'free', key, free: null }));
    void a
      .instruments({ use_cache: false })
      .then((i) => setInstruments(i.data))
      .catch(() => {});
  };

  const place = async (plan: Plan) => {
    if (!api) return;
    dispatch({ type: 'placing' });
    if (!s.repeatAck) {
      // Asked again as it goes: another window may have sent the same order while this one was confirming.
      const c = await checkRepeat(api, plan, placedHere.current);
      if (c.state === 'found') return dispatch({ type: 'repeat-found', repeat: c });
    }
    try {
      const outcome = await placeExecution(api, plan.request, {
        onChecking: (message) => dispatch({ type: 'checking', message }),
      });
      if (outcome.kind !== 'result') return dispatch({ type: 'unsettled', message: outcome.message });
      placedHere.current.push(outcome.result);
      dispatch({ type: 'placed', result: outcome.result });
    } catch (err) {
      dispatch({ type: 'refused', error: err });
    }
  };

  const { step } = s;
  if (step.at === 'result')
    return (
      <StreamedResult
        answer={step.result}
        streamed={stream.lastExecution}
        api={api}
        socket={status}
        onNew={() => {
          setForm(emptyForm(stream.accounts));
          dispatch({ type: 'new' });
        }}
        onDone={onDone}
      />
    );
  if (step.at !== 'form') {
    return (
      <Confirm
        plan={step.plan}
        busy={step.at !== 'confirm'}
        checking={step.at === 'checking' ? step.message : null}
        banner={s.banner}
        onBack={() => dispatch({ type: 'back' })}
        onPlace={() => place(step.plan)}
        instrument={instrument}
        free={s.free}
        repeat={s.repeat}
        repeatAck={s.repeatAck}
        onRepeatAck={(on) => dispatch({ type: 'ack-repeat', on })}
        held={s.held}
        heldAck={s.heldAck}
        onHeldAck={(on) => dispatch({ type: 'ack-held', on })}
      />
    );
  }
  return (
    <TradeForm
      form={form}
      set={set}
      errors={s.errors}
      banner={s.banner}
      loadError={loadError}
      instruments={instruments}
      instrument={instrument}
      accounts={stream.accounts}
      onReview={review}
    />
  );
}

/**
 * The result as the stream brings it (execution-finished, execution-updated): no polling. Only while the
 * socket is not open, and something is still to come, is the execution read once (on each change of the
 * socket's state): a pending result would otherwise sit unanswered on a dead socket, and a reconnect that
 * gets a fresh snapshot instead of a replay never carries the events it missed.
 */
function StreamedResult(props: {
  answer: ExecuteResult;
  streamed: ExecuteResult | null;
  api: Api | null;
  socket: ConnectionStatus['state'];
  onNew: () => void;
  onDone: () => void;
}) {
  const { answer, streamed, api, socket } = props;
  const [read, setRead] = useState<ExecuteResult | null>(null);
  const result = shownResult(answer, streamed, read);
  const more = unsettled(result);
  useEffect(() => {
    if (!api || !more || socket === 'open') return;
    let gone = false;
    void api
      .execution(answer.executionId)
      .then((r) => !gone && setRead(r))
      .catch(() => {});
    return () => {
      gone = true;
    };
  }, [socket, more]);
  return <Result result={result} onNew={props.onNew} onDone={props.onDone} />;
}
