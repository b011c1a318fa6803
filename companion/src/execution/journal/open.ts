import type { Logger } from '../../core/logger.ts';
import { compactJournal } from './compact.ts';
import { type LoadedJournal, loadJournal } from './load.ts';
import { Journal, type OpenJournalFile } from './writer.ts';

/**
 * Start-up's journal sequence: read it (streaming, into the index), compact it when much of it is dead,
 * then open it for appending. Logged once with what it found and how long it took.
 */
export async function openJournal(
  file: string,
  opts: { now: number; retentionMs: number; openFile?: OpenJournalFile; log: Logger },
): Promise<{ journal: Journal; loaded: LoadedJournal }> {
  const t0 = performance.now();
  const loaded = await loadJournal(file, opts.log);
  const compacted = compactJournal(loaded, { now: opts.now, retentionMs: opts.retentionMs }, opts.log);
  opts.log.info(
    {
      file,
      bytes: loaded.bytes,
      unfinished: loaded.unfinished.size,
      compacted: compacted.compacted,
      ms: Math.round(performance.now() - t0),
    },
    'journal read',
  );
  const journal = await Journal.open(file, { openFile: opts.openFile });
  return { journal, loaded };
}
