import type { LegResult } from '@tierwatch/shared';
import type { FinishedRecord, IntentRecord, LegRecord } from '../src/execution/journal/records.ts';
import { type JournalFile, type OpenJournalFile, openNodeFile } from '../src/execution/journal/writer.ts';

// Records in the shape the service writes, and a disk that fills up, for the journal's tests.

const ACCOUNTS = ['main', 'mirror1', 'mirror2'];

const leg = (account: string, status: LegResult['status'], filled = 0): LegResult => ({
  account,
  clientOrderId: `tw-${account.padEnd(30, '0')}`,
  status,
  orderId: status === 'pending' ? null : `${account}-order`,
  qty: 0.01,
  filledQty: filled,
  avgPrice: filled > 0 ? 50_000 : null,
  takeProfit: 52_000,
  stopLoss: 48_000,
  error: null,
});

export function intent(executionId: string, at = 1): IntentRecord {
  const idempotencyKey = `key-${executionId}`;
  return {
    v: 1,
    type: 'intent',
    at,
    executionId,
    idempotencyKey,
    requestHash: 'abcdef0123456789abcdef0123456789',
    request: { idempotencyKey, symbol: 'BTCUSDT', side: 'long', orderType: 'market', quantity: 0.01 },
    result: {
      executionId,
      idempotencyKey,
      status: 'pending',
      symbol: 'BTCUSDT',
      side: 'long',
      orderType: 'market',
      startedAt: at,
      finishedAt: null,
      adjustments: [],
      legs: ACCOUNTS.map((a) => leg(a, 'pending')),
      recovery: null,
    },
  };
}

export const legRecord = (
  executionId: string,
  account: string,
  status: LegResult['status'],
  filled = 0,
): LegRecord => ({
  v: 1,
  type: 'leg',
  at: 2,
  executionId,
  leg: leg(account, status, filled),
});

export function finished(executionId: string, at = 1): FinishedRecord {
  const i = intent(executionId, at);
  return {
    v: 1,
    type: 'finished',
    at: at + 1,
    executionId,
    result: { ...i.result, status: 'complete', finishedAt: at + 1, legs: ACCOUNTS.map((a) => leg(a, 'placed')) },
  };
}

/** What the service writes for one market execution: intent, legs, final record, then the fills read back. */
export const wholeExecution = (executionId: string, at = 1) => [
  intent(executionId, at),
  ...ACCOUNTS.map((a) => legRecord(executionId, a, 'placed')),
  finished(executionId, at),
  ...ACCOUNTS.map((a) => legRecord(executionId, a, 'filled', 0.01)),
];

/**
 * The real file, on a disk with `free()` bytes left: a write takes what fits (a short count, as write(2) on
 * a full disk does) and throws ENOSPC when nothing does. `fail` makes the named operation throw once.
 */
export function fillingDisk(budget: { free: number; fail?: 'sync' | 'truncate' | null }): OpenJournalFile {
  return async (file) => {
    const real: JournalFile = await openNodeFile(file);
    const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    return {
      ...real,
      async write(buf, offset, length, position) {
        if (budget.free <= 0) throw enospc();
        const n = Math.min(length, budget.free);
        const written = await real.write(buf, offset, n, position);
        budget.free -= written;
        return written;
      },
      async sync() {
        if (budget.fail === 'sync') {
          budget.fail = null;
          throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
        }
        return real.sync();
      },
      async truncate(size) {
        if (budget.fail === 'truncate') {
          budget.fail = null;
          throw Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' });
        }
        return real.truncate(size);
      },
    };
  };
}
