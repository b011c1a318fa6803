import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecuteRequest, ExecuteResult } from '@tierwatch/shared';
import { CompanionConfig, type CompanionConfigInput } from '../../companion/src/config/index.ts';
import { silentLogger } from '../../companion/src/core/logger.ts';
import type { PaperExchange } from '../../companion/src/paper/index.ts';
import { type RunningCompanion, startCompanion } from '../../companion/src/runtime.ts';

/** Main plus two mirrors on the embedded paper exchange, in process: for execution tests and the benchmark. */
export async function startTrio(
  over: Partial<CompanionConfigInput> & { env?: NodeJS.ProcessEnv } = {},
): Promise<RunningCompanion> {
  const { env, ...rest } = over;
  const config = CompanionConfig.parse({
    server: { port: 0 },
    dataDir: mkdtempSync(join(tmpdir(), 'tw-exec-it-')),
    log: { level: 'silent' },
    accounts: [
      { name: 'main', role: 'main' },
      { name: 'mirror1', role: 'mirror', mirrorRatio: 0.5 },
      { name: 'mirror2', role: 'mirror', mirrorRatio: 2 },
    ],
    ...rest,
  });
  return startCompanion(config, { logger: silentLogger, env });
}

/** A market long on `symbol` with TP +5% and SL -4% of `mark`, on the instrument's tick, worth ~10 USDT. */
export function longOrder(
  inst: { tickSize: number; qtyStep: number; minQty: number },
  mark: number,
  symbol: string,
  key: string,
): ExecuteRequest {
  const tick = (x: number) => Number((Math.round(x / inst.tickSize) * inst.tickSize).toFixed(10));
  const steps = Math.ceil(10 / mark / inst.qtyStep);
  return {
    idempotencyKey: key,
    symbol,
    side: 'long',
    orderType: 'market',
    quantity: Math.max(inst.minQty, Number((steps * inst.qtyStep).toFixed(10))),
    takeProfit: tick(mark * 1.05),
    stopLoss: tick(mark * 0.96),
  };
}

export function marketLong(
  c: { paper: PaperExchange | null; exchange: RunningCompanion['exchange'] },
  symbol: string,
  key: string,
): ExecuteRequest {
  return longOrder(c.exchange.market.instrument(symbol)!, c.paper!.control.price(symbol), symbol, key);
}

export async function postExecute(
  c: { url: string; token: string },
  req: ExecuteRequest,
): Promise<{ status: number; body: ExecuteResult }> {
  const res = await fetch(`${c.url}/api/v1/trading/execute`, {
    method: 'POST',
    headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(req),
  });
  return { status: res.status, body: (await res.json()) as ExecuteResult };
}

/** Accepted orders per account whose client id is one of `ids` (the exchange's own book, not our records). */
export function ordersOnExchange(paper: PaperExchange, ids: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const acc of paper.engine.accounts) out[acc.name] = ids.filter((id) => acc.linkIds.has(id)).length;
  return out;
}

/**
 * Gaps between the monitor's consecutive checks of a CRITICAL position held on `account`, inside [from, to]:
 * every critical-lane call whose answer carried its price (the shared ticker call, or a read of that
 * account's position page, which carries mark prices too).
 */
export function criticalGaps(c: RunningCompanion, account: string, from: number, to: number): number[] {
  const at = c.exchange.counter
    .since(from - 5000)
    .filter(
      (r) =>
        r.lane === 'critical' &&
        (r.endpoint === 'market/tickers' || (r.endpoint === 'position/list' && r.account === account)),
    )
    .map((r) => r.at);
  const before = at.filter((t) => t < from).at(-1) ?? from;
  const inside = at.filter((t) => t >= from && t <= to);
  const after = at.find((t) => t > to) ?? to;
  const points = [before, ...inside, after];
  return points.slice(1).map((t, i) => t - points[i]!);
}

/** Moves `symbol`'s price to within 0.5% of main's first position's SL there, so it is CRITICAL. */
export function makeCritical(paper: PaperExchange): { symbol: string; price: number } {
  const p = paper.control.positions('main').find((x) => x.stopLoss !== null)!;
  const price = p.side === 'long' ? p.stopLoss! * 1.005 : p.stopLoss! * 0.995;
  return { symbol: p.symbol, price: paper.control.setPrice(p.symbol, price) };
}
