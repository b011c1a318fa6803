import { linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingError } from '../config/load.ts';
import { type Logger, silentLogger } from '../core/logger.ts';

/**
 * One companion per data dir. Two on one dir would share one pairing token and append to one execution
 * journal, each recovering the other's in-flight executions as its own: orders placed twice. The lock is a
 * file in the data dir holding the owner's pid, created exclusively and held for the process's life.
 *
 * Why this file rather than `proper-lockfile`: that library decides staleness by the lock's mtime,
 * which its owner must refresh on a timer. A companion killed with SIGKILL (the crash loop does it on purpose)
 * would then block the restart until the stale time passes, and a short stale time would let a companion whose
 * event loop is busy be mistaken for a dead one. On one machine the kernel already knows whether the owner
 * lives (`process.kill(pid, 0)`), at once and exactly, and the pid is what the refusal must name anyway.
 * Not covered: a data dir shared between machines or pid namespaces (a pid there means nothing here).
 */

export const LOCK_FILE = 'companion.lock';

export interface DataDirLock {
  readonly path: string;
  readonly pid: number;
  /** Removes the lock if it is still ours. Idempotent; also runs at process exit if never called. */
  release(): void;
}

export interface LockOptions {
  logger?: Logger;
  /** The owner to record (default: this process). */
  pid?: number;
  /** Whether a recorded owner still runs (default: signal 0, which checks without signalling). */
  isAlive?: (pid: number) => boolean;
}

/** Signal 0 checks existence only. EPERM: it exists but belongs to another user, so it is alive. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const code = (err: unknown) => (err as NodeJS.ErrnoException).code ?? String(err);

/** Creates the data dir (0700) if missing; refuses a path that is not a directory or cannot be created. */
export function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    // EEXIST: something that is not a directory is there; stat below says what.
    if (code(err) !== 'EEXIST') throw settingError('dataDir', dir, `cannot create it (${code(err)})`);
  }
  if (!statSync(dir).isDirectory()) throw settingError('dataDir', dir, 'is a file, not a directory');
}

/** The pid a lock file records; null for a file without one (hand-made or torn), undefined for no file. */
function holderOf(path: string): number | null | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (code(err) === 'ENOENT') return undefined;
    throw err;
  }
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
}

/**
 * Prepares `dir` and takes its lock, or throws a ConfigError naming the dir and the pid that holds it. A lock
 * whose owner no longer runs (a crash, a kill) is taken over, with a log line.
 */
export function lockDataDir(dir: string, opts: LockOptions = {}): DataDirLock {
  const logger = opts.logger ?? silentLogger;
  const pid = opts.pid ?? process.pid;
  const isAlive = opts.isAlive ?? pidAlive;
  prepareDataDir(dir);
  const path = join(dir, LOCK_FILE);
  const held = (holder: number) =>
    settingError(
      'dataDir',
      dir,
      `in use by another companion (pid ${holder}${holder === pid ? ', this process' : ''}, lock file ${path}); stop it or give this one another dataDir`,
    );

  // The pid is written to a file of our own first (O_EXCL) and then linked to the lock's name, which fails if
  // the name exists: exclusive like O_EXCL, and the lock is never seen empty, so a lock without a pid is
  // never a companion half-way through writing it and can be judged stale.
  const mine = join(dir, `${LOCK_FILE}.${pid}.tmp`);
  try {
    unlinkSync(mine);
  } catch {}
  try {
    writeFileSync(mine, `${pid}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    throw settingError('dataDir', dir, `not writable (${code(err)})`);
  }
  try {
    // A takeover races at most a few times with other starts; past that something else rewrites the file.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(mine, path);
        return holdLock(path, pid);
      } catch (err) {
        if (code(err) !== 'EEXIST') throw settingError('dataDir', dir, `cannot create ${path} (${code(err)})`);
      }
      const holder = holderOf(path);
      if (holder === undefined) continue; // released in between: try again
      if (holder !== null && isAlive(holder)) throw held(holder);
      // Stale. Move it aside first: a rename is atomic, so of two companions taking the same stale lock over,
      // one moves it and the other finds nothing. What was moved is checked: if it is no longer the stale lock
      // judged above (another start took it over in between), it is put back and that owner named.
      const aside = join(dir, `${LOCK_FILE}.${pid}.stale`);
      try {
        renameSync(path, aside);
      } catch (err) {
        if (code(err) === 'ENOENT') continue;
        throw err;
      }
      const moved = holderOf(aside);
      if (moved !== holder) {
        try {
          linkSync(aside, path);
        } catch {}
        unlinkSync(aside);
        if (moved !== null && moved !== undefined && isAlive(moved)) throw held(moved);
        continue;
      }
      unlinkSync(aside);
      logger.warn({ stalePid: holder, path }, 'took over a stale data dir lock (its companion no longer runs)');
    }
    throw settingError('dataDir', dir, `cannot take the lock ${path}: it keeps changing`);
  } finally {
    unlinkSync(mine);
  }
}

function holdLock(path: string, pid: number): DataDirLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    // Only our own: after a takeover the file may name someone else, whose lock this must not remove.
    if (holderOf(path) === pid) unlinkSync(path);
  };
  // A process that exits without closing the companion (process.exit on an error) still frees the dir.
  process.on('exit', release);
  return { path, pid, release };
}
