import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal, type JournalRecord, readJournal } from './journal.ts';

const intent = (executionId: string): JournalRecord => ({
  v: 1,
  type: 'intent',
  at: 1,
  executionId,
  idempotencyKey: `key-${executionId}`,
  requestHash: 'h',
  request: {
    idempotencyKey: `key-${executionId}`,
    symbol: 'BTCUSDT',
    side: 'long',
    orderType: 'market',
    quantity: 0.01,
  },
  result: {
    executionId,
    idempotencyKey: `key-${executionId}`,
    status: 'pending',
    symbol: 'BTCUSDT',
    side: 'long',
    orderType: 'market',
    startedAt: 1,
    finishedAt: null,
    adjustments: [],
    legs: [],
    recovery: null,
  },
});

describe('Journal', () => {
  it('a record appended after a torn last line (crash mid-write) is readable on the next start', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tw-journal-')), 'executions.jsonl');
    writeFileSync(file, `${JSON.stringify(intent('ex_a'))}\n{"v":1,"type":"leg","at":1,"execu`);
    const j = await Journal.open(file);
    await j.append(intent('ex_b'));
    await j.close();
    const loaded = readJournal(file);
    expect([...loaded.executions.keys()]).toEqual(['ex_a', 'ex_b']);
    expect(loaded.skipped).toBe(1);
  });
});
