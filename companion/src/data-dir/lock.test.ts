import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/index.ts';
import { createLogger } from '../core/logger.ts';
import { type DataDirLock, LOCK_FILE, lockDataDir, pidAlive } from './index.ts';

const fresh = () => mkdtempSync(join(tmpdir(), 'tierwatch-lock-unit-'));
const lockIn = (dir: string) => join(dir, LOCK_FILE);
const recorded = (dir: string) => readFileSync(lockIn(dir), 'utf8').trim();

/** A pid that ran and has ended: a child that exits at once (reaped by spawnSync, so no zombie). */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '']).pid;
  expect(pidAlive(pid)).toBe(false);
  return pid;
}

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

const locks: DataDirLock[] = [];
const take = (dir: string, opts?: Parameters<typeof lockDataDir>[1]) => {
  const lock = lockDataDir(dir, opts);
  locks.push(lock);
  return lock;
};
afterEach(() => {
  for (const l of locks.splice(0)) l.release();
});

describe('lockDataDir', () => {
  it('creates the dir (0700) and a lock holding our pid, removed on release, leaving no other file', () => {
    const dir = join(fresh(), 'state', 'tierwatch');
    const lock = take(dir);
    expect(recorded(dir)).toBe(String(process.pid));
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
    if (process.platform !== 'win32') expect(statSync(dir).mode & 0o777).toBe(0o700);
    lock.release();
    lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a lock whose owner runs, naming its pid, and leaves that lock alone', () => {
    const dir = fresh();
    writeFileSync(lockIn(dir), `${process.ppid}\n`);
    expect(() => take(dir)).toThrow(ConfigError);
    expect(() => take(dir)).toThrow(
      `dataDir = ${JSON.stringify(dir)}: in use by another companion (pid ${process.ppid}, lock file ${lockIn(dir)})`,
    );
    expect(recorded(dir)).toBe(String(process.ppid));
  });

  it('refuses a second lock in the same process (two companions started in one test process)', () => {
    const dir = fresh();
    take(dir);
    expect(() => take(dir)).toThrow(`pid ${process.pid}, this process`);
    expect(recorded(dir)).toBe(String(process.pid));
  });

  it.each([
    ['a pid that no longer runs', () => `${deadPid()}\n`, (text: string) => Number(text)],
    ['no pid at all (a hand-made or torn file)', () => 'garbage', () => null],
    ['an empty file', () => '', () => null],
  ])('takes over a stale lock holding %s, with a log line', (_name, content, stalePid) => {
    const dir = fresh();
    const text = content();
    writeFileSync(lockIn(dir), text);
    const { lines, logger } = capture();
    take(dir, { logger });
    expect(recorded(dir)).toBe(String(process.pid));
    expect(lines).toEqual([
      expect.objectContaining({
        stalePid: stalePid(text),
        msg: expect.stringMatching(/took over a stale data dir lock/),
      }),
    ]);
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
  });

  it('another start that took the stale lock over first keeps it: ours is refused, naming that start', () => {
    const dir = fresh();
    const stale = deadPid();
    writeFileSync(lockIn(dir), `${stale}\n`);
    const other = process.ppid;
    // Between our judging the lock stale and our moving it aside, another companion took it over.
    const isAlive = (pid: number) => {
      if (pid === stale) {
        writeFileSync(lockIn(dir), `${other}\n`);
        return false;
      }
      return pidAlive(pid);
    };
    expect(() => take(dir, { isAlive })).toThrow(`in use by another companion (pid ${other}`);
    expect(recorded(dir)).toBe(String(other));
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
  });

  it('release leaves alone a lock that is no longer ours', () => {
    const dir = fresh();
    const lock = take(dir);
    writeFileSync(lockIn(dir), `${process.ppid}\n`);
    lock.release();
    expect(recorded(dir)).toBe(String(process.ppid));
  });
});

describe('a data dir that cannot work', () => {
  it('is a file', () => {
    const file = join(fresh(), 'data');
    writeFileSync(file, '');
    expect(() => take(file)).toThrow(`dataDir = ${JSON.stringify(file)}: is a file, not a directory`);
  });

  it('cannot be created (a parent is a file)', () => {
    const file = join(fresh(), 'data');
    writeFileSync(file, '');
    const dir = join(file, 'sub');
    expect(() => take(dir)).toThrow(`dataDir = ${JSON.stringify(dir)}: cannot create it (ENOTDIR)`);
  });

  // Root writes through mode bits (the CLI test runs this case as another user).
  it.skipIf(process.getuid?.() === 0 || process.platform === 'win32')('is read-only', () => {
    const dir = join(fresh(), 'data');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    expect(() => take(dir)).toThrow(`dataDir = ${JSON.stringify(dir)}: not writable (EACCES)`);
    expect(existsSync(lockIn(dir))).toBe(false);
  });
});
