import { roundToStep, stepDecimals } from '@tierwatch/shared';
import type { Rng } from '../../core/rng.ts';
import { KNOWN } from './symbols.ts';
import type { Instrument, MarketState } from './types.ts';

const ONSETS = ['B', 'D', 'F', 'G', 'K', 'L', 'M', 'N', 'P', 'R', 'S', 'T', 'V', 'Z', 'BR', 'KR', 'ST', 'TR'];
const VOWELS = ['A', 'E', 'I', 'O', 'U', 'Y'];
const CODAS = ['', 'X', 'N', 'R', 'S', 'K'];

/** A pronounceable ticker ("ZORAX", "KEMI") from its index: distinct for every index, never a KNOWN name. */
function generatedName(i: number): string {
  const pick = <T>(list: readonly T[], n: number) => list[n % list.length] as T;
  // Mixed radix: onset, vowel, onset, vowel, coda; injective below 18 * 6 * 18 * 6 * 6 names.
  const digits: number[] = [];
  let n = i;
  for (const radix of [ONSETS.length, VOWELS.length, ONSETS.length, VOWELS.length, CODAS.length]) {
    digits.push(n % radix);
    n = Math.floor(n / radix);
  }
  const [o1, v1, o2, v2, c] = digits as [number, number, number, number, number];
  return `${pick(ONSETS, o1)}${pick(VOWELS, v1)}${pick(ONSETS, o2)}${pick(VOWELS, v2)}${pick(CODAS, c)}`;
}

/** Tick about 1/10,000 of the price, qty step worth about $1-10: Bybit's instruments look like this. */
export function makeInstrument(symbol: string, price: number, launchTime: number): Instrument {
  // Written as Bybit sends them ("0.00001"): 10 ** -5 is 0.000009999999999999999 in binary.
  const tickSize = Number(`1e${Math.floor(Math.log10(price * 1e-4))}`);
  const qtyStep = Number(`1e${Math.floor(Math.log10(5 / price))}`);
  const minQty = qtyStep;
  return {
    symbol,
    baseCoin: symbol.slice(0, -4),
    tickSize,
    qtyStep,
    minQty,
    maxQty: Number((qtyStep * 1e7).toPrecision(12)),
    minNotional: 5,
    priceDecimals: stepDecimals(tickSize),
    qtyDecimals: stepDecimals(qtyStep),
    maxLeverage: 100,
    launchTime,
  };
}

export interface Universe {
  instruments: Map<string, Instrument>;
  markets: Map<string, MarketState>;
  /** Annualised volatility of each symbol's walk (a fraction: 0.8 is 80 %). */
  volatility: Map<string, number>;
}

export function buildUniverse(spec: number | string[], rng: Rng, now: number): Universe {
  const known = new Map(KNOWN.map(([b, p, v]) => [b, [p, v] as const]));
  const smallCap = (): [number, number] => [10 ** rng.between(-3, 1), rng.between(1.1, 1.5)];
  const bases: [string, number, number][] = Array.isArray(spec)
    ? spec.map((s) => {
        const base = s.slice(0, -4);
        const k = known.get(base);
        return [base, ...(k ?? smallCap())] as [string, number, number];
      })
    : [];
  if (!Array.isArray(spec)) {
    for (let i = 0; bases.length < spec; i++) {
      if (i < KNOWN.length) bases.push(KNOWN[i] as [string, number, number]);
      else {
        const name = generatedName(i - KNOWN.length);
        if (!known.has(name)) bases.push([name, ...smallCap()]);
      }
    }
  }
  const instruments = new Map<string, Instrument>();
  const markets = new Map<string, MarketState>();
  const volatility = new Map<string, number>();
  for (const [base, rough, vol] of bases) {
    const symbol = `${base}USDT`;
    const inst = makeInstrument(symbol, rough, now - 400 * 86_400_000);
    const mark = roundToStep(rough, inst.tickSize);
    instruments.set(symbol, inst);
    markets.set(symbol, { symbol, mark, open: mark, high: mark, low: mark, updatedAt: now });
    volatility.set(symbol, vol);
  }
  return { instruments, markets, volatility };
}
