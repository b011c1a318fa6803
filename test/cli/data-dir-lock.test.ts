import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../companion/src/data-dir/index.ts';
import { runCli, startCompanionProcess } from '../support/companion-process.ts';

/**
 * Two companions on one data dir would share one pairing token and append to one execution journal, each
 * recovering the other's executions as its own: the second refuses to start.
 */
describe('one companion per data dir', () => {
  it('a second companion on the same data dir exits 2 naming the first one’s pid', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tierwatch-lock-'));
    await using first = await startCompanionProcess({ env: { COMPANION__DATA_DIR: dataDir } });
    expect(readFileSync(join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(first.child.pid));

    const second = await runCli(['start', '--port', '0', '--json', '--no-extension-build'], {
      COMPANION__DATA_DIR: dataDir,
    });
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(
      `tierwatch: dataDir = ${JSON.stringify(dataDir)}: in use by another companion (pid ${first.child.pid}`,
    );
    expect(second.stdout).toBe('');
    // The refused start left the first one's lock alone, and the first one still answers.
    expect(readFileSync(join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(first.child.pid));
    expect((await fetch(`${first.ready.url}/health`)).status).toBe(200);
  });

  it('a clean stop removes the lock; a killed companion’s lock is taken over by the next start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tierwatch-lock-'));
    const stopped = await startCompanionProcess({ env: { COMPANION__DATA_DIR: dataDir } });
    expect(await stopped.kill('SIGTERM')).toBe(0);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);

    const killed = await startCompanionProcess({ env: { COMPANION__DATA_DIR: dataDir } });
    await killed.kill('SIGKILL');
    expect(readFileSync(join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(killed.child.pid));

    await using next = await startCompanionProcess({ env: { COMPANION__DATA_DIR: dataDir } });
    expect(readFileSync(join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(next.child.pid));
    expect(next.stderr()).toMatch(new RegExp(`"stalePid":${killed.child.pid}.*took over a stale data dir lock`));
  });
});
