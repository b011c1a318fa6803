/**
 * One-minute candles of the mark, recorded as the walk steps (the last 1,440 per symbol), for
 * /v5/market/kline and the kline topic. Before the first recorded minute the market is flat at its
 * starting price: the sim has no earlier history, and says so by not inventing one.
 */

export interface Candle {
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

const MINUTE = 60_000;
const KEEP = 1440;

export class CandleBook {
  private readonly minutes = new Map<string, Candle[]>();
  private readonly origin = new Map<string, number>();

  constructor(private readonly startedAt: number) {}

  record(symbol: string, price: number, at: number): void {
    const start = Math.floor(at / MINUTE) * MINUTE;
    let list = this.minutes.get(symbol);
    if (!list) {
      list = [];
      this.minutes.set(symbol, list);
    }
    const last = list[list.length - 1];
    if (last && last.start === start) {
      last.high = Math.max(last.high, price);
      last.low = Math.min(last.low, price);
      last.close = price;
      return;
    }
    const open = last?.close ?? this.origin.get(symbol) ?? price;
    list.push({ start, open, high: Math.max(open, price), low: Math.min(open, price), close: price });
    if (list.length > KEEP) list.splice(0, list.length - KEEP);
  }

  /** The starting price, for the flat history before the first recorded minute. */
  setOrigin(symbol: string, price: number): void {
    this.origin.set(symbol, price);
  }

  /** Candles of `intervalMs` from `from` to `to` (inclusive starts), oldest first, the current one open. */
  range(symbol: string, intervalMs: number, from: number, to: number, current: number): Candle[] {
    const list = this.minutes.get(symbol) ?? [];
    const flat = this.origin.get(symbol) ?? current;
    const out: Candle[] = [];
    let i = 0;
    for (let start = Math.floor(from / intervalMs) * intervalMs; start <= to; start += intervalMs) {
      const end = start + intervalMs;
      while (i < list.length && (list[i] as Candle).start < start) i++;
      let c: Candle | null = null;
      for (let j = i; j < list.length && (list[j] as Candle).start < end; j++) {
        const m = list[j] as Candle;
        if (c === null) c = { start, open: m.open, high: m.high, low: m.low, close: m.close };
        else {
          c.high = Math.max(c.high, m.high);
          c.low = Math.min(c.low, m.low);
          c.close = m.close;
        }
      }
      const prevClose = out[out.length - 1]?.close;
      if (!c) {
        const p = start < this.startedAt ? flat : (prevClose ?? flat);
        c = { start, open: p, high: p, low: p, close: p };
      }
      out.push(c);
    }
    return out;
  }
}
