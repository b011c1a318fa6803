import type { Account, InstrumentInfo } from '@tierwatch/shared';
import { formatPrice } from '../../utils/display.ts';
import type { ExecuteForm, FieldErrors } from '../../utils/execute-fields.ts';
import { Num } from './TradeFields.tsx';

// The trade form's groups of fields: the picked symbol's rules, side, order type (and limit price), size, accounts.

type Set = <K extends keyof ExecuteForm>(k: K, v: ExecuteForm[K]) => void;
type FieldProps = { form: ExecuteForm; set: Set; errors: FieldErrors };

/** The picked symbol's mark and trading rules, under the symbol field. */
export function InstrumentNote({ instrument }: { instrument: InstrumentInfo }) {
  return (
    <p class="muted small" data-testid="exec-instrument">
      mark {formatPrice(instrument.markPrice, instrument.tickSize)} · tick {instrument.tickSize} · step{' '}
      {instrument.qtyStep} · min {instrument.minQty}
    </p>
  );
}

export function SideField({ form, set }: { form: ExecuteForm; set: Set }) {
  return (
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
  );
}

export function OrderTypeField({ form, set, errors }: FieldProps) {
  return (
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
  );
}

/** Sized by quantity (contracts on the main account) or by the USDT lost at the SL. */
export function SizeField({ form, set, errors }: FieldProps) {
  return (
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
  );
}

/** A tick per account, in the order the form lists them (orderAccounts). */
export function AccountsField({ form, set, errors, accounts }: FieldProps & { accounts: Account[] }) {
  return (
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
  );
}
