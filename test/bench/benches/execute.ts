import type { ExecuteResult } from '@tierwatch/shared';
import { clientOrderId } from '../../../companion/src/execution/index.ts';
import { criticalGaps, makeCritical, marketLong, postExecute, startTrio } from '../../execution/support.ts';
import { percentile, round } from '../stats.ts';

/**
 * One-click execute under load: 400 positions monitored on main + 2 mirrors (paper exchange, 100 ms per
 * request), one of them CRITICAL. Sequential executions, each timed from request to the response that
 * reports every leg acknowledged by the exchange (order id in hand, TP/SL attached); then the same keys
 * again, and one key 20 times at once, to count duplicates on the exchange's own order book.
 */
const EXECUTIONS = 40;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];

/** What the popup's trade form reads when the trader presses Review: balances and instruments (mark prices). */
async function review(c: { url: string; token: string }): Promise<void> {
  const headers = { authorization: `Bearer ${c.token}` };
  const reads = ['balances?use_cache=false', 'instruments?use_cache=false'].map(async (path) => {
    const res = await fetch(`${c.url}/api/v1/trading/${path}`, { headers });
    if (!res.ok) throw new Error(`review read ${path} answered ${res.status}`);
    await res.arrayBuffer();
  });
  await Promise.all(reads);
}

export default async function run(): Promise<Record<string, unknown>> {
  // Polling: the critical checks counted are critical-lane REST reads, the ones critical-only mode must not
  // delay (on streams a price is heard by push, never paused, and those reads are reconciliation only); and
  // polling is the monitor's heavier REST load for the executions to share the budget with.
  const c = await startTrio({ paper: { positionsPerAccount: 134, latencyMs: 100 }, monitor: { source: 'poll' } });
  try {
    const critical = makeCritical(c.paper!);
    await new Promise((r) => setTimeout(r, 3000)); // first reads done, the critical position classified
    const positions = c.monitor.positions().length;
    const criticalCount = c.monitor.tierCounts().CRITICAL;
    const modes: string[] = [];
    const off = c.bus.subscribe((e) => {
      if (e.type === 'guard-mode') modes.push(`${e.mode}/${e.reason}`);
    });

    const times: number[] = [];
    const results: ExecuteResult[] = [];
    const reqs = Array.from({ length: EXECUTIONS }, (_, i) =>
      marketLong(c, SYMBOLS[i % SYMBOLS.length]!, `bench-exec-${i}`),
    );
    const from = Date.now();
    const coldTimes: number[] = [];
    for (const [i, req] of reqs.entries()) {
      // Most executions follow a review: the trade form reads balances and the mark when the trader
      // reviews the order (untimed: the trader reads the confirm step), then Place is timed. Every fourth
      // is sent cold, with nothing read before it, and reported apart.
      const cold = i % 4 === 3;
      if (!cold) await review(c);
      const t0 = performance.now();
      const r = await postExecute(c, req);
      (cold ? coldTimes : times).push(performance.now() - t0);
      if (r.status !== 200) throw new Error(`execute answered ${r.status}: ${JSON.stringify(r.body)}`);
      results.push(r.body);
    }
    const to = Date.now();
    const gaps = criticalGaps(c, 'main', from, to);

    // Retries of every key, and one key 20 times at once: none may reach the exchange as a new order.
    for (const req of reqs) await postExecute(c, req);
    const burst = marketLong(c, 'BTCUSDT', 'bench-exec-burst');
    await Promise.all(Array.from({ length: 20 }, () => postExecute(c, burst)));
    off();

    const keys = [...reqs.map((r) => r.idempotencyKey), burst.idempotencyKey];
    let accepted = 0;
    for (const acc of c.paper!.engine.accounts) {
      for (const key of keys) if (acc.linkIds.has(clientOrderId(key, acc.name))) accepted++;
    }
    const legsExpected = keys.length * c.accounts.length;
    const creates = c.paper!.control.getStats().byEndpoint['/v5/order/create'] ?? 0;
    return {
      positions,
      criticalPositions: criticalCount,
      criticalSymbol: critical.symbol,
      accounts: c.accounts.length,
      paperLatencyMs: 100,
      executions: EXECUTIONS,
      complete: results.filter((r) => r.status === 'complete').length,
      executeP50Ms: round(percentile(times, 50)),
      executeP99Ms: round(percentile(times, 99)),
      executeMaxMs: round(Math.max(...times)),
      reviewedExecutions: times.length,
      coldExecutions: coldTimes.length,
      executeColdP50Ms: round(percentile(coldTimes, 50)),
      executeColdMaxMs: round(Math.max(...coldTimes)),
      criticalIntervalMs: c.monitor.computeStats().cadence.CRITICAL.intervalMs,
      criticalChecksDuringExecutions: gaps.length - 1,
      criticalGapDuringExecutionMaxMs: Math.max(...gaps),
      guardModeChanges: modes.length,
      guardEndedNormal: c.monitor.mode === 'normal',
      orderCreatesOnExchange: creates,
      legsExpected,
      duplicates: accepted - legsExpected + Math.max(0, creates - legsExpected),
    };
  } finally {
    await c.close();
  }
}
