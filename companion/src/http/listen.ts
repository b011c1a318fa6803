import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Logger } from '../core/logger.ts';
import { StartGate } from '../core/start-gate.ts';
import type { WsHub } from '../ws/index.ts';
import type { createApp } from './app.ts';
import type { HttpConfig } from './config.ts';
import { applyServerLimits } from './server-limits.ts';

type App = ReturnType<typeof createApp>;

/** The companion's port, bound at once and answering nothing until `open` (core/start-gate.ts). */
export interface Listening {
  url: string;
  /** Serves `app` from now on, the held requests and upgrades first; `hub` takes the WebSocket upgrades. */
  open(app: App, hub: WsHub): void;
  /** Answers held requests 503 (a failed start) and closes the server with every connection. Once. */
  close(): Promise<void>;
}

/**
 * Binds 127.0.0.1:`port` with the server's limits (rejecting with the bind error: EADDRINUSE, EACCES). Nothing is answered until `open`: a request or a /ws
 * upgrade made meanwhile waits and is answered from the first read, so no client ever starts from an empty
 * snapshot, exactly as when the port opened only after that read.
 */
export async function listen(port: number, http: HttpConfig, logger: Logger): Promise<Listening> {
  const gate = new StartGate();
  let app: App | undefined;
  const server = serve({ fetch: gate.fetch(() => app!.fetch), hostname: '127.0.0.1', port });
  applyServerLimits(server as Parameters<typeof applyServerLimits>[0], http, { logger });
  gate.holdUpgrades(server as unknown as HttpServer);
  let closed: Promise<void> | undefined;
  const close = () => {
    gate.fail();
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
    return closed;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  } catch (err) {
    await close();
    throw err;
  }
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    open(ready, hub) {
      app = ready;
      gate.open(() => hub.injectWebSocket(server as Parameters<WsHub['injectWebSocket']>[0]));
    },
    close,
  };
}
