import { systemClock } from '../../../companion/src/core/clock.ts';
import { silentLogger } from '../../../companion/src/core/logger.ts';
import {
  createExchangeLayer,
  ExchangeConfig,
  type ExchangeLayer,
  type Lane,
} from '../../../companion/src/exchange/index.ts';
import { type PaperExchange, startPaperExchange } from '../../../companion/src/paper/index.ts';
import { paperSetups } from '../../../companion/test-support/paper-setups.ts';
import { round } from '../stats.ts';

/**
 * The shared rate budget under a burst: 2,000 mixed calls over 4 accounts enqueued at once, then one
 * execution-lane call queued behind them. Violations are counted by the paper exchange (Bybit's caps:
 * 600 / 5 s per IP, per-account endpoint caps); the same burst is also sent unpaced, the way four
 * independent ccxt instances would, to show what the budget prevents.
 */
const ACCOUNTS = ['main', 'mirror1', 'mirror2', 'mirror3'];
const BURST = 2000;
const LANES: Lane[] = ['critical', 'urgent', 'active', 'building', 'stable', 'dormant', 'api'];

async function layerOn(paper: PaperExchange, config = ExchangeConfig.parse({})): Promise<ExchangeLayer> {
  return createExchangeLayer({
    setups: paperSetups(paper, paper.accounts),
    config,
    clock: systemClock,
    logger: silentLogger,
  });
}

/** No shared budget: every cap lifted, no retries. What uncoordinated per-instance limiters amount to. */
const UNPACED = ExchangeConfig.parse({
  ipLimit: { max: 1_000_000, windowMs: 1000 },
  accountLimits: Object.fromEntries(
    ['positionRead', 'orderRead', 'accountRead', 'orderWrite', 'tradingStop'].map((k) => [
      k,
      { max: 1_000_000, windowMs: 1000 },
    ]),
  ),
  budgetShare: 1,
  retry: { attempts: 0 },
});

/** A deterministic mix: positions, open orders, balances and tickers, across accounts and lanes. */
function mixedCall(layer: ExchangeLayer, i: number): () => Promise<unknown> {
  const client = layer.accounts.get(ACCOUNTS[i % ACCOUNTS.length]!)!;
  const lane = LANES[(i * 7) % LANES.length]!;
  switch (i % 10) {
    case 0:
    case 1:
      return () => layer.market.fetchTickers(null, { lane });
    case 2:
    case 3:
    case 4:
    case 5:
      return () => client.fetchPositions({ lane });
    case 6:
    case 7:
      return () => client.fetchOpenOrders({ lane });
    default:
      return () => client.fetchBalances({ lane });
  }
}

async function paced(): Promise<Record<string, unknown>> {
  const paper = await startPaperExchange({ accounts: ACCOUNTS, positionsPerAccount: 50, symbols: 100, seed: 3 });
  try {
    const layer = await layerOn(paper);
    paper.control.resetStats();
    const t0 = systemClock.now();
    const burst = Array.from({ length: BURST }, (_, i) => mixedCall(layer, i)());
    // The execution call arrives once the burst is well under way, behind everything still queued.
    await systemClock.sleep(1000);
    const queuedBehind = layer.budget.pending;
    const enqueuedAt = systemClock.now();
    const exec = layer.accounts.get('main')!.findOrder('tw-bench-none', 'BTCUSDT', { lane: 'execution' });
    await Promise.all([...burst, exec]);
    const records = layer.counter.since(t0);
    const execStart = records.find((r) => r.lane === 'execution')!.at;
    const sends = records.filter((r) => r.lane !== 'execution').map((r) => r.at);
    const first = Math.min(...sends);
    const last = Math.max(...sends);
    const achieved = ((sends.length - 1) * 1000) / (last - first);
    const stats = paper.control.getStats();
    return {
      calls: records.length,
      exchangeCounted: stats.total,
      violations: stats.violations.total,
      budgetPerSec: round(layer.budget.ratePerSec, 1),
      achievedPerSec: round(achieved, 1),
      budgetUse: round(achieved / layer.budget.ratePerSec, 3),
      burstSeconds: round((last - first) / 1000, 1),
      executionQueuedBehind: queuedBehind,
      // Slots: calls the budget sent after the execution call was queued and before it (the promise is
      // "at most one"); the wait in ms also carries timer and event-loop lateness on a shared machine.
      executionWaitSlots: sends.filter((at) => at >= enqueuedAt && at < execStart).length,
      executionWaitMs: execStart - enqueuedAt,
      slotMs: round(layer.budget.slotMs, 2),
    };
  } finally {
    await paper.close();
  }
}

/** The same burst without the budget, 50 in flight at a time: the way per-instance limiters behave together. */
async function unpaced(): Promise<Record<string, unknown>> {
  const paper = await startPaperExchange({
    accounts: ACCOUNTS,
    positionsPerAccount: 50,
    symbols: 100,
    seed: 3,
    limits: { ip: { banMs: 0 } },
  });
  try {
    const layer = await layerOn(paper, UNPACED);
    paper.control.resetStats();
    let next = 0;
    const worker = async () => {
      while (next < BURST) {
        const i = next++;
        await mixedCall(layer, i)().catch(() => {});
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    return { unpacedViolations: paper.control.getStats().violations.total };
  } finally {
    await paper.close();
  }
}

export default async function run(): Promise<Record<string, unknown>> {
  const ours = await paced();
  return { accounts: ACCOUNTS.length, burst: BURST, ...ours, ...(await unpaced()) };
}
