import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finished, intent, legRecord, wholeExecution } from '../../../test-support/journal.ts';
import { silentLogger } from '../../core/logger.ts';
import { loadJournal } from './load.ts';
import { newHeader, readHeader, serialize } from './records.ts';

const fileWith = (lines: string[]) => {
  const file = join(mkdtempSync(join(tmpdir(), 'tw-journal-')), 'executions.jsonl');
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  return file;
};
const json = (x: unknown) => JSON.stringify(x);

describe('loadJournal: lines of the wrong shape', () => {
  const good = serialize(intent('ex_a'));
  const { result: _dropped, ...noResult } = intent('ex_b');
  const { leg: _leg, ...noLeg } = legRecord('ex_a', 'main', 'placed');
  const table: [string, string, RegExp][] = [
    ['null', 'null', /not a journal record/],
    ['an array', '[]', /not a journal record/],
    ['not JSON', '{"v":1,"type":"intent"', /not JSON/],
    ['a leg record without its leg', json(noLeg), /leg/],
    ['an unknown record type', json({ v: 1, type: 'other', at: 1, executionId: 'ex_a' }), /type/],
    ['another version', json({ ...legRecord('ex_a', 'main', 'placed'), v: 2 }), /v/],
    ['a leg with a bad status', json(legRecord('ex_a', 'main', 'lost' as 'placed')), /leg\.status/],
    ['a leg of an execution with no intent', serialize(legRecord('ex_zz', 'main', 'placed')), /no intent before it/],
    ['a second intent for the same execution', good, /a second intent/],
    ['a torn line with the next one glued on', `${good.slice(0, 300)}${good}`, /not JSON/],
  ];
  it.each(table)('%s is skipped and named by its line number', async (_name, bad, reason) => {
    const warnings: unknown[] = [];
    const log = { ...silentLogger, warn: (o: unknown) => warnings.push(o) } as unknown as typeof silentLogger;
    const loaded = await loadJournal(fileWith([good, serialize(legRecord('ex_a', 'mirror1', 'placed')), bad]), log);
    expect(loaded.skipped).toEqual([{ line: 3, reason: expect.stringMatching(reason) }]);
    expect(warnings).toEqual([expect.objectContaining({ line: 3, file: expect.stringMatching(/executions\.jsonl$/) })]);
    expect(loaded.unfinished.get('ex_a')!.result.legs.map((l) => l.status)).toEqual(['pending', 'placed', 'pending']);
  });

  it('an unfinished intent without a result is skipped (nothing to recover), not a crash', async () => {
    const loaded = await loadJournal(fileWith([json(noResult)]), silentLogger);
    expect(loaded.unfinished.size).toBe(0);
    expect(loaded.skipped).toEqual([{ line: 1, reason: expect.stringMatching(/intent of ex_b: result/) }]);
  });

  it('a finished intent without a result still answers, from its final record', async () => {
    const loaded = await loadJournal(fileWith([json(noResult), serialize(finished('ex_b'))]), silentLogger);
    expect(loaded.past.result('ex_b')?.status).toBe('complete');
    expect(loaded.skipped).toEqual([]);
  });

  it('a damaged final record is named when read and answered as unreadable, never as something else', async () => {
    const bad = serialize(finished('ex_a')).replace('"status":"complete"', '"status":"done"');
    const loaded = await loadJournal(fileWith([serialize(intent('ex_a')), bad]), silentLogger);
    expect(loaded.past.binding('key-ex_a')).toEqual({ executionId: 'ex_a', requestHash: intent('ex_a').requestHash });
    expect(loaded.past.result('ex_a')).toBeUndefined();
    expect(loaded.past.whyUnreadable('ex_a')).toMatch(/line 2 of .*executions\.jsonl: result\.status/);
  });
});

describe('loadJournal: the index', () => {
  it('a finished execution is its final record with the legs read back after it', async () => {
    const loaded = await loadJournal(fileWith(wholeExecution('ex_a').map(serialize)), silentLogger);
    expect(loaded.unfinished.size).toBe(0);
    const r = loaded.past.result('ex_a')!;
    expect(r.status).toBe('complete');
    expect(r.legs.map((l) => [l.status, l.filledQty])).toEqual([
      ['filled', 0.01],
      ['filled', 0.01],
      ['filled', 0.01],
    ]);
    // Indexed: where the final record is and where the execution's last line ends (the fills lie between).
    const lines = wholeExecution('ex_a').map((r) => `${serialize(r)}\n`);
    const at = (n: number) => lines.slice(0, n).join('').length;
    expect(loaded.table.finished(0)).toEqual({ offset: at(4), length: lines[4]!.length - 1, line: 5 });
    expect(loaded.table.afterFinished(0)).toEqual({ from: at(5), to: at(8) - 1 });
  });

  it('lines in another key order or with escapes (an older writer) are parsed in full and count the same', async () => {
    const i = intent('ex_a');
    const reordered = json(Object.fromEntries(Object.entries(i).reverse()));
    const loaded = await loadJournal(fileWith([reordered, json(finished('ex_a'))]), silentLogger);
    expect(loaded.past.result('ex_a')?.status).toBe('complete');
    expect(loaded.past.binding('key-ex_a')?.executionId).toBe('ex_a');
  });

  it('reads lines across chunk boundaries the same as whole', async () => {
    const lines = Array.from({ length: 300 }, (_, k) => wholeExecution(`ex_${k}`, k + 1).map(serialize)).flat();
    const loaded = await loadJournal(fileWith(lines), silentLogger);
    expect(loaded.past.size).toBe(300);
    expect(loaded.past.newest(3).map((r) => r.executionId)).toEqual(['ex_299', 'ex_298', 'ex_297']);
  });
});

describe('readHeader', () => {
  const b = (s: string) => Buffer.from(s);
  const table: [string, string, unknown][] = [
    ['an intent', serialize(intent('ex_a', 7)), { type: 'intent', at: 7, id: 'ex_a', key: 'key-ex_a' }],
    ['a leg', serialize(legRecord('ex_a', 'mirror1', 'placed')), { type: 'leg', id: 'ex_a', account: 'mirror1' }],
    ['a final record', serialize(finished('ex_a')), { type: 'finished', id: 'ex_a' }],
    ['null', 'null', null],
    ['a torn line', serialize(intent('ex_a')).slice(0, 200), null],
    ['an escaped id', serialize(intent('ex_a')).replace('"executionId":"ex_a"', '"executionId":"ex\\u005fa"'), null],
  ];
  it.each(table)('%s', (_name, line, want) => {
    const buf = b(line);
    const h = newHeader();
    const ok = readHeader(buf, 0, buf.length, h);
    if (want === null) return expect(ok).toBe(false);
    expect(ok).toBe(true);
    const text = (r: [number, number]) => buf.toString('latin1', r[0], r[1]);
    expect({ type: h.type, at: h.at, id: text(h.id), key: text(h.key), account: text(h.account) }).toMatchObject(
      want as object,
    );
  });
});
