import type { Position, Tier } from '@tierwatch/shared';
import { EventBus } from '../../../../companion/src/core/bus.ts';
import { type Clock, ScaledClock } from '../../../../companion/src/core/clock.ts';
import { type Bybit, createBybit } from '../../../../companion/src/exchange/bybit.ts';
import { toPosition } from '../../../../companion/src/exchange/normalize.ts';
import { classify, crossing, MonitorConfig } from '../../../../companion/src/monitor/index.ts';
import type { PaperExchange } from '../../../../companion/src/paper/index.ts';
import { percentile, round } from '../../stats.ts';
import { pusher, runPushes } from './pusher.ts';
import { LATENCY_MS, OURS, type SchemeResult, type Size, startPaper } from './setup.ts';

/**
 * The two baselines, two calls per position through ccxt (its position by symbol, its ticker by symbol),
 * classified with the monitor's own classifier:
 * - naive: every position every 5 s, staggered evenly over the 5 s;
 * - seed: the seed document's loop: every position in batches of 50 with 100 ms between batches, then a
 *   sleep of the shortest interval among the tiers present (its extreme table, 2 s for CRITICAL), so one
 *   CRITICAL position drags all of them to that cadence.
 * They run on slower clocks and with the exchange's limits lifted, so their demand is measured.
 */

/** The seed's extreme interval table (seconds → ms); its CRITICAL is 2 s. */
const SEED_INTERVALS: Record<Tier, number> = {
  CRITICAL: 2000,
  URGENT: 5000,
  ACTIVE: 20_000,
  BUILDING: 60_000,
  STABLE: 300_000,
  DORMANT: 900_000,
};
const SEED_BATCH = 50;
const SEED_BATCH_PAUSE_MS = 100;
const NAIVE_INTERVAL_MS = 5000;
/** Real calls per second the baselines are paced to, through the scale (client and exchange share this process). */
const BASELINE_REAL_CALLS_PER_SEC = 300;

const thresholds = MonitorConfig.parse({}).thresholds;

interface Held {
  account: string;
  symbol: string;
  ex: Bybit;
  position: Position | null;
  tier: Tier | null;
  checkedAt: number | null;
  crossed: 'tp' | 'sl' | null;
  closed: boolean;
}

type Loose = Record<string, unknown>;
const list = (r: unknown): Loose[] => ((r as { result?: { list?: Loose[] } }).result?.list ?? []) as Loose[];

class Baseline {
  readonly gaps: number[] = [];
  constructor(
    private readonly clock: Clock,
    private readonly bus: EventBus,
  ) {}

  /** One check: the position by symbol and its ticker by symbol, two calls. */
  async check(h: Held): Promise<void> {
    if (h.closed) return;
    const [posRes, tickRes] = await Promise.all([
      h.ex.privateGetV5PositionList({ category: 'linear', symbol: h.symbol }),
      h.ex.publicGetV5MarketTickers({ category: 'linear', symbol: h.symbol }),
    ]);
    const now = this.clock.now();
    const mark = Number(list(tickRes)[0]?.markPrice);
    const row = list(posRes).find((r) => Number(r.size) > 0);
    if (h.checkedAt !== null && h.tier === 'CRITICAL') this.gaps.push(now - h.checkedAt);
    h.checkedAt = now;
    const known = row ? toPosition(h.account, row) : h.position;
    if (known) this.cross(h, known, mark, now);
    if (!row) {
      h.closed = true;
      return;
    }
    h.position = known;
    const t = classify(
      {
        position: known as Position,
        markPrice: mark,
        pendingEntryOrders: 0,
        lastActivityAt: known?.lastActivityAt ?? null,
        now,
      },
      thresholds,
    );
    if (t.tier !== h.tier && t.tier === 'CRITICAL')
      this.bus.publish({ type: 'critical', at: now, position: t, reason: 'near-sl' });
    h.tier = t.tier;
  }

  private cross(h: Held, p: Position, mark: number, now: number): void {
    const x = crossing(p, mark);
    if (!x || h.crossed === x.kind) return;
    h.crossed = x.kind;
    this.bus.publish({
      type: x.kind === 'tp' ? 'tp-hit' : 'sl-hit',
      at: now,
      account: h.account,
      symbol: h.symbol,
      side: p.side,
      price: mark,
      level: x.level,
    });
  }
}

async function heldPositions(paper: PaperExchange): Promise<Held[]> {
  const held: Held[] = [];
  for (const c of paper.accounts) {
    const ex = createBybit({ apiKey: c.apiKey, secret: c.secret, baseUrl: paper.url, timeoutMs: 60_000 });
    for (const p of paper.control.positions(c.name))
      held.push({
        account: c.name,
        symbol: p.symbol,
        ex,
        // The bot knows what it holds from the start (as the monitor does after its first read).
        position: {
          account: c.name,
          symbol: p.symbol,
          side: p.side,
          size: p.size,
          entryPrice: p.entryPrice,
          markPrice: p.markPrice,
          takeProfit: p.takeProfit,
          stopLoss: p.stopLoss,
          liquidationPrice: null,
          unrealisedPnl: 0,
          leverage: null,
          positionValue: null,
          lastActivityAt: p.updatedTime,
        },
        tier: null,
        checkedAt: null,
        crossed: null,
        closed: false,
      });
  }
  return held;
}

export async function baseline(size: Size, kind: 'naive' | 'seed'): Promise<SchemeResult> {
  const positions = size.accounts * size.perAccount;
  const demand =
    kind === 'naive'
      ? (positions * 2 * 1000) / NAIVE_INTERVAL_MS
      : (positions * 2 * 1000) /
        (Math.ceil(positions / SEED_BATCH) * (LATENCY_MS + SEED_BATCH_PAUSE_MS) + SEED_INTERVALS.CRITICAL);
  const scale = Math.min(OURS.scale, BASELINE_REAL_CALLS_PER_SEC / demand);
  // Naive: two full 5 s rounds; seed: one full cycle and a fifth (a second check of every early position).
  const cycleMs = kind === 'naive' ? NAIVE_INTERVAL_MS : (positions * 2 * 1000) / demand;
  const spanMs = kind === 'naive' ? 2 * NAIVE_INTERVAL_MS + 1000 : Math.max(10_000, 1.25 * cycleMs);
  const clock = new ScaledClock(scale);
  const paper = await startPaper(size, clock, false);
  const real0 = performance.now();
  try {
    const held = await heldPositions(paper);
    const bus = new EventBus();
    const b = new Baseline(clock, bus);
    const inFlight = new Set<Promise<void>>();
    const fire = (h: Held) => {
      const p = b.check(h).catch(() => {});
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    };
    paper.control.resetStats();
    const t0 = clock.now();
    const end = t0 + spanMs;
    let stopped = false;
    const pushes = pusher(paper, clock, t0 + 500, Math.max(t0 + 1000, end - cycleMs - 500), 11);
    bus.subscribe((e) => pushes.onEvent(e));
    const pushing = runPushes(pushes, clock, () => stopped);
    if (kind === 'naive') {
      // Position i is due at t0 + i·(5 s / N), then every 5 s.
      const step = NAIVE_INTERVAL_MS / held.length;
      let k = 0;
      while (!stopped) {
        const now = clock.now();
        if (now >= end) break;
        while (t0 + k * step <= now) fire(held[k++ % held.length] as Held);
        await clock.sleep(Math.max(1, t0 + k * step - now));
      }
    } else {
      while (clock.now() < end) {
        for (let i = 0; i < held.length && clock.now() < end; i += SEED_BATCH) {
          await Promise.all(held.slice(i, i + SEED_BATCH).map((h) => b.check(h).catch(() => {})));
          await clock.sleep(SEED_BATCH_PAUSE_MS);
        }
        const present = held.map((h) => h.tier).filter((t): t is Tier => t !== null);
        const sleep = Math.min(...present.map((t) => SEED_INTERVALS[t]));
        if (clock.now() + sleep >= end) break;
        await clock.sleep(sleep);
      }
    }
    stopped = true;
    const stats = paper.control.getStats();
    await Promise.allSettled([...inFlight, pushing]);
    const simS = (stats.now - stats.since) / 1000;
    return {
      scale: round(scale, 3),
      simSpanS: round(simS, 1),
      calls: stats.total,
      callsPerSec: round(stats.total / simS, 1),
      callsPerAccountPerSec: round(stats.total / simS / size.accounts, 1),
      criticalCadenceP99Ms: b.gaps.length > 0 ? Math.round(percentile(b.gaps, 99)) : null,
      detectionP99Ms: pushes.latencies.length > 0 ? Math.round(percentile(pushes.latencies, 99)) : null,
      detected: `${pushes.latencies.length}/${pushes.latencies.length + pushes.pushedAt.size}`,
      realS: round((performance.now() - real0) / 1000, 1),
    };
  } finally {
    await paper.close();
  }
}
