import type { Account, InstrumentInfo } from '@tierwatch/shared';
import { formatPrice } from '../../utils/display.ts';
import { type ExecuteForm, type FieldErrors, orderAccounts } from '../../utils/execute-form.ts';
import { Level, Num, SymbolField } from './TradeFields.tsx';

/** The Trade tab's form: what to open, on which accounts. State and checks live in Trade.tsx / utils. */
export function TradeForm({
  form,
  set,
  errors,
  banner,
  loadError,
  instruments,
  instrument,
  accounts: accountList,
  onReview,
}: {
  form: ExecuteForm;
  set: <K extends keyof ExecuteForm>(k: K, v: ExecuteForm[K]) => void;
  errors: FieldErrors;
  banner: string | null;
  loadError: string | null;
  instruments: InstrumentInfo[] | null;
  instrument: InstrumentInfo | null;
  accounts: Account[];
  onReview: () => void;
}) {
  const accounts = orderAccounts(accountList);
  return (
    <form
      class="exec"
      data-testid="exec-form"
      onSubmit={(e) => {
        e.preventDefault();
        onReview();
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
