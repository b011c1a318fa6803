import { closeSync, createWriteStream, fsyncSync, openSync } from 'node:fs';
import type { ExecuteRequest, ExecuteResult, LegResult } from '@tierwatch/shared';
import { clientOrderId, requestHash } from '../../companion/src/execution/index.ts';
import { type JournalRecord, serialize } from '../../companion/src/execution/journal/index.ts';

/**
 * A journal of `count` finished market executions in the format the companion writes (intent, one leg per
 * account, final record, the fills read back), one every `spacingMs` up to `now`, written without the
 * companion: for the big-journal start bench. Returns the keys and ids of a few for spot checks.
 */
export async function writeJournal(
  file: string,
  opts: { count: number; now: number; spacingMs: number; accounts: readonly string[] },
): Promise<{ bytes: number; samples: { executionId: string; request: ExecuteRequest }[] }> {
  const out = createWriteStream(file, { mode: 0o600 });
  let bytes = 0;
  let pending: string[] = [];
  const flush = async () => {
    const chunk = pending.join('');
    pending = [];
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  };
  const samples: { executionId: string; request: ExecuteRequest }[] = [];
  for (let i = 0; i < opts.count; i++) {
    const at = opts.now - (opts.count - i) * opts.spacingMs;
    const executionId = `ex_${i.toString(36).padStart(16, '0')}`;
    const key = `bench-${i.toString(36).padStart(10, '0')}`;
    const request: ExecuteRequest = {
      idempotencyKey: key,
      symbol: i % 2 === 0 ? 'BTCUSDT' : 'ETHUSDT',
      side: i % 3 === 0 ? 'short' : 'long',
      orderType: 'market',
      quantity: 0.01,
      takeProfit: i % 3 === 0 ? 48_000 : 52_000,
      stopLoss: i % 3 === 0 ? 52_000 : 48_000,
    };
    const leg = (account: string, k: number, status: LegResult['status']): LegResult => ({
      account,
      clientOrderId: clientOrderId(key, account),
      status,
      orderId: status === 'pending' ? null : `${(1_000_000_000 + i * 7 + k).toString(16)}-9a3c-4f1e-8b2d-5e6f7a8b9c0d`,
      qty: 0.01 * (k + 1),
      filledQty: status === 'filled' ? 0.01 * (k + 1) : 0,
      avgPrice: status === 'filled' ? 50_012.5 : null,
      takeProfit: request.takeProfit ?? null,
      stopLoss: request.stopLoss ?? null,
      error: null,
    });
    const result: ExecuteResult = {
      executionId,
      idempotencyKey: key,
      status: 'pending',
      symbol: request.symbol,
      side: request.side,
      orderType: 'market',
      startedAt: at,
      finishedAt: null,
      adjustments: [],
      legs: opts.accounts.map((a, k) => leg(a, k, 'pending')),
      recovery: null,
    };
    const records: JournalRecord[] = [
      {
        v: 1,
        type: 'intent',
        at,
        executionId,
        idempotencyKey: key,
        requestHash: requestHash(request),
        request,
        result,
      },
      ...opts.accounts.map(
        (a, k): JournalRecord => ({ v: 1, type: 'leg', at: at + 80, executionId, leg: leg(a, k, 'placed') }),
      ),
      {
        v: 1,
        type: 'finished',
        at: at + 90,
        executionId,
        result: {
          ...result,
          status: 'complete',
          finishedAt: at + 90,
          legs: opts.accounts.map((a, k) => leg(a, k, 'placed')),
        },
      },
      ...opts.accounts.map(
        (a, k): JournalRecord => ({ v: 1, type: 'leg', at: at + 400, executionId, leg: leg(a, k, 'filled') }),
      ),
    ];
    for (const r of records) pending.push(`${serialize(r)}\n`);
    if (i % 997 === 0 && samples.length < 20) samples.push({ executionId, request });
    if (pending.length > 4000) await flush();
  }
  await flush();
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  // On disk before anything is timed: the start must not compete with the write-back of the file.
  const fd = openSync(file, 'r');
  fsyncSync(fd);
  closeSync(fd);
  return { bytes, samples };
}
