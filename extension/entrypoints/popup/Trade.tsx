import type { ExecuteResult, InstrumentInfo } from '@tierwatch/shared';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type Api, ApiError, createApi, newIdempotencyKey } from '../../utils/api.ts';
import { formatPrice } from '../../utils/display.ts';
import { placeAndSettle } from '../../utils/execute-flow.ts';
import {
  buildRequest,
  type ExecuteForm,
  emptyForm,
  type FieldErrors,
  type FormField,
  fieldForPath,
  orderAccounts,
  type Plan,
} from '../../utils/execute-form.ts';
import { checkRepeat, type RepeatCheck } from '../../utils/repeat-order.ts';
import { loadSettings } from '../../utils/settings.ts';
import type { StreamState } from '../../utils/stream.ts';
import { Level, Num, SymbolField } from './TradeFields.tsx';
import { Confirm, type HeldByAccount, type HeldCheck, Result } from './TradeSteps.tsx';

type Step =
  | { at: 'form' }
  | { at: 'confirm'; plan: Plan }
  | { at: 'placing'; plan: Plan }
  /** The answer to Place was lost: following the execution by its key. */
  | { at: 'checking'; plan: Plan; message: string }
  | { at: 'result'; result: ExecuteResult };

export function Trade({ stream, onDone }: { stream: StreamState; onDone: () => void }) {
  const [api, setApi] = useState<Api | null>(null);
  const [instruments, setInstruments] = useState<InstrumentInfo[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [form, setForm] = useState<ExecuteForm>(() => emptyForm(stream.accounts));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [step, setStep] = useState<Step>({ at: 'form' });
  const [banner, setBanner] = useState<string | null>(null);
  /** Free USDT per account, read when the trader reviews (the companion's pre-check then reuses it). */
  const [free, setFree] = useState<Record<string, number> | null>(null);
  const [repeat, setRepeat] = useState<RepeatCheck>({ state: 'none' });
  const [repeatAck, setRepeatAck] = useState(false);
  /** What each account holds on the symbol, read fresh at review: an order against it must say so. */
  const [held, setHeld] = useState<HeldCheck>({ state: 'checking' });
  const [heldAck, setHeldAck] = useState(false);
  /** Executions this form placed: a repeat of one is known even if the companion's list cannot be read. */
  const placedHere = useRef<ExecuteResult[]>([]);
  /** The key of the plan a repeat check belongs to: a late answer for an abandoned plan is dropped. */
  const checkingKey = useRef<string | null>(null);

  useEffect(() => {
    void (async () => {
      const s = await loadSettings();
      const a = createApi({ baseUrl: s.baseUrl, token: s.token });
      setApi(a);
      try {
        setInstruments((await a.instruments()).data);
      } catch (err) {
        setLoadError(describe(err));
      }
    })();
  }, []);

  const instrument = useMemo(
    () => instruments?.find((i) => i.symbol === form.symbol.trim().toUpperCase()) ?? null,
    [instruments, form.symbol],
  );
  const set = <K extends keyof ExecuteForm>(k: K, v: ExecuteForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    setErrors((e) => ({ ...e, [fieldOf(k)]: undefined, form: undefined }));
  };

  const review = () => {
    setBanner(null);
    // One key per confirmed request: a retry of the same confirm reuses it, so it can never double-place.
    const r = buildRequest(form, { instrument, accounts: stream.accounts, idempotencyKey: newIdempotencyKey() });
    if (!r.ok) return setErrors(r.errors);
    setErrors({});
    setStep({ at: 'confirm', plan: r.plan });
    setRepeatAck(false);
    setHeldAck(false);
    checkingKey.current = r.plan.request.idempotencyKey;
    setHeld({ state: 'checking' });
    if (api) {
      const symbol = r.plan.request.symbol;
      const key = r.plan.request.idempotencyKey;
      void api
        .positions({ use_cache: false })
        .then((p) => {
          if (checkingKey.current !== key) return;
          const byAccount: HeldByAccount = {};
          for (const x of p.data)
            if (x.symbol === symbol) byAccount[x.account] = { side: x.side, size: x.size, leverage: x.leverage };
          setHeld({ state: 'ok', byAccount });
        })
        .catch((err) => {
          if (checkingKey.current === key) setHeld({ state: 'error', message: describe(err) });
        });
    } else setHeld({ state: 'error', message: 'not connected' });
    if (api) {
      setRepeat({ state: 'checking' });
      void checkRepeat(api, r.plan, placedHere.current).then((c) => {
        if (checkingKey.current === r.plan.request.idempotencyKey) setRepeat(c);
      });
    } else setRepeat({ state: 'none' });
    // Fresh balances and marks while the trader reads the confirm step: shown here, and the companion's
    // pre-check reuses them, so Place costs one exchange round trip instead of two.
    setFree(null);
    if (api) {
      void api
        .balances({ use_cache: false })
        .then((b) =>
          setFree(Object.fromEntries(b.data.filter((x) => x.currency === 'USDT').map((x) => [x.account, x.free]))),
        )
        .catch(() => setFree(null));
      void api
        .instruments({ use_cache: false })
        .then((i) => setInstruments(i.data))
        .catch(() => {});
    }
  };

  const place = async (plan: Plan) => {
    if (!api) return;
    setStep({ at: 'placing', plan });
    setBanner(null);
    if (!repeatAck) {
      // Asked again as it goes: another window may have sent the same order while this one was confirming.
      const c = await checkRepeat(api, plan, placedHere.current);
      if (c.state === 'found') {
        setRepeat(c);
        return setStep({ at: 'confirm', plan });
      }
    }
    try {
      const outcome = await placeAndSettle(api, plan.request, {
        onChecking: (message) => setStep({ at: 'checking', plan, message }),
      });
      if (outcome.kind === 'result') {
        placedHere.current.push(outcome.result);
        return setStep({ at: 'result', result: outcome.result });
      }
      // Not placed, or not known: stay on confirm; Place sends the same request with the same key.
      setBanner(outcome.message);
      setStep({ at: 'confirm', plan });
    } catch (err) {
      // The companion refused before sending anything (its error names the field when there is one).
      if (err instanceof ApiError && err.path) {
        const field = fieldForPath(err.path);
        setErrors({ [field]: `${err.code}: ${err.message}` });
      }
      setBanner(describe(err));
      setStep(
        err instanceof ApiError && err.status !== null && err.status >= 500 ? { at: 'confirm', plan } : { at: 'form' },
      );
    }
  };

  if (step.at === 'result')
    return (
      <Result
        result={step.result}
        onNew={() => {
          setForm(emptyForm(stream.accounts));
          setStep({ at: 'form' });
        }}
        onDone={onDone}
      />
    );
  if (step.at === 'confirm' || step.at === 'placing' || step.at === 'checking') {
    return (
      <Confirm
        plan={step.plan}
        busy={step.at !== 'confirm'}
        checking={step.at === 'checking' ? step.message : null}
        banner={banner}
        onBack={() => setStep({ at: 'form' })}
        onPlace={() => place(step.plan)}
        instrument={instrument}
        free={free}
        repeat={repeat}
        repeatAck={repeatAck}
        onRepeatAck={setRepeatAck}
        held={held}
        heldAck={heldAck}
        onHeldAck={setHeldAck}
      />
    );
  }

  const accounts = orderAccounts(stream.accounts);
  return (
    <form
      class="exec"
      data-testid="exec-form"
      onSubmit={(e) => {
        e.preventDefault();
        review();
      }}
    >
      {loadError && <div class="banner error">Instruments: {loadError}</div>}
      {banner && (
        <div class="banner error" data-testid="exec-error">
          {banner}
        </div>
      )}
      <SymbolField
        value={form.symbol}
        instruments={instruments}
        onPick={(s) => set('symbol', s)}
        error={errors.symbol}
      />
      {instrument && (
        <p class="muted small" data-testid="exec-instrument">
          mark {formatPrice(instrument.markPrice, instrument.tickSize)} · tick {instrument.tickSize} · step{' '}
          {instrument.qtyStep} · min {instrument.minQty}
        </p>
      )}
      <div class="field">
        <span class="label">Side</span>
        <div class="seg2" data-testid="exec-side">
          {(['long', 'short'] as const).map((s) => (
            <button
              type="button"
              key={s}
              class={`${s}${form.side === s ? ' on' : ''}`}
              aria-pressed={form.side === s}
              onClick={() => set('side', s)}
              data-testid={`exec-side-${s}`}
            >
              {s === 'long' ? 'Long / buy' : 'Short / sell'}
            </button>
          ))}
        </div>
      </div>
      <div class="field">
        <span class="label" id="exec-type-label">
          Type
        </span>
        <select
          aria-labelledby="exec-type-label"
          value={form.orderType}
          onChange={(e) => set('orderType', (e.target as HTMLSelectElement).value as ExecuteForm['orderType'])}
          data-testid="exec-order-type"
        >
          <option value="market">Market</option>
          <option value="limit">Limit</option>
        </select>
        {form.orderType === 'limit' && (
          <Num
            name="price"
            value={form.price}
            onInput={(v) => set('price', v)}
            placeholder="limit price"
            error={errors.price}
          />
        )}
      </div>
      <div class="field">
        <select
          value={form.sizeMode}
          onChange={(e) => set('sizeMode', (e.target as HTMLSelectElement).value as ExecuteForm['sizeMode'])}
          data-testid="exec-size-mode"
          aria-label="Size by"
          class="label-select"
        >
          <option value="quantity">Quantity</option>
          <option value="risk">Risk (USDT)</option>
        </select>
        {form.sizeMode === 'quantity' ? (
          <Num
            name="quantity"
            value={form.quantity}
            onInput={(v) => set('quantity', v)}
            placeholder="contracts (main account)"
            error={errors.quantity}
          />
        ) : (
          <Num
            name="riskAmount"
            value={form.riskAmount}
            onInput={(v) => set('riskAmount', v)}
            placeholder="USDT lost at the SL"
            error={errors.riskAmount}
          />
        )}
      </div>
      <Level
        label="TP"
        name="tp"
        value={form.tp}
        mode={form.tpMode}
        onInput={(v) => set('tp', v)}
        onMode={(m) => set('tpMode', m)}
        error={errors.tp}
      />
      <Level
        label="SL"
        name="sl"
        value={form.sl}
        mode={form.slMode}
        onInput={(v) => set('sl', v)}
        onMode={(m) => set('slMode', m)}
        error={errors.sl}
      />
      <fieldset class="accounts" data-testid="exec-accounts">
        <legend>Accounts</legend>
        {accounts.map((a) => (
          <label key={a.name}>
            <input
              type="checkbox"
              checked={form.accounts.includes(a.name)}
              onChange={(e) => {
                const on = (e.target as HTMLInputElement).checked;
                set('accounts', on ? [...form.accounts, a.name] : form.accounts.filter((n) => n !== a.name));
              }}
              data-testid={`exec-account-${a.name}`}
            />
            {a.name} <span class="muted">{a.role === 'main' ? 'main' : `mirror ×${a.mirrorRatio}`}</span>
          </label>
        ))}
        {errors.accounts && (
          <span class="err" data-testid="error-accounts">
            {errors.accounts}
          </span>
        )}
      </fieldset>
      {errors.form && (
        <div class="banner error" data-testid="error-form">
          {errors.form}
        </div>
      )}
      <button type="submit" class="primary wide" data-testid="exec-review">
        Review
      </button>
    </form>
  );
}

const fieldOf = (k: keyof ExecuteForm): FormField =>
  k === 'tpMode' ? 'tp' : k === 'slMode' ? 'sl' : k === 'sizeMode' ? 'quantity' : (k as FormField);

function describe(err: unknown): string {
  if (err instanceof ApiError)
    return err.code === 'NETWORK' || err.code === 'TIMEOUT' || err.code === 'BAD_RESPONSE'
      ? err.message
      : `${err.code}: ${err.message}`;
  return String(err);
}
