import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusEvent } from '@tierwatch/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { CompanionConfig, secretEnvName } from '../config/index.ts';
import { silentLogger } from '../core/logger.ts';
import { type PaperExchange, startPaperExchange } from '../paper/index.ts';
import { type RunningCompanion, startCompanion } from '../runtime.ts';

/**
 * Key health while the companion runs, against a paper exchange it did not start (its keys are the
 * trader's): carried in the monitor's stats for the popup, and announced when a key stops working.
 */

let paper: PaperExchange | null = null;
let companion: RunningCompanion | null = null;
afterEach(async () => {
  await companion?.close();
  await paper?.close();
  companion = paper = null;
});

async function start(setup: (p: PaperExchange) => void) {
  paper = await startPaperExchange({ accounts: ['main', 'mirror1'], positionsPerAccount: 2, volatilityPerMinute: 0 });
  setup(paper);
  const env: NodeJS.ProcessEnv = {};
  for (const a of paper.accounts) {
    env[secretEnvName(a.name, 'API_KEY')] = a.apiKey;
    env[secretEnvName(a.name, 'SECRET')] = a.secret;
  }
  const config = CompanionConfig.parse({
    server: { port: 0 },
    dataDir: mkdtempSync(join(tmpdir(), 'tw-keys-')),
    accounts: [
      { name: 'main', mode: 'paper', baseUrl: paper.url },
      { name: 'mirror1', role: 'mirror', mode: 'paper', baseUrl: paper.url },
    ],
  });
  companion = await startCompanion(config, { logger: silentLogger, env });
  return companion;
}

const keyOf = (c: RunningCompanion, account: string) =>
  c.monitor.computeStats().accounts.find((a) => a.account === account)?.key;

describe('key health while running', () => {
  it('the stats carry each account key health: expiring within 7 days, read-only', async () => {
    const expiredAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const c = await start((p) => {
      p.control.setPermissions('main', { expiredAt, ips: ['10.0.0.1'] });
      p.control.setPermissions('mirror1', { readOnly: true });
    });
    expect(keyOf(c, 'main')).toMatchObject({ status: 'expiring', canTrade: true, expiresAt: Date.parse(expiredAt) });
    expect(keyOf(c, 'main')!.warnings[0]).toMatch(/^the key expires in 3\.0 days/);
    expect(keyOf(c, 'mirror1')).toMatchObject({ status: 'read-only', canTrade: false });
  });

  it('a key the exchange stops accepting is announced once, loudly, and shown as refused', async () => {
    const c = await start(() => {});
    const events: BusEvent[] = [];
    c.bus.subscribe((e) => events.push(e));
    expect(keyOf(c, 'mirror1')?.status).toBe('warn'); // no IP whitelist on paper keys
    // The key lapses now: every private call of mirror1 answers 33004 from here on.
    paper!.control.setPermissions('mirror1', { expiredAt: new Date(paper!.engine.now() - 1000).toISOString() });
    // The next read of the account (the monitor's, or this one) is refused: the exchange layer stops it.
    await expect(c.exchange.accounts.get('mirror1')!.fetchPositions({ lane: 'api', retries: 0 })).rejects.toThrow(
      /expired/,
    );
    await expect
      .poll(() => events.find((e) => e.type === 'key-health'), { timeout: 15_000, interval: 200 })
      .toMatchObject({ type: 'key-health', account: 'mirror1', status: 'refused' });
    expect(keyOf(c, 'mirror1')).toMatchObject({ status: 'refused', canTrade: false });
    expect(keyOf(c, 'main')?.status).toBe('warn');
  }, 30_000);
});
