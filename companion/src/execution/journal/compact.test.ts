import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { intent, legRecord, wholeExecution } from '../../../test-support/journal.ts';
import { silentLogger } from '../../core/logger.ts';
import { compactJournal } from './compact.ts';
import { loadJournal } from './load.ts';
import { serialize } from './records.ts';

const DAY = 86_400_000;
const NOW = 100 * DAY;

function journalOf(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tw-compact-')), 'executions.jsonl');
  const lines = [
    ...wholeExecution('ex_old', NOW - 40 * DAY), // finished, past a 30-day retention
    ...wholeExecution('ex_a', NOW - DAY),
    serialize(intent('ex_open', NOW - 50 * DAY)), // unfinished: kept whatever its age
    serialize(legRecord('ex_open', 'main', 'placed')),
    'null',
    ...wholeExecution('ex_b', NOW - 1000),
  ].map((r) => (typeof r === 'string' ? r : serialize(r)));
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

const always = { now: NOW, retentionMs: 30 * DAY, minWasteBytes: 0, minWasteRatio: 0 };

describe('compactJournal', () => {
  it('keeps what answers and recovery need, drops the rest, and the next load answers the same', async () => {
    const file = journalOf();
    const before = await loadJournal(file, silentLogger);
    const answers = (j: typeof before) => ({
      a: j.past.result('ex_a'),
      b: j.past.result('ex_b'),
      open: j.unfinished.get('ex_open')?.result,
      keys: ['key-ex_a', 'key-ex_b', 'key-ex_open', 'key-ex_old'].map((k) => j.past.binding(k)?.executionId ?? null),
    });
    const want = answers(before);
    const report = compactJournal(before, always, silentLogger);
    expect(report).toMatchObject({ compacted: true, expired: 1 });
    expect(report.bytesAfter).toBe(statSync(file).size);
    expect(report.bytesAfter).toBeLessThan(report.bytesBefore * 0.6);
    expect(want.keys).toEqual(['ex_a', 'ex_b', null, 'ex_old']); // the unfinished one is bound in the service
    expect(answers(before)).toEqual({ ...want, keys: ['ex_a', 'ex_b', null, null] }); // ex_old's key forgotten
    // The index read right after compaction (new positions) and a fresh load agree.
    const after = await loadJournal(file, silentLogger);
    expect(after.skipped).toEqual([]);
    expect(answers(after)).toEqual(answers(before));
    expect(after.unfinished.get('ex_open')!.result.legs[0]!.status).toBe('placed');
    expect(readdirSync(dirname(file))).toEqual(['executions.jsonl']); // no temporary file left
  });

  it('leaves a mostly live journal alone', async () => {
    const file = journalOf();
    const text = readFileSync(file, 'utf8');
    const j = await loadJournal(file, silentLogger);
    expect(compactJournal(j, { now: NOW, retentionMs: 365 * DAY }, silentLogger).compacted).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});
