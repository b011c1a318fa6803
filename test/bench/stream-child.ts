import { type PaperExchange, startPaperExchange } from '../../companion/src/paper/index.ts';

/**
 * The paper exchange for `pnpm bench stream`, in its own process so its CPU is its own (process.cpuUsage)
 * and not mixed with the ccxt pro clients'. Driven over IPC; every state change is stamped on the shared
 * timeline (performance.timeOrigin + now) just before it is made.
 */

type Msg =
  | { type: 'start'; opts: Record<string, unknown> }
  | { type: 'latency'; fixedMs: number }
  | { type: 'stop'; account: string; symbol: string; k: number }
  | { type: 'price'; symbol: string; k: number }
  | { type: 'cpu' }
  | { type: 'close' };

const now = () => performance.timeOrigin + performance.now();
let ex: PaperExchange | null = null;
const reply = (m: Record<string, unknown>) => process.send?.(m);

process.on('message', async (m: Msg) => {
  try {
    if (m.type === 'start') {
      ex = await startPaperExchange(m.opts);
      return reply({ type: 'ready', url: ex.url, accounts: ex.accounts });
    }
    const e = ex as PaperExchange;
    if (m.type === 'latency') {
      e.control.setStreamLatency({ fixedMs: m.fixedMs, jitterMs: 0 });
      return reply({ type: 'ok' });
    }
    if (m.type === 'stop') {
      // A stop-loss edit that alternates between two levels, far from the mark: a pure state change.
      const acc = e.engine.account(m.account)!;
      const pos = acc.positions.get(m.symbol)!;
      const inst = e.engine.instrument(m.symbol)!;
      const mark = e.engine.mark(m.symbol);
      const f = pos.side === 'Buy' ? 0.5 - 0.01 * (m.k % 2) : 1.5 + 0.01 * (m.k % 2);
      const sl = Number((Math.round((mark * f) / inst.tickSize) * inst.tickSize).toFixed(inst.priceDecimals));
      const at = now();
      e.engine.setTradingStop(acc, m.symbol, { stopLoss: sl });
      return reply({ type: 'changed', at, value: sl });
    }
    if (m.type === 'price') {
      const mark = e.control.price(m.symbol);
      const inst = e.engine.instrument(m.symbol)!;
      const target = mark + (m.k % 2 === 0 ? 3 : -3) * inst.tickSize;
      const at = now();
      const price = e.control.setPrice(m.symbol, target);
      return reply({ type: 'changed', at, value: price });
    }
    if (m.type === 'cpu') {
      const s = e.control.getStats().streams;
      return reply({ type: 'cpu', usage: process.cpuUsage(), messages: s.messages, byTopic: s.byTopic, wall: now() });
    }
    if (m.type === 'close') {
      await e.close();
      process.exit(0);
    }
  } catch (err) {
    reply({ type: 'error', error: String((err as Error).stack ?? err) });
  }
});
