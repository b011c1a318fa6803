import type { InstrumentInfo } from '@tierwatch/shared';
import { useMemo, useRef, useState } from 'preact/hooks';
import { formatPrice } from '../../utils/display.ts';
import type { FormField } from '../../utils/execute-fields.ts';
import { searchSymbols } from '../../utils/execute-form.ts';

// The trade form's inputs: symbol search, numbers, and TP/SL as a price or a percentage.

export function SymbolField({
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
          aria-label="Symbol"
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

export function Num({
  name,
  value,
  onInput,
  placeholder,
  error,
  label,
}: {
  name: FormField;
  value: string;
  onInput: (v: string) => void;
  placeholder: string;
  error?: string | undefined;
  /** The field's name for assistive tech (the visible label sits beside it, not in a <label>). */
  label?: string;
}) {
  return (
    <span class="num">
      <input
        aria-label={label ?? placeholder}
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

export function Level(props: {
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
        label={props.label}
      />
      <select
        aria-label={`${props.label} as`}
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
