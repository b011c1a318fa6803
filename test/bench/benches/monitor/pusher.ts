import type { BusEvent } from '@tierwatch/shared';
import type { Clock } from '../../../../companion/src/core/clock.ts';
import { Rng } from '../../../../companion/src/core/rng.ts';
import type { PaperExchange } from '../../../../companion/src/paper/index.ts';
import { PUSHES } from './setup.ts';

/**
 * Detection: prices pushed through the paper exchange's control into CRITICAL or across the SL of a
 * position that was neither critical nor urgent, at random moments; latency = push → event on the bus.
 */

export interface Pusher {
  schedule: number[];
  pushedAt: Map<string, number>;
  latencies: number[];
  /** The bus listener: the first critical / tp-hit / sl-hit for a pushed symbol after its push. */
  onEvent(e: BusEvent): void;
  push(note?: (symbol: string, at: number) => void): void;
}

export function pusher(paper: PaperExchange, clock: Clock, from: number, to: number, seed: number): Pusher {
  const rng = new Rng(seed);
  const schedule = Array.from({ length: PUSHES }, () => from + rng.next() * (to - from)).sort((a, b) => a - b);
  const pushedAt = new Map<string, number>();
  const latencies: number[] = [];
  const used = new Set<string>();
  let n = 0;
  return {
    schedule,
    pushedAt,
    latencies,
    onEvent(e) {
      const symbol =
        e.type === 'critical' ? e.position.symbol : e.type === 'sl-hit' || e.type === 'tp-hit' ? e.symbol : null;
      if (symbol === null) return;
      const at = pushedAt.get(symbol);
      if (at === undefined || e.at < at) return;
      pushedAt.delete(symbol);
      latencies.push(e.at - at);
    },
    push(note) {
      // A position neither critical nor urgent now (> 3% from TP and SL), on a symbol not pushed before.
      const pick = paper.control.positions('main').find((p) => {
        if (used.has(p.symbol) || p.stopLoss === null) return false;
        const d = (lvl: number | null) => (lvl === null ? Infinity : Math.abs(lvl - p.markPrice) / p.markPrice);
        return d(p.stopLoss) > 0.03 && d(p.takeProfit) > 0.03;
      });
      if (!pick || pick.stopLoss === null) return;
      used.add(pick.symbol);
      const long = pick.side === 'long';
      // Alternately: to 0.5% short of the SL (CRITICAL), and 0.2% past it (an SL crossing).
      const price =
        n++ % 2 === 0
          ? long
            ? pick.stopLoss / (1 - 0.005)
            : pick.stopLoss / (1 + 0.005)
          : long
            ? pick.stopLoss * 0.998
            : pick.stopLoss * 1.002;
      paper.control.setPrice(pick.symbol, price);
      const at = clock.now();
      pushedAt.set(pick.symbol, at);
      note?.(pick.symbol, at);
    },
  };
}

export async function runPushes(p: Pusher, clock: Clock, stop: () => boolean, note?: (s: string, at: number) => void) {
  for (const at of p.schedule) {
    const wait = at - clock.now();
    if (wait > 0) await clock.sleep(wait);
    if (stop()) return;
    p.push(note);
  }
}
