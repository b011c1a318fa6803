import type { Position } from '@tierwatch/shared';

/**
 * The detail view's chart data, pure: the marks the popup has seen for one position (the companion has no
 * candle route; the detail view polls the cached positions while it is open) and the levels drawn over
 * them as lines.
 */

export interface MarkPoint {
  /** Seconds since the epoch: the chart's time unit; one point per second. */
  time: number;
  value: number;
}

/** At most 30 minutes at one point a second. */
export const MAX_POINTS = 1800;

/** The history with one more mark: a later second appends, the same second replaces, an older one is dropped. */
export function appendMark(points: readonly MarkPoint[], atMs: number, price: number, max = MAX_POINTS): MarkPoint[] {
  if (!(Number.isFinite(price) && price > 0) || !Number.isFinite(atMs)) return points as MarkPoint[];
  const time = Math.floor(atMs / 1000);
  const last = points.at(-1);
  if (last && time < last.time) return points as MarkPoint[];
  const next =
    last && time === last.time ? [...points.slice(0, -1), { time, value: price }] : [...points, { time, value: price }];
  return next.length > max ? next.slice(next.length - max) : next;
}

export interface ChartLevel {
  kind: 'entry' | 'tp' | 'sl' | 'liq';
  title: string;
  price: number;
}

/** Entry, TP, SL and liquidation, the ones the position has. */
export function chartLevels(
  p: Pick<Position, 'entryPrice' | 'takeProfit' | 'stopLoss' | 'liquidationPrice'>,
): ChartLevel[] {
  const all: [ChartLevel['kind'], string, number | null][] = [
    ['entry', 'entry', p.entryPrice],
    ['tp', 'TP', p.takeProfit],
    ['sl', 'SL', p.stopLoss],
    ['liq', 'liquidation', p.liquidationPrice],
  ];
  return all
    .filter((l): l is [ChartLevel['kind'], string, number] => l[2] !== null && Number.isFinite(l[2]) && l[2] > 0)
    .map(([kind, title, price]) => ({ kind, title, price }));
}

/** The price range the chart must show: every mark and every level, with 2 % of room either side. */
export function priceRange(
  points: readonly MarkPoint[],
  levels: readonly ChartLevel[],
): { min: number; max: number } | null {
  const values = [...points.map((p) => p.value), ...levels.map((l) => l.price)];
  if (values.length === 0) return null;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = (hi - lo || hi * 0.01) * 0.02;
  return { min: lo - pad, max: hi + pad };
}

/**
 * Decimals the price axis needs to tell the levels apart: as many as the most precise level or mark
 * carries (0.10529 → 5), at least 2, at most 8. The chart's default of 2 labelled SL 0.10529 and entry
 * 0.10057 of a low-priced coin both "0.10".
 */
export function priceDecimals(values: readonly number[]): number {
  let most = 2;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    const text = String(Number(v.toPrecision(12)));
    const e = /e-(\d+)$/.exec(text);
    const dot = text.indexOf('.');
    const d = e ? Number(e[1]) + Math.max(0, text.indexOf('e') - dot - 1) : dot < 0 ? 0 : text.length - dot - 1;
    most = Math.max(most, d);
  }
  return Math.min(8, most);
}
