import type { Account, InstrumentInfo } from '@tierwatch/shared';
import type { ExecuteForm, FieldErrors } from '../../utils/execute-fields.ts';
import { orderAccounts } from '../../utils/execute-form.ts';
import { Level, SymbolField } from './TradeFields.tsx';
import { AccountsField, InstrumentNote, OrderTypeField, SideField, SizeField } from './TradeFormParts.tsx';

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
      {instrument && <InstrumentNote instrument={instrument} />}
      <SideField form={form} set={set} />
      <OrderTypeField form={form} set={set} errors={errors} />
      <SizeField form={form} set={set} errors={errors} />
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
      <AccountsField form={form} set={set} errors={errors} accounts={accounts} />
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
