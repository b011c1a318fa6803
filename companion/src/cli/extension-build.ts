import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace root: the first folder above this module with pnpm-workspace.yaml (from src/ or the bundle). */
function workspaceRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the workspace root (pnpm-workspace.yaml) above the companion');
    dir = up;
  }
  return dir;
}

export const EXTENSION_ROOT = join(workspaceRoot(), 'extension');
export const EXTENSION_DIR = join(EXTENSION_ROOT, '.output', 'chrome-mv3');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** True when the built extension is missing or older than any of its sources. */
export function extensionNeedsBuild(): boolean {
  const manifest = join(EXTENSION_DIR, 'manifest.json');
  if (!existsSync(manifest)) return true;
  return newestMtime(EXTENSION_ROOT) > statSync(manifest).mtimeMs;
}

/** Builds the extension with WXT (no network needed); output goes to stderr so `--json` stdout stays one line. */
export function buildExtension(): void {
  const result = spawnSync('pnpm', ['exec', 'wxt', 'build'], { cwd: EXTENSION_ROOT, stdio: ['ignore', 2, 2] });
  if (result.status !== 0)
    throw new Error(
      `extension build failed (exit ${result.status}); run "pnpm --filter @tierwatch/extension build" to see why`,
    );
}
