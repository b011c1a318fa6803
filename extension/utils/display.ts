import { stepDecimals } from '@tierwatch/shared';

/** Display formatting: plain functions, no Intl surprises across locales (traders compare digits). */

/** Decimal places a step implies (shared: the same count the step arithmetic uses); 0 for no usable step. */
const decimalsOf = (step: number): number => (Number.isFinite(step) && step > 0 ? stepDecimals(step) : 0);

/** Prices: with the tick's decimals when known, otherwise significant digits sized to the magnitude. */
export function formatPrice(value: number | null | undefined, tick?: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (tick) return withThousands(value.toFixed(decimalsOf(tick)));
  const abs = Math.abs(value);
  const decimals = abs >= 1000 ? 1 : abs >= 1 ? 3 : abs >= 0.01 ? 5 : 8;
  return withThousands(trimZeros(value.toFixed(decimals)));
}

export function formatQty(value: number, step?: number): string {
  if (!Number.isFinite(value)) return '—';
  return withThousands(step ? value.toFixed(decimalsOf(step)) : trimZeros(value.toFixed(6)));
}

export function formatPct(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${value.toFixed(digits)}%`;
}

/** Signed money with a compact suffix past 10k: +1,234.50 / −12.3k. */
export function formatPnl(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const sign = value > 0 ? '+' : value < 0 ? '−' : '';
  const abs = Math.abs(value);
  const body =
    abs >= 1e6
      ? `${(abs / 1e6).toFixed(2)}M`
      : abs >= 1e4
        ? `${(abs / 1e3).toFixed(1)}k`
        : withThousands(abs.toFixed(2));
  return `${sign}${body}`;
}

export function formatRate(perSec: number | null | undefined): string {
  if (perSec === null || perSec === undefined || !Number.isFinite(perSec)) return '—';
  return perSec >= 10 ? perSec.toFixed(0) : perSec.toFixed(2);
}

/** 0.87 → "87%" (the reduction against the naive 2-calls-per-position scheme). */
export function formatReduction(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(ratio >= 0.995 && ratio < 1 ? 1 : 0)}%`;
}

/** "just now", "42s ago", "3m ago", "2h ago". */
export function formatAge(ms: number): string {
  if (ms < 2000) return 'just now';
  if (ms < 60_000) return `${Math.floor(ms / 1000)}s ago`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m ago`;
  return `${Math.floor(ms / 3_600_000)}h ago`;
}

/** Exact seconds under a minute, for ages read against seconds ("the same order went out 3s ago"). */
export function formatAgeExact(ms: number): string {
  if (ms < 1000) return 'under a second ago';
  if (ms < 60_000) return `${Math.floor(ms / 1000)}s ago`;
  return formatAge(ms);
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

function withThousands(s: string): string {
  const neg = s.startsWith('-');
  const [int = '', frac] = (neg ? s.slice(1) : s).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}
