import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HealthResponse, PositionsResponse } from '@tierwatch/shared';
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
    writeFileSync(file, 'accounts:\n  - name: main\n    mode: mainnet\n');
    const result = await runCli(['start', '--config', file, '--no-extension-build']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/accounts\.0\.mode = "mainnet"/);
    expect(result.stdout).toBe('');
  });

  it('exits 2 on a bad flag', async () => {
    const result = await runCli(['start', '--port', 'eighty', '--no-extension-build']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--port must be a whole number/);
  });
});

describe('pnpm start on the paper exchange', () => {
  it('embeds the paper exchange and serves tiered positions to a paired client only', async () => {
    await using companion = await startCompanionProcess({ env: { COMPANION__PAPER__POSITIONS_PER_ACCOUNT: '30' } });
    const { url, token, paperExchange } = companion.ready;
    expect(paperExchange?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const refused = await fetch(`${url}/api/v1/trading/positions`);
    expect(refused.status).toBe(401);

    const res = await fetch(`${url}/api/v1/trading/positions`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const body = PositionsResponse.parse(await res.json());
    // One main and one mirror account by default, each seeded with the configured positions.
    expect(new Set(body.data.map((p) => p.account))).toEqual(new Set(['main', 'mirror1']));
    expect(body.data.length).toBe(60);
    expect(new Set(body.data.map((p) => p.tier)).size).toBeGreaterThan(2);
    expect(JSON.stringify(body)).not.toContain(token);
  });
});
