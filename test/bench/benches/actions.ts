import type { ActionRequestInput, ExecuteResult } from '@tierwatch/shared';
import { clientOrderId } from '../../../companion/src/execution/index.ts';
import { longOrder, postExecute, startTrio } from '../../execution/support.ts';
import { percentile, round } from '../stats.ts';

/**
 * Actions under load: 400 positions monitored on main + 2 mirrors (paper exchange, 100 ms per request).
 * Families opened on symbols nobody holds, then timed per action (after the popup's preview read of the
 * positions) from request to the answer with every leg acknowledged: close 50 %, SL to break-even (after the price rose), edit TP/SL. Then one close key sent 20
 * times at once, counted on the exchange's own book.
 */
const FAMILIES = 12;

export default async function run(): Promise<Record<string, unknown>> {
  // More symbols than the book holds, so families open on symbols nobody holds.
  const c = await startTrio({ paper: { positionsPerAccount: 134, latencyMs: 100, symbols: 200 } });
  const paper = c.paper!;
  const post = async (req: ActionRequestInput): Promise<{ ms: number; body: ExecuteResult }> => {
    const t0 = performance.now();
    const res = await fetch(`${c.url}/api/v1/trading/actions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(req),
    });
    const body = (await res.json()) as ExecuteResult;
    if (res.status !== 200) throw new Error(`action answered ${res.status}: ${JSON.stringify(body)}`);
    return { ms: performance.now() - t0, body };
  };
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const free = paper.engine
      .instruments()
      .filter(
        (i) => paper.control.price(i.symbol) > 1 && paper.engine.accounts.every((a) => !a.positions.has(i.symbol)),
      )
      .slice(0, FAMILIES + 1);
    for (const [n, inst] of free.entries()) {
      const o = longOrder(inst, paper.control.price(inst.symbol), inst.symbol, `bench-act-open-${n}`);
      const r = await postExecute(c, { ...o, quantity: Number((o.quantity! * 8).toFixed(10)) });
      if (r.body.status !== 'complete') throw new Error(`open ${inst.symbol}: ${JSON.stringify(r.body)}`);
    }
    const positions = c.monitor.positions().length;
    const times = { close: [] as number[], breakEven: [] as number[], editTpSl: [] as number[] };
    let notComplete = 0;
    for (const [n, inst] of free.slice(0, FAMILIES).entries()) {
      const symbol = inst.symbol;
      paper.control.movePrice(symbol, 3);
      const tick = inst.tickSize;
      const tp = Number((Math.round((paper.control.price(symbol) * 1.1) / tick) * tick).toFixed(10));
      for (const [what, action] of [
        ['close', { kind: 'close', percent: 50 }],
        ['breakEven', { kind: 'sl-break-even' }],
        ['editTpSl', { kind: 'set-tpsl', takeProfit: tp }],
      ] as const) {
        // The popup reads the positions when it shows what the action will do (untimed: the trader reads
        // it); the action plans from that read if it is a few seconds old, so it costs one round trip.
        const preview = await fetch(`${c.url}/api/v1/trading/positions?use_cache=false`, {
          headers: { authorization: `Bearer ${c.token}` },
        });
        await preview.arrayBuffer();
        const r = await post({ idempotencyKey: `bench-act-${what}-${n}`, symbol, side: 'long', action });
        times[what].push(r.ms);
        if (r.body.status !== 'complete') notComplete++;
      }
    }
    // One key 20 times at once: one close per account on the exchange.
    const burst = free[FAMILIES]!.symbol;
    const before = paper.control.getStats().byEndpoint['/v5/order/create'] ?? 0;
    const key = 'bench-act-burst';
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        post({ idempotencyKey: key, symbol: burst, side: 'long', action: { kind: 'close', percent: 50 } }),
      ),
    );
    const creates = (paper.control.getStats().byEndpoint['/v5/order/create'] ?? 0) - before;
    const onBook = paper.engine.accounts.filter((a) => a.linkIds.has(clientOrderId(key, a.name, 'close'))).length;
    const stat = (xs: number[]) => ({
      p50Ms: round(percentile(xs, 50)),
      p99Ms: round(percentile(xs, 99)),
      n: xs.length,
    });
    return {
      positions,
      accounts: c.accounts.length,
      paperLatencyMs: 100,
      close: stat(times.close),
      slBreakEven: stat(times.breakEven),
      editTpSl: stat(times.editTpSl),
      notComplete,
      burstExecutions: new Set(answers.map((a) => a.body.executionId)).size,
      burstOrderCreates: creates,
      burstAccountsWithTheOrder: onBook,
      duplicates: Math.max(0, creates - c.accounts.length),
    };
  } finally {
    await c.close();
  }
}
