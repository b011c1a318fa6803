import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { CompanionConfig } from './config/index.ts';
import { systemClock } from './core/clock.ts';
import { createLogger, type Logger } from './core/logger.ts';
import { createApp } from './http/app.ts';
import { VERSION } from './version.ts';

export interface RunningCompanion {
  url: string;
  token: string;
  paperExchangeUrl: string | null;
  logger: Logger;
  close(): Promise<void>;
}

/** Composes the companion from its config: exchange, monitor, cache, execution guard, HTTP and WebSocket. */
export async function startCompanion(
  config: CompanionConfig,
  _opts: { log?: 'stderr' } = {},
): Promise<RunningCompanion> {
  const logger = createLogger({ level: config.log.level });
  const clock = systemClock;
  const app = createApp({ version: VERSION, clock, startedAt: clock.now() });
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: config.server.port });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  logger.info({ url }, 'companion listening');
  return {
    url,
    token: '',
    paperExchangeUrl: null,
    logger,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
