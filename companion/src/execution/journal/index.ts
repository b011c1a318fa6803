/**
 * The execution journal: records.ts (the lines and their schemas), writer.ts (appending, whole lines or
 * none), load.ts (the streaming start-up read and its index), past.ts (finished executions, read on
 * demand), compact.ts (rewriting the live set at open), open.ts (the three in start-up's order).
 */
export { type CompactOptions, type CompactReport, compactJournal } from './compact.ts';
export { type JournaledExecution, type LoadedJournal, loadJournal, type SkippedLine } from './load.ts';
export { openJournal } from './open.ts';
export { PastExecutions } from './past.ts';
export { FinishedRecord, IntentRecord, JournalRecord, LegRecord, parseRecord, serialize } from './records.ts';
export { ExecutionTable } from './table.ts';
export { Journal, type JournalFile, JournalWriteError, type OpenJournalFile, openNodeFile } from './writer.ts';
