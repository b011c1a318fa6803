/**
 * How the companion writes a number in its messages. Step arithmetic (floorToStep, roundToStep, onStep)
 * is shared/src/steps.ts: the extension's confirm step uses the same code, so both agree on what is sent.
 */

/** A number as a person reads it: no float residue, no exponent for ordinary sizes. */
export function fmt(value: number): string {
  return String(Number(value.toPrecision(12)));
}
