import type { Rng } from '../../core/rng.ts';
import type { Instrument, MarketState } from './types.ts';

/** Real names first so the demo reads naturally; the rest are generated letter codes. */
const KNOWN: [string, number][] = [
  ['BTC', 65000],
  ['ETH', 3200],
  ['SOL', 150],
  ['XRP', 0.55],
  ['DOGE', 0.14],
  ['ADA', 0.45],
  ['AVAX', 32],
  ['LINK', 15],
  ['DOT', 6.5],
  ['LTC', 80],
  ['BCH', 420],
  ['NEAR', 5.5],
  ['ATOM', 8],
  ['APT', 9],
  ['ARB', 0.9],
  ['OP', 2.1],
  ['SUI', 1.2],
  ['INJ', 24],
  ['TIA', 8.5],
  ['SEI', 0.45],
  ['FIL', 5.2],
  ['ETC', 24],
  ['UNI', 9],
  ['AAVE', 95],
  ['MKR', 2400],
  ['LDO', 1.8],
  ['RUNE', 4.5],
  ['WLD', 2.6],
  ['PEPE', 0.000011],
  ['SHIB', 0.000022],
];

/** Fixed-width base-26 ("QAAA", "QAAB", ...) so generated names never collide. */
function letters(i: number): string {
  let s = '';
  for (let n = i, k = 0; k < 3; k++, n = Math.floor(n / 26)) s = String.fromCharCode(65 + (n % 26)) + s;
  return `Q${s}`;
}

const decimalsOf = (step: number): number => Math.max(0, -Math.floor(Math.log10(step) + 1e-9));

/** Tick about 1/10,000 of the price, qty step worth about $1-10: Bybit's instruments look like this. */
export function makeInstrument(symbol: string, price: number, launchTime: number): Instrument {
  const tickSize = 10 ** Math.floor(Math.log10(price * 1e-4));
  const qtyStep = 10 ** Math.floor(Math.log10(5 / price));
  const minQty = qtyStep;
  return {
    symbol,
    baseCoin: symbol.slice(0, -4),
    tickSize,
    qtyStep,
    minQty,
    maxQty: Number((qtyStep * 1e7).toPrecision(12)),
    minNotional: 5,
    priceDecimals: decimalsOf(tickSize),
    qtyDecimals: decimalsOf(qtyStep),
    maxLeverage: 100,
    launchTime,
  };
}

export interface Universe {
  instruments: Map<string, Instrument>;
  markets: Map<string, MarketState>;
}

export function buildUniverse(spec: number | string[], rng: Rng, now: number): Universe {
  const names: [string, number][] = Array.isArray(spec)
    ? spec.map((s) => [s.slice(0, -4), KNOWN.find(([b]) => `${b}USDT` === s)?.[1] ?? 10 ** rng.between(-2, 3)])
    : Array.from({ length: spec }, (_, i) => KNOWN[i] ?? [letters(i - KNOWN.length), 10 ** rng.between(-2, 3)]);
  const instruments = new Map<string, Instrument>();
  const markets = new Map<string, MarketState>();
  for (const [base, rough] of names) {
    const symbol = `${base}USDT`;
    const inst = makeInstrument(symbol, rough, now - 400 * 86_400_000);
    const mark = roundToStep(rough, inst.tickSize);
    instruments.set(symbol, inst);
    markets.set(symbol, { symbol, mark, open: mark, high: mark, low: mark, updatedAt: now });
  }
  return { instruments, markets };
}

/** Rounds to a multiple of step, keeping the step's decimals exact (no 0.30000000000000004). */
export function roundToStep(value: number, step: number, mode: 'round' | 'floor' = 'round'): number {
  const n = mode === 'floor' ? Math.floor(value / step + 1e-9) : Math.round(value / step);
  return Number((n * step).toFixed(decimalsOf(step)));
}

export function isMultipleOf(value: number, step: number): boolean {
  return Math.abs(value / step - Math.round(value / step)) < 1e-6;
}
