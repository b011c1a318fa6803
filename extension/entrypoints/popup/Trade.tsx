import type { ExecuteResult, InstrumentInfo, StreamState } from '@tierwatch/shared';
import { useEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import { type Api, createApi, newIdempotencyKey } from '../../utils/api.ts';
import type { ConnectionStatus } from '../../utils/connection.ts';
import type { ExecuteForm } from '../../utils/execute-fields.ts';
import { buildRequest, emptyForm, type Plan } from '../../utils/execute-form.ts';
import { loadSettings } from '../../utils/settings.ts';
import { placeTrade, readForReview } from '../../utils/trade-calls.ts';
import { describeError, initialTrade, shownResult, tradeReducer, unsettled } from '../../utils/trade-flow.ts';
import { TradeForm } from './TradeForm.tsx';
import { TradeResult } from './TradeResult.tsx';
import { Confirm } from './TradeSteps.tsx';

/** The instrument the form's symbol names, as typed (any case, spaces around). */
const instrumentOf = (instruments: InstrumentInfo[] | null, symbol: string) =>
  instruments?.find((i) => i.symbol === symbol.trim().toUpperCase()) ?? null;

/** The companion's API and its instruments, read once when the tab opens (and refreshed by a review). */
function useCompanion() {
  const [api, setApi] = useState<Api | null>(null);
  const [instruments, setInstruments] = useState<InstrumentInfo[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
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
  return { api, instruments, setInstruments, loadError };
}

/**
 * The Trade tab: the form, the confirm step with what it read for the plan, placing, and the result. The
 * steps are utils/trade-flow.ts's reducer and the calls utils/trade-calls.ts; this component renders the
 * step it is at.
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
  const { api, instruments, setInstruments, loadError } = useCompanion();
  const [form, setForm] = useState<ExecuteForm>(() => emptyForm(stream.accounts));
  const [s, dispatch] = useReducer(tradeReducer, initialTrade);
  /** Executions this form placed: a repeat of one is known even if the companion's list cannot be read. */
  const placedHere = useRef<ExecuteResult[]>([]);
  const instrument = useMemo(() => instrumentOf(instruments, form.symbol), [instruments, form.symbol]);
  const set = <K extends keyof ExecuteForm>(k: K, v: ExecuteForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    dispatch({ type: 'edited', key: k });
  };
  const review = () => {
    // One key per confirmed request: a retry of the same confirm reuses it, so it can never double-place.
    const r = buildRequest(form, { instrument, accounts: stream.accounts, idempotencyKey: newIdempotencyKey() });
    if (!r.ok) return dispatch({ type: 'invalid', errors: r.errors });
    dispatch({ type: 'reviewing', plan: r.plan, reads: api !== null });
    if (api) readForReview(api, r.plan, placedHere.current, dispatch, setInstruments);
  };
  const place = async (plan: Plan) => {
    if (api) await placeTrade(api, plan, { repeatAck: s.repeatAck, placedHere: placedHere.current, dispatch });
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
        trade={s}
        instrument={instrument}
        onBack={() => dispatch({ type: 'back' })}
        onPlace={() => place(step.plan)}
        onRepeatAck={(on) => dispatch({ type: 'ack-repeat', on })}
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
  return <TradeResult result={result} onNew={props.onNew} onDone={props.onDone} />;
}
