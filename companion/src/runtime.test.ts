import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PositionsResponse } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { TestClient } from '../test-support/hub.ts';
import { loadConfig, secretEnvName } from './config/index.ts';
import { type Clock, systemClock } from './core/clock.ts';
import { silentLogger } from './core/logger.ts';
import { LOCK_FILE } from './data-dir/index.ts';
import { generateToken, TOKEN_FILE } from './pairing/index.ts';
import { startPaperExchange } from './paper/index.ts';
import { startCompanion } from './runtime.ts';

/** A port free a moment ago (the test needs to know it before the companion says). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('startCompanion', () => {
  it('a port already taken fails the start and leaves nothing sleeping behind (the process can exit)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'tierwatch-runtime-'));
    const config = loadConfig({ env: {}, overrides: { 'server.port': port, dataDir, 'paper.positionsPerAccount': 2 } });
    // The system clock, counting who still sleeps on it (a sleeper is a timer that keeps the process alive).
    let sleeping = 0;
    const clock: Clock = {
      now: () => systemClock.now(),
      sleep: (ms, signal) => {
        sleeping++;
        return systemClock.sleep(ms, signal).finally(() => sleeping--);
      },
    };
    try {
      await expect(startCompanion(config, { clock, logger: silentLogger, env: {} })).rejects.toThrow(/EADDRINUSE/);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(sleeping).toBe(0);
    } finally {
      blocker.close();
    }
  }, 30_000);

  it('binds its port before reading the exchange, and a client that calls meanwhile waits for the first read', async () => {
    // 200 ms per exchange answer: start-up (markets, then every account's first read) takes a while.
    const paper = await startPaperExchange({ accounts: ['main', 'mirror1'], positionsPerAccount: 5, seed: 3 });
    paper.control.setLatency({ fixedMs: 200 });
    const dataDir = mkdtempSync(join(tmpdir(), 'tierwatch-runtime-'));
    const token = generateToken();
    writeFileSync(join(dataDir, TOKEN_FILE), `${token}\n`, { mode: 0o600 });
    const env: NodeJS.ProcessEnv = {};
    for (const a of paper.accounts) {
      env[secretEnvName(a.name, 'API_KEY')] = a.apiKey;
      env[secretEnvName(a.name, 'SECRET')] = a.secret;
    }
    const port = await freePort();
    const config = loadConfig({
      env: {},
      overrides: {
        'server.port': port,
        dataDir,
        accounts: [
          { name: 'main', mode: 'paper', baseUrl: paper.url },
          { name: 'mirror1', role: 'mirror', mode: 'paper', baseUrl: paper.url },
        ],
      },
    });
    let started = false;
    const starting = startCompanion(config, { logger: silentLogger, env }).finally(() => {
      started = true;
    });
    try {
      while (!started && !(await accepts(port))) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(started).toBe(false);
      // The port answers connections before a single position has been read from the exchange...
      expect(paper.control.getStats().byEndpoint['/v5/position/list'] ?? 0).toBe(0);
      // ...but the answers wait for the first read: the first thing a client sees has every position.
      const early = fetch(`http://127.0.0.1:${port}/api/v1/trading/positions`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const socket = TestClient.open(`ws://127.0.0.1:${port}/ws?token=${token}`);
      const body = PositionsResponse.parse(await (await early).json());
      expect(body.data).toHaveLength(10);
      const client = await socket;
      const snapshot = await client.waitFor((f) => f.type === 'snapshot');
      expect(snapshot.positions).toHaveLength(10);
      client.terminate();
    } finally {
      await (await starting.catch(() => null))?.close();
      await paper.close();
    }
  }, 30_000);

  it('a start that fails after binding the port frees the port and the data dir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tierwatch-runtime-'));
    const port = await freePort();
    // A testnet account without credentials: refused once the port is bound and the dir locked.
    const config = loadConfig({
      env: {},
      overrides: { 'server.port': port, dataDir, accounts: [{ name: 'main', mode: 'testnet' }] },
    });
    await expect(startCompanion(config, { logger: silentLogger, env: {} })).rejects.toThrow(
      /account main \(testnet\) needs credentials: set COMPANION_SECRET__MAIN__API_KEY/,
    );
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    const again = createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(port, '127.0.0.1', resolve);
    });
    again.close();
  });
});
