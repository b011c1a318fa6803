import type { ExecuteResult, InstrumentInfo } from '@tierwatch/shared';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type Api, ApiError, createApi, newIdempotencyKey } from '../../utils/api.ts';
import {
  buildRequest,
  type ExecuteForm,
  emptyForm,
  type FieldErrors,
  type FormField,
  fieldForPath,
  orderAccounts,
  type Plan,
  searchSymbols,
} from '../../utils/execute-form.ts';
import { formatPrice, formatQty } from '../../utils/format.ts';
import { loadSettings } from '../../utils/settings.ts';
import type { StreamState } from '../../utils/stream.ts';

type Step =
  | { at: 'form' }
  | { at: 'confirm'; plan: Plan }
  | { at: 'placing'; plan: Plan }
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
    try {
      let result = await api.execute(plan.request);
      // Pending legs settle within seconds; read the execution back a few times for the final word.
      for (let i = 0; i < 10 && result.status === 'pending'; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        result = await api.execution(result.executionId);
      }
      setStep({ at: 'result', result });
    } catch (err) {
      if (err instanceof ApiError && err.path) {
        const field = fieldForPath(err.path);
        setErrors({ [field]: `${err.code}: ${err.message}` });
      }
      setBanner(describe(err));
      // NETWORK: the order may or may not have been placed; stay on confirm so "Place" retries with the same key.
      setStep(
        err instanceof ApiError && (err.code === 'NETWORK' || err.status === null || err.status >= 500)
          ? { at: 'confirm', plan }
          : { at: 'form' },
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
  if (step.at === 'confirm' || step.at === 'placing') {
    return (
      <Confirm
        plan={step.plan}
        busy={step.at === 'placing'}
        banner={banner}
        onBack={() => setStep({ at: 'form' })}
        onPlace={() => place(step.plan)}
        instrument={instrument}
        free={free}
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
        <span class="label">Type</span>
        <select
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

function SymbolField({
  value,
  instruments,
  onPick,
  error,
}: {
  value: string;
  instruments: InstrumentInfo[] | null;
  onPick: (s: string) => void;
  error?: string | undefined;
}) {
  const [open, setOpen] = useState(false);
  const matches = useMemo(() => (instruments ? searchSymbols(instruments, value) : []), [instruments, value]);
  const blurTimer = useRef<ReturnType<typeof setTimeout>>();
  return (
    <div class="field symbol">
      <span class="label">Symbol</span>
      <div class="combo">
        <input
          value={value}
          placeholder={instruments ? 'search, e.g. BTC' : 'loading symbols…'}
          autoComplete="off"
          onInput={(e) => {
            onPick((e.target as HTMLInputElement).value.toUpperCase());
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => {
            blurTimer.current = setTimeout(() => setOpen(false), 150);
          }}
          data-testid="exec-symbol"
        />
        {open && matches.length > 0 && !(matches.length === 1 && matches[0]?.symbol === value) && (
          <ul class="options" data-testid="symbol-options">
            {matches.map((m) => (
              <li key={m.symbol}>
                <button
                  type="button"
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => {
                    onPick(m.symbol);
                    setOpen(false);
                    clearTimeout(blurTimer.current);
                  }}
                  data-testid="symbol-option"
                >
                  {m.symbol} <span class="muted">{formatPrice(m.markPrice, m.tickSize)}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      {error && (
        <span class="err" data-testid="error-symbol">
          {error}
        </span>
      )}
    </div>
  );
}

function Num({
  name,
  value,
  onInput,
  placeholder,
  error,
}: {
  name: FormField;
  value: string;
  onInput: (v: string) => void;
  placeholder: string;
  error?: string | undefined;
}) {
  return (
    <span class="num">
      <input
        inputMode="decimal"
        value={value}
        placeholder={placeholder}
        onInput={(e) => onInput((e.target as HTMLInputElement).value)}
        data-testid={`exec-${name}`}
        aria-invalid={!!error}
      />
      {error && (
        <span class="err" data-testid={`error-${name}`}>
          {error}
        </span>
      )}
    </span>
  );
}

function Level(props: {
  label: string;
  name: 'tp' | 'sl';
  value: string;
  mode: 'price' | 'pct';
  onInput: (v: string) => void;
  onMode: (m: 'price' | 'pct') => void;
  error?: string | undefined;
}) {
  return (
    <div class="field">
      <span class="label">{props.label}</span>
      <Num
        name={props.name}
        value={props.value}
        onInput={props.onInput}
        placeholder={props.mode === 'pct' ? '% from entry (optional)' : 'price (optional)'}
        error={props.error}
      />
      <select
        value={props.mode}
        onChange={(e) => props.onMode((e.target as HTMLSelectElement).value as 'price' | 'pct')}
        data-testid={`exec-${props.name}-mode`}
        class="unit"
      >
        <option value="pct">%</option>
        <option value="price">price</option>
      </select>
    </div>
  );
}

function Confirm({
  plan,
  busy,
  banner,
  onBack,
  onPlace,
  instrument,
  free,
}: {
  plan: Plan;
  busy: boolean;
  banner: string | null;
  onBack: () => void;
  onPlace: () => void;
  instrument: InstrumentInfo | null;
  free: Record<string, number> | null;
}) {
  const r = plan.request;
  const tick = instrument?.tickSize;
  return (
    <section class="confirm" data-testid="exec-confirm">
      <h2>
        <span class={`side ${r.side}`}>{r.side}</span> {r.symbol} · {r.orderType}
        {r.price !== undefined
          ? ` @ ${formatPrice(r.price, tick)}`
          : plan.refPrice
            ? ` (mark ≈ ${formatPrice(plan.refPrice, tick)})`
            : ''}
      </h2>
      <p>
        TP <b data-testid="confirm-tp">{formatPrice(plan.takeProfit, tick)}</b> · SL{' '}
        <b data-testid="confirm-sl">{formatPrice(plan.stopLoss, tick)}</b>
        {r.riskAmount !== undefined && (
          <>
            {' '}
            · risk <b>{r.riskAmount} USDT</b>
          </>
        )}
      </p>
      <table class="legs">
        <thead>
          <tr>
            <th>Account</th>
            <th>Ratio</th>
            <th>Qty</th>
            <th>Free USDT</th>
          </tr>
        </thead>
        <tbody>
          {plan.legs.map((l) => (
            <tr key={l.account} data-testid="confirm-leg" data-account={l.account}>
              <td>
                {l.account} {l.account !== l.role && <span class="muted">{l.role}</span>}
              </td>
              <td>×{l.ratio}</td>
              <td data-testid="confirm-qty">
                {l.qty === null ? 'from risk' : `${l.approx ? '≈ ' : ''}${formatQty(l.qty, instrument?.qtyStep)}`}
                {l.warning && <div class="err">{l.warning}</div>}
              </td>
              <td data-testid="confirm-free">
                {free?.[l.account] === undefined ? '…' : formatQty(free[l.account]!, 0.01)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {plan.notes.length > 0 && (
        <ul class="notes">
          {plan.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      {banner && (
        <div class="banner error" data-testid="exec-error">
          {banner}
        </div>
      )}
      <div class="row">
        <button type="button" onClick={onBack} disabled={busy} data-testid="exec-back">
          Back
        </button>
        <button type="button" class={`primary ${r.side}`} onClick={onPlace} disabled={busy} data-testid="exec-place">
          {busy ? 'Placing…' : `Place on ${plan.legs.length} account${plan.legs.length === 1 ? '' : 's'}`}
        </button>
      </div>
    </section>
  );
}

function Result({ result, onNew, onDone }: { result: ExecuteResult; onNew: () => void; onDone: () => void }) {
  return (
    <section class="result" data-testid="exec-result" data-status={result.status}>
      <h2>
        {result.symbol} {result.side}: <span class={`status ${result.status}`}>{result.status}</span>
      </h2>
      <table class="legs">
        <thead>
          <tr>
            <th>Account</th>
            <th>Status</th>
            <th>Qty</th>
            <th>Order</th>
          </tr>
        </thead>
        <tbody>
          {result.legs.map((l) => (
            <tr key={l.account} data-testid="exec-leg" data-account={l.account} data-status={l.status}>
              <td>{l.account}</td>
              <td class={`status ${l.status}`}>{l.status}</td>
              <td>
                {/* "0/qty" reads as a failure: a placed leg shows what was sent; a fill shows filled/qty @ price. */}
                {l.filledQty > 0 ? `${formatQty(l.filledQty)}/${formatQty(l.qty)}` : formatQty(l.qty)}
                {l.avgPrice ? ` @ ${formatPrice(l.avgPrice)}` : ''}
              </td>
              <td class="mono" title={l.orderId ?? l.clientOrderId}>
                {l.error ? (
                  <span class="err">
                    {l.error.code}: {l.error.message}
                  </span>
                ) : (
                  <span class="oid">{l.orderId ?? '—'}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.adjustments.length > 0 && (
        <ul class="notes">
          {result.adjustments.map((a) => (
            <li key={a}>{a}</li>
          ))}
        </ul>
      )}
      <p class="muted small mono">execution {result.executionId}</p>
      <div class="row">
        <button type="button" onClick={onNew} data-testid="exec-new">
          New order
        </button>
        <button type="button" class="primary" onClick={onDone}>
          Positions
        </button>
      </div>
    </section>
  );
}

const fieldOf = (k: keyof ExecuteForm): FormField =>
  k === 'tpMode' ? 'tp' : k === 'slMode' ? 'sl' : k === 'sizeMode' ? 'quantity' : (k as FormField);

function describe(err: unknown): string {
  if (err instanceof ApiError)
    return err.code === 'NETWORK' || err.code === 'BAD_RESPONSE' ? err.message : `${err.code}: ${err.message}`;
  return String(err);
}
