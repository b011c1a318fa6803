import { chmodSync, chownSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PaperExchange, startPaperExchange } from '../../companion/src/paper/index.ts';
import { onStandalonePaper, runCli } from '../support/companion-process.ts';

/**
 * A setting whose value cannot work stops start-up with exit code 2 and one line naming the setting and the
 * value, before the exchange is read: the trader fixes the config instead of reading a stack trace.
 */

const START = ['start', '--json', '--no-extension-build'];
const tmp = () => mkdtempSync(join(tmpdir(), 'tierwatch-cli-errors-'));

describe('start-up errors name the setting and exit 2', () => {
  it.each([
    ['a file', (dir: string) => writeFileSync(join(dir, 'data'), 'not a dir\n'), 'data', /is a file, not a directory/],
    [
      'under a file (cannot be created)',
      (dir: string) => writeFileSync(join(dir, 'data'), 'not a dir\n'),
      'data/sub',
      /cannot create it \(ENOTDIR\)/,
    ],
  ])('dataDir that is %s', async (_name, prepare, relative, why) => {
    const dir = tmp();
    prepare(dir);
    const dataDir = join(dir, relative);
    const result = await runCli([...START, '--port', '0'], { COMPANION__DATA_DIR: dataDir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`tierwatch: dataDir = ${JSON.stringify(dataDir)}: `);
    expect(result.stderr).toMatch(why);
    expect(result.stdout).toBe('');
  });

  it('dataDir that is read-only', async () => {
    // Root writes through any mode bits: as root, run the companion as nobody, who owns the read-only dir.
    const asRoot = process.getuid?.() === 0;
    const dir = tmp();
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    if (asRoot) {
      chmodSync(dir, 0o711);
      chownSync(dataDir, 65534, 65534);
    }
    chmodSync(dataDir, 0o500);
    const result = await runCli(
      [...START, '--port', '0'],
      { COMPANION__DATA_DIR: dataDir, HOME: dir },
      asRoot ? { uid: 65534, gid: 65534 } : {},
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`tierwatch: dataDir = ${JSON.stringify(dataDir)}: not writable (EACCES)`);
  });

  it('secretsFile that is a directory', async () => {
    const dir = tmp();
    const secretsDir = join(dir, 'secrets');
    mkdirSync(secretsDir, { mode: 0o700 });
    const result = await runCli([...START, '--port', '0'], {
      COMPANION__DATA_DIR: join(dir, 'data'),
      COMPANION__SECRETS_FILE: secretsDir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `tierwatch: secretsFile = ${JSON.stringify(secretsDir)}: is a directory, not a file`,
    );
  });
});

describe('a port in use', () => {
  let paper: PaperExchange;
  beforeAll(async () => {
    paper = await startPaperExchange({ accounts: ['main', 'mirror1'], positionsPerAccount: 3, seed: 7 });
  });
  afterAll(() => paper.close());

  it('is refused before the exchange is read: exit 2 naming server.port, not one call made', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const setup = onStandalonePaper(paper, { dataDir: tmp() });
      paper.control.resetStats();
      const result = await runCli([...START, '--port', String(port), ...setup.args], setup.env);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`tierwatch: server.port = ${port}: in use by another process (EADDRINUSE)`);
      expect(paper.control.getStats().total).toBe(0);
    } finally {
      blocker.close();
    }
  });
});
