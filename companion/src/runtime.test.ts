import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config/index.ts';
import { type Clock, systemClock } from './core/clock.ts';
import { silentLogger } from './core/logger.ts';
import { startCompanion } from './runtime.ts';

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
});
