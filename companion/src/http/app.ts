import type { HealthResponse } from '@tierwatch/shared';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Clock } from '../core/clock.ts';
import { type Logger, silentLogger } from '../core/logger.ts';
import type { ExecutionService } from '../execution/index.ts';
import { HttpConfig } from './config.ts';
import { createErrorHandler, errorResponse, notFound } from './errors.ts';
import { executionRoutes } from './execution-routes.ts';
import { checkCaller, frontDoor } from './front-door.ts';
import { type MonitorView, monitorRoutes } from './monitor-routes.ts';
import { type TradingDeps, tradingRoutes } from './trading/routes.ts';

export interface AppDeps {
  version: string;
  clock: Clock;
  startedAt: number;
  logger?: Logger;
  /** Parsed HttpConfig; defaults when absent. */
  http?: HttpConfig;
  /**
   * Checks the pairing token (the PairingStore). Without it every route but /health answers 401: the
   * front door fails closed.
   */
  pairing?: { verify(token: string): boolean };
  /** The trading routes' sources; without them only /health (and whatever the caller adds) is served. */
  trading?: Omit<TradingDeps, 'clock' | 'logger'>;
  /** POST /api/v1/trading/execute and GET /api/v1/trading/executions[/:id]; absent: not served. */
  execution?: ExecutionService;
  /** GET /api/v1/monitor/positions, from the monitor's memory; absent: not served. */
  monitor?: MonitorView;
}

/**
 * The companion's HTTP app, built from its dependencies so tests drive it in-process with `app.request()`.
 * Routes added to the returned app later (the WebSocket hub's GET /ws) pass the same front door; on /ws the
 * token may also come as `?token=`.
 */
export function createApp(deps: AppDeps): Hono {
  const logger = deps.logger ?? silentLogger;
  const config = deps.http ?? HttpConfig.parse({});
  const pairing = deps.pairing;
  const app = new Hono();

  app.onError(createErrorHandler(logger));
  app.notFound(notFound);

  // Liveness for scripts and the options page's "test connection": no token, no data.
  // Host and Origin are checked here too: a DNS-rebinding page would otherwise learn that Tierwatch runs.
  app.get('/health', (c) => {
    const refused = checkCaller(c.req.raw.headers, c.req.url, { extensionIds: config.extensionIds });
    if (refused) throw refused;
    return c.json({
      status: 'ok',
      version: deps.version,
      uptimeS: Math.round((deps.clock.now() - deps.startedAt) / 100) / 10,
    } satisfies HealthResponse);
  });

  // A refusal sent before the request body was read (413, or 401/403 from the front door) leaves the rest of
  // that body on the socket: a client reusing the connection would have its next request fail. Close it.
  app.use('*', async (c, next) => {
    await next();
    if (c.res.status >= 400 && hasBody(c.req.raw.headers)) c.res.headers.set('Connection', 'close');
  });
  app.use(
    '*',
    frontDoor({
      verifyToken: (token) => pairing?.verify(token) ?? false,
      extensionIds: config.extensionIds,
    }),
  );
  const limitBody = bodyLimit({
    maxSize: config.bodyLimitBytes,
    onError: (c) => errorResponse(c, 'PAYLOAD_TOO_LARGE', `request body over ${config.bodyLimitBytes} bytes`),
  });
  // GET and HEAD carry no body (@hono/node-server gives them none). Skipping them is not just cheaper: the
  // middleware's `c.req.raw.body` would turn node-server's lightweight request into a full undici Request
  // (headers copy, AbortController, listeners) on every cached read, a third of the hot path's cost.
  app.use('*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next)));

  if (deps.trading) {
    app.route('/api/v1/trading', tradingRoutes({ ...deps.trading, clock: deps.clock, logger }));
  }
  if (deps.execution) app.route('/api/v1/trading', executionRoutes(deps.execution));
  if (deps.monitor) app.route('/api/v1/monitor', monitorRoutes({ monitor: deps.monitor, clock: deps.clock }));
  return app;
}

const hasBody = (h: Headers): boolean => h.has('transfer-encoding') || Number(h.get('content-length') ?? 0) > 0;
