/** Step arithmetic the way the exchange sees it: decimal steps, without binary floating-point residue. */

/** Decimal places of a step such as 0.001 or 1e-8. */
export function decimalsOf(step: number): number {
  const s = step.toString();
  const e = /e-(\d+)$/.exec(s);
  if (e) {
    const mantissa = s.slice(0, s.indexOf('e'));
    const dot = mantissa.indexOf('.');
    return Number(e[1]) + (dot < 0 ? 0 : mantissa.length - dot - 1);
  }
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** Down to a whole number of steps (Bybit truncates quantities; it never rounds a size up). */
export function floorToStep(value: number, step: number): number {
  const n = Math.floor(value / step + 1e-9);
  return Number((n * step).toFixed(decimalsOf(step)));
}

/** To the nearest whole number of steps, as the exact decimal (0.1 + 0.2 on a 0.1 tick is 0.3). */
export function toStep(value: number, step: number): number {
  return Number((Math.round(value / step) * step).toFixed(decimalsOf(step)));
}

/** True when `value` is a whole number of `step`s (within float noise). */
export function onStep(value: number, step: number): boolean {
  const n = value / step;
  return Math.abs(n - Math.round(n)) < 1e-6;
}

/** A number as a person reads it: no float residue, no exponent for ordinary sizes. */
export function fmt(value: number): string {
  return String(Number(value.toPrecision(12)));
}
