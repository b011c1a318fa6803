import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fillingDisk, intent } from '../../../test-support/journal.ts';
import { silentLogger } from '../../core/logger.ts';
import { loadJournal } from './load.ts';
import { serialize } from './records.ts';
import { Journal, JournalWriteError } from './writer.ts';

const fileIn = () => join(mkdtempSync(join(tmpdir(), 'tw-journal-')), 'executions.jsonl');
const lineOf = (id: string) => `${serialize(intent(id))}\n`;
const rejection = async (p: Promise<unknown>) =>
  p.then(
    () => new Error('resolved'),
    (e: unknown) => e,
  );

describe('Journal', () => {
  it('a torn last line (crash mid-write) is skipped on load and cut off at open; the next record reads back', async () => {
    const file = fileIn();
    writeFileSync(file, `${lineOf('ex_a')}{"v":1,"type":"leg","at":1,"execu`);
    const before = await loadJournal(file, silentLogger);
    expect(before.skipped).toEqual([{ line: 2, reason: expect.stringMatching(/torn/) }]);
    const j = await Journal.open(file);
    expect(statSync(file).size).toBe(lineOf('ex_a').length);
    await j.append(intent('ex_b'));
    await j.close();
    const loaded = await loadJournal(file, silentLogger);
    expect([...loaded.unfinished.keys()]).toEqual(['ex_a', 'ex_b']);
    expect(loaded.skipped).toEqual([]);
  });

  it('a disk that fills in the middle of a line: the append rejects, the file is cut back, later appends work', async () => {
    const file = fileIn();
    const disk = { free: lineOf('ex_a').length + 300 };
    const j = await Journal.open(file, { openFile: fillingDisk(disk) });
    await j.append(intent('ex_a'));
    // 300 bytes free for a ~900-byte line: write(2) takes 300, then refuses the rest.
    const err = await rejection(j.append(intent('ex_b')));
    expect(err).toBeInstanceOf(JournalWriteError);
    expect((err as Error).message).toMatch(/executions\.jsonl: the disk is full/);
    expect(readFileSync(file, 'utf8')).toBe(lineOf('ex_a'));
    disk.free = 1_000_000; // space freed
    await j.append(intent('ex_c'));
    await j.close();
    const loaded = await loadJournal(file, silentLogger);
    expect([...loaded.unfinished.keys()]).toEqual(['ex_a', 'ex_c']);
    expect(loaded.skipped).toEqual([]);
  });

  it('every append of a batch that did not fit rejects; none of it stays in the file', async () => {
    const file = fileIn();
    const disk = { free: lineOf('ex_a').length * 2 + 10 };
    const j = await Journal.open(file, { openFile: fillingDisk(disk) });
    const first = j.append(intent('ex_a'));
    // Queued while the first is being written: these go together in the next write.
    const batch = [j.append(intent('ex_b')), j.append(intent('ex_c'))];
    await first;
    for (const p of batch) expect(await rejection(p)).toBeInstanceOf(JournalWriteError);
    expect(readFileSync(file, 'utf8')).toBe(lineOf('ex_a'));
  });

  it('a failed fsync fails the append too, and a failed cut-back is redone before the next write', async () => {
    const file = fileIn();
    const disk: { free: number; fail?: 'sync' | 'truncate' | null } = { free: 1_000_000, fail: 'sync' };
    const j = await Journal.open(file, { openFile: fillingDisk(disk) });
    disk.fail = 'sync';
    expect(await rejection(j.append(intent('ex_a')))).toBeInstanceOf(JournalWriteError);
    expect(readFileSync(file, 'utf8')).toBe('');
    disk.free = 200;
    disk.fail = null;
    const p = j.append(intent('ex_b'));
    disk.fail = 'truncate'; // the cut-back after the short write fails: the torn bytes stay for now
    expect(await rejection(p)).toBeInstanceOf(JournalWriteError);
    disk.free = 1_000_000;
    await j.append(intent('ex_c'));
    await j.close();
    expect(readFileSync(file, 'utf8')).toBe(lineOf('ex_c'));
  });
});
