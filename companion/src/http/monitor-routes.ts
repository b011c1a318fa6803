import type { MonitorPositionsResponse, TieredPosition } from '@tierwatch/shared';
import { Hono } from 'hono';
import { AppError } from '../core/app-error.ts';
import type { Clock } from '../core/clock.ts';

export interface MonitorView {
  /** Every held position (one account's with `account`) at the freshest mark seen, classified. */
  positions(account?: string): TieredPosition[];
  accountNames(): readonly string[];
}

/**
 * GET /positions (mounted at /api/v1/monitor): what the monitor holds in memory, so a view that refreshes
 * every second or two (the extension's rows, a detail view's chart) costs the exchange nothing. The
 * trading routes' /positions serves the exchange's rows through the cache instead, and reads the exchange
 * when the cache is older than its TTL.
 */
export function monitorRoutes(deps: { monitor: MonitorView; clock: Clock }): Hono {
  const app = new Hono();
  app.get('/positions', (c) => {
    const account = c.req.query('account_name');
    if (account !== undefined && !deps.monitor.accountNames().includes(account)) {
      const configured = deps.monitor.accountNames().join(', ');
      throw new AppError('UNKNOWN_ACCOUNT', `unknown account "${account}" (configured: ${configured})`, [
        'account_name',
      ]);
    }
    const body: MonitorPositionsResponse = { at: deps.clock.now(), data: deps.monitor.positions(account) };
    return c.json(body);
  });
  return app;
}
