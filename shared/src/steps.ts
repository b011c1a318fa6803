/**
 * Price and quantity step arithmetic (a tick, a qty step), once for both sides: the extension's confirm
 * step and the companion's validation must agree to the last digit on what quantity and price are sent.
 * Decimal-safe: a value is counted in whole units of the step's last decimal place (2.5e-7 → units of
 * 1e-8, the step is 25 of them), so no binary residue (0.30000000000000004) and no step whose decimals
 * are miscounted (2.5e-7 has 8 decimals, not 7) reaches an order.
 */

/** Decimal places of a step as written: 0.001 → 3, 0.5 → 1, 25 → 0, 1e-8 → 8, 2.5e-7 → 8. */
export function stepDecimals(step: number): number {
  if (!Number.isFinite(step) || step <= 0) throw new RangeError(`a step must be a positive number, got ${step}`);
  // Twelve significant digits: a step computed in binary (10 ** -5 is 0.000009999999999999999) counts the
  // decimals it was meant to have (5), not the twenty-one of its dust.
  const s = Number(step.toPrecision(12)).toString();
  const e = /e-(\d+)$/.exec(s);
  const mantissa = e ? s.slice(0, s.indexOf('e')) : s;
  const dot = mantissa.indexOf('.');
  return (e ? Number(e[1]) : 0) + (dot < 0 ? 0 : mantissa.length - dot - 1);
}

interface Units {
  /** The value in units of 10^-decimals (a float: the value may hold digits past the step's). */
  value: number;
  /** The step in the same units: a whole number. */
  step: number;
  scale: number;
}

function units(value: number, step: number): Units {
  const scale = 10 ** stepDecimals(step);
  return { value: value * scale, step: Math.round(step * scale), scale };
}

/** Scaling by 10^d leaves float dust of about 1e-16 of the value: far below a unit, never a real digit. */
const dust = (x: number): number => Math.abs(x) * 1e-12 + 1e-9;

/** n steps as the exact decimal: an integer over a power of ten divides to the nearest double. */
const toValue = (n: number, u: Units): number => (n * u.step) / u.scale;

/** Down to a whole number of steps (Bybit truncates quantities: a size is never rounded up). */
export function floorToStep(value: number, step: number): number {
  const u = units(value, step);
  return toValue(Math.floor((u.value + dust(u.value)) / u.step), u);
}

/** Up to a whole number of steps. */
export function ceilToStep(value: number, step: number): number {
  const u = units(value, step);
  return toValue(Math.ceil((u.value - dust(u.value)) / u.step), u);
}

/** To the nearest whole number of steps (a price to the tick: 0.1 + 0.2 on a 0.1 tick is 0.3). */
export function roundToStep(value: number, step: number): number {
  const u = units(value, step);
  return toValue(Math.round(u.value / u.step), u);
}

/** True when `value` is a whole number of steps (float dust tolerated, a real digit past the step not). */
export function onStep(value: number, step: number): boolean {
  const u = units(value, step);
  const n = u.value / u.step;
  return Math.abs(n - Math.round(n)) < 1e-6;
}
