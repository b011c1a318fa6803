import type { Rng } from '../../core/rng.ts';
import type { Instrument, MarketState } from './types.ts';

/**
 * Real Bybit linear perpetuals with rough price levels and annualised volatilities (majors about 50-65 %,
 * large caps 80-100 %, small caps and memes well above): the demo reads like a trader's book and moves at
 * a real market's pace. Beyond this list, generated names that read like tickers, with small-cap levels.
 */
const KNOWN: [string, number, number][] = [
  ['BTC', 65000, 0.5],
  ['ETH', 3200, 0.65],
  ['SOL', 150, 0.9],
  ['XRP', 0.55, 0.8],
  ['DOGE', 0.14, 1.0],
  ['ADA', 0.45, 0.85],
  ['AVAX', 32, 0.95],
  ['LINK', 15, 0.9],
  ['DOT', 6.5, 0.85],
  ['LTC', 80, 0.75],
  ['BCH', 420, 0.8],
  ['NEAR', 5.5, 1.0],
  ['ATOM', 8, 0.85],
  ['APT', 9, 1.0],
  ['ARB', 0.9, 1.0],
  ['OP', 2.1, 1.05],
  ['SUI', 1.2, 1.1],
  ['INJ', 24, 1.1],
  ['TIA', 8.5, 1.15],
  ['SEI', 0.45, 1.1],
  ['FIL', 5.2, 0.9],
  ['ETC', 24, 0.8],
  ['UNI', 9, 0.95],
  ['AAVE', 95, 0.95],
  ['MKR', 2400, 0.85],
  ['LDO', 1.8, 1.05],
  ['RUNE', 4.5, 1.1],
  ['WLD', 2.6, 1.2],
  ['TRX', 0.12, 0.5],
  ['TON', 6.8, 0.8],
  ['BNB', 580, 0.55],
  ['XLM', 0.1, 0.75],
  ['HBAR', 0.07, 0.9],
  ['ICP', 9.5, 0.95],
  ['VET', 0.03, 0.85],
  ['ALGO', 0.16, 0.85],
  ['GRT', 0.2, 1.0],
  ['SAND', 0.35, 1.0],
  ['MANA', 0.35, 1.0],
  ['AXS', 6, 1.0],
  ['EGLD', 30, 0.95],
  ['THETA', 1.5, 0.95],
  ['FTM', 0.5, 1.1],
  ['FLOW', 0.6, 0.95],
  ['XTZ', 0.8, 0.85],
  ['EOS', 0.6, 0.85],
  ['KAVA', 0.5, 0.95],
  ['NEO', 11, 0.85],
  ['CHZ', 0.08, 0.95],
  ['CRV', 0.35, 1.05],
  ['SNX', 2.1, 1.05],
  ['COMP', 55, 0.95],
  ['ZEC', 30, 0.85],
  ['DASH', 28, 0.85],
  ['ENJ', 0.25, 1.0],
  ['BAT', 0.2, 0.9],
  ['ZIL', 0.02, 0.95],
  ['ONE', 0.015, 1.0],
  ['IOTA', 0.2, 0.9],
  ['QTUM', 2.8, 0.9],
  ['WAVES', 1.3, 1.1],
  ['KSM', 25, 0.95],
  ['ROSE', 0.09, 1.05],
  ['GALA', 0.025, 1.1],
  ['APE', 1.1, 1.1],
  ['GMT', 0.2, 1.05],
  ['IMX', 1.6, 1.05],
  ['STX', 1.8, 1.1],
  ['ORDI', 35, 1.3],
  ['PYTH', 0.4, 1.2],
  ['JUP', 0.9, 1.2],
  ['DYDX', 1.5, 1.1],
  ['BLUR', 0.3, 1.2],
  ['CFX', 0.17, 1.15],
  ['MINA', 0.6, 1.05],
  ['KAS', 0.15, 1.1],
  ['FET', 1.4, 1.2],
  ['RNDR', 7, 1.15],
  ['AR', 28, 1.1],
  ['AGIX', 0.6, 1.2],
  ['OCEAN', 0.6, 1.2],
  ['ENS', 25, 1.05],
  ['GMX', 28, 1.0],
  ['PENDLE', 5, 1.2],
  ['JTO', 3, 1.2],
  ['STRK', 0.8, 1.2],
  ['MEME', 0.02, 1.3],
  ['BONK', 0.00002, 1.4],
  ['WIF', 2.5, 1.5],
  ['FLOKI', 0.00018, 1.4],
  ['PEPE', 0.000011, 1.4],
  ['SHIB', 0.000022, 1.1],
  ['NOT', 0.015, 1.4],
  ['ENA', 0.6, 1.3],
  ['ETHFI', 3, 1.3],
  ['ZRO', 3.5, 1.3],
  ['ONDO', 1.1, 1.25],
  ['AEVO', 0.6, 1.3],
  ['ALT', 0.25, 1.3],
  ['MANTA', 1.2, 1.3],
  ['DYM', 2.5, 1.3],
  ['XAI', 0.5, 1.3],
  ['PIXEL', 0.3, 1.35],
  ['PORTAL', 0.8, 1.35],
  ['SAGA', 2, 1.35],
  ['OMNI', 12, 1.35],
  ['REZ', 0.08, 1.4],
  ['BB', 0.4, 1.4],
  ['IO', 3, 1.35],
  ['ZK', 0.2, 1.3],
  ['LISTA', 0.5, 1.35],
  ['BLAST', 0.02, 1.4],
  ['POL', 0.5, 0.9],
  ['RON', 1.6, 1.1],
  ['AXL', 0.7, 1.15],
  ['ACE', 3, 1.3],
  ['NFP', 0.3, 1.3],
  ['AI', 0.8, 1.3],
  ['ID', 0.5, 1.2],
  ['EDU', 0.6, 1.2],
  ['ARKM', 1.8, 1.25],
  ['CYBER', 5, 1.3],
  ['SSV', 30, 1.15],
  ['RPL', 20, 1.05],
  ['FXS', 3, 1.1],
  ['LQTY', 1.1, 1.15],
  ['MAGIC', 0.5, 1.2],
  ['HOOK', 0.6, 1.25],
  ['HIGH', 2, 1.25],
  ['PEOPLE', 0.05, 1.3],
  ['LOOKS', 0.08, 1.3],
  ['JASMY', 0.02, 1.2],
  ['ACH', 0.025, 1.15],
  ['C98', 0.25, 1.15],
  ['MASK', 2.8, 1.15],
  ['ANKR', 0.035, 1.05],
  ['CELO', 0.7, 1.05],
  ['COTI', 0.1, 1.1],
  ['CKB', 0.012, 1.15],
  ['DENT', 0.001, 1.2],
  ['HOT', 0.002, 1.1],
  ['IOST', 0.008, 1.05],
  ['IOTX', 0.04, 1.1],
  ['KNC', 0.6, 1.05],
  ['LRC', 0.22, 1.1],
  ['ONT', 0.25, 1.0],
  ['RSR', 0.006, 1.15],
  ['RVN', 0.025, 1.05],
  ['SKL', 0.06, 1.15],
  ['STORJ', 0.5, 1.1],
  ['SUSHI', 1, 1.15],
  ['SXP', 0.3, 1.1],
  ['YFI', 7000, 0.95],
  ['ZRX', 0.45, 1.05],
  ['1INCH', 0.4, 1.1],
  ['ALICE', 1.2, 1.2],
  ['API3', 2, 1.2],
  ['AUDIO', 0.2, 1.2],
  ['BAND', 1.5, 1.1],
  ['BEL', 0.8, 1.25],
  ['BICO', 0.4, 1.2],
  ['CELR', 0.02, 1.15],
  ['CHR', 0.25, 1.2],
  ['CTSI', 0.18, 1.2],
  ['DGB', 0.01, 1.05],
  ['DUSK', 0.3, 1.2],
  ['GLM', 0.4, 1.1],
  ['GTC', 1.1, 1.2],
  ['ICX', 0.25, 1.05],
  ['JOE', 0.45, 1.2],
  ['KDA', 0.9, 1.15],
  ['LPT', 15, 1.15],
  ['MTL', 1.5, 1.2],
  ['NKN', 0.12, 1.2],
  ['OGN', 0.12, 1.2],
  ['PERP', 0.8, 1.25],
  ['QNT', 90, 0.85],
  ['REN', 0.06, 1.15],
  ['RLC', 2.5, 1.15],
  ['SFP', 0.7, 1.05],
  ['SLP', 0.004, 1.2],
  ['SPELL', 0.0007, 1.3],
  ['STG', 0.5, 1.2],
  ['SUPER', 0.8, 1.3],
  ['TLM', 0.015, 1.2],
  ['TRB', 100, 1.4],
  ['UMA', 3, 1.15],
  ['WOO', 0.3, 1.15],
  ['XEM', 0.03, 1.0],
  ['XMR', 160, 0.7],
  ['XVS', 9, 1.1],
  ['YGG', 0.8, 1.25],
  ['ZEN', 9, 1.05],
  ['BSV', 60, 0.9],
  ['GAS', 4.5, 1.1],
  ['ILV', 80, 1.2],
  ['KEY', 0.005, 1.3],
  ['LEVER', 0.001, 1.35],
  ['LINA', 0.005, 1.3],
  ['MAV', 0.3, 1.3],
  ['NMR', 20, 1.15],
  ['OXT', 0.09, 1.15],
  ['POWR', 0.25, 1.2],
  ['RDNT', 0.2, 1.25],
  ['SCRT', 0.4, 1.15],
  ['SNT', 0.03, 1.15],
  ['STEEM', 0.25, 1.15],
  ['STMX', 0.006, 1.2],
  ['SUN', 0.02, 1.15],
  ['TWT', 1, 1.0],
  ['USTC', 0.02, 1.3],
  ['VANRY', 0.12, 1.3],
  ['WAXP', 0.05, 1.15],
  ['XVG', 0.005, 1.2],
  ['CAKE', 2.5, 1.05],
  ['ARPA', 0.05, 1.2],
  ['ATA', 0.12, 1.25],
  ['BAKE', 0.25, 1.3],
  ['BNT', 0.7, 1.05],
  ['BOND', 2.5, 1.25],
  ['CTK', 0.7, 1.15],
  ['DODO', 0.15, 1.25],
  ['FLM', 0.07, 1.3],
  ['FORTH', 4, 1.15],
  ['HFT', 0.25, 1.25],
  ['LIT', 0.9, 1.3],
  ['MDT', 0.05, 1.25],
  ['PHB', 1.5, 1.3],
  ['QI', 0.01, 1.3],
  ['REEF', 0.0015, 1.3],
  ['RIF', 0.1, 1.2],
  ['TRU', 0.08, 1.3],
  ['UNFI', 4, 1.4],
  ['VOXEL', 0.15, 1.3],
  ['XCN', 0.001, 1.3],
];

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

/** Rounds to a multiple of step, keeping the step's decimals exact (no 0.30000000000000004). */
export function roundToStep(value: number, step: number, mode: 'round' | 'floor' = 'round'): number {
  const n = mode === 'floor' ? Math.floor(value / step + 1e-9) : Math.round(value / step);
  return Number((n * step).toFixed(decimalsOf(step)));
}

export function isMultipleOf(value: number, step: number): boolean {
  return Math.abs(value / step - Math.round(value / step)) < 1e-6;
}
