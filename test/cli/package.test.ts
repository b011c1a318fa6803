import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/companion-process.ts';

/**
 * `pnpm package` (the extension's `wxt zip`): a zip ready to load, named for the companion's version. Run
 * through wxt's own bin with this node, as the package script does through pnpm.
 */
describe('pnpm package', () => {
  it('zips the built extension as tierwatch-extension-<companion version>-chrome.zip, manifest inside', () => {
    const extension = join(REPO_ROOT, 'extension');
    const wxt = join(extension, 'node_modules', 'wxt', 'bin', 'wxt.mjs');
    const run = spawnSync(process.execPath, [wxt, 'zip'], { cwd: extension, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'companion', 'package.json'), 'utf8'));
    const zip = readFileSync(join(extension, '.output', `tierwatch-extension-${version}-chrome.zip`));
    expect(zip.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(zip.includes(Buffer.from('manifest.json'))).toBe(true);
    expect(zip.includes(Buffer.from('popup.html'))).toBe(true);
  }, 120_000);
});
