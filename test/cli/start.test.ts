import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HealthResponse } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { runCli, startCompanionProcess } from '../support/companion-process.ts';

describe('pnpm start', () => {
  it('--port 0 --json prints one ready line and /health answers without a token', async () => {
    await using companion = await startCompanionProcess();
    expect(companion.ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(companion.ready.extensionDir).toMatch(/extension\/\.output\/chrome-mv3$/);
    const res = await fetch(`${companion.ready.url}/health`);
    expect(res.status).toBe(200);
    const body = HealthResponse.parse(await res.json());
    expect(body.status).toBe('ok');
  });

  it('exits 2 naming the field when the config has a bad value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tierwatch-cli-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'accounts:\n  - name: main\n    mode: demo\n');
    const result = await runCli(['start', '--config', file, '--no-extension-build']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/accounts\.0\.mode = "demo"/);
    expect(result.stdout).toBe('');
  });

  it('exits 2 on a bad flag', async () => {
    const result = await runCli(['start', '--port', 'eighty', '--no-extension-build']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--port must be a whole number/);
  });
});
