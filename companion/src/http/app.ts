import { Hono } from 'hono';
import type { HealthResponse } from '@tierwatch/shared';
import type { Clock } from '../core/clock.ts';

export interface AppDeps {
  version: string;
  clock: Clock;
  startedAt: number;
}

/** The companion's HTTP app, built from its dependencies so tests drive it in-process with `app.request()`. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  // Liveness for scripts and the options page's "test connection": no token, no data.
  app.get('/health', (c) =>
    c.json({
      status: 'ok',
      version: deps.version,
      uptimeS: Math.round((deps.clock.now() - deps.startedAt) / 100) / 10,
    } satisfies HealthResponse),
  );
  return app;
}
