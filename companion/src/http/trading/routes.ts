import { type Context, Hono } from 'hono';
import type { AccountResource } from './fan-out.ts';
import { parseSelection } from './query.ts';
import { type Reply, type TradingDeps, TradingReads } from './reads.ts';
import { respondJson, respondRendered } from './respond.ts';

export type { TradingDeps } from './reads.ts';

/**
 * GET /accounts, /positions, /orders/pending, /balances, /batch/snapshot, /instruments (mounted at
 * /api/v1/trading): thin handlers over one read facade (reads.ts), which /positions shares with the
 * WebSocket through the read model's book.
 */
export function tradingRoutes(deps: TradingDeps): Hono {
  const reads = new TradingReads(deps);
  const select = (c: Context) => parseSelection(c, reads.sources, reads.byName);
  const respond = (c: Context, reply: Reply): Response =>
    'hit' in reply
      ? respondRendered(c, reply.hit, deps.clock.now())
      : respondJson(c, reply.json, reply.fetchedAt, deps.clock.now(), reply.timing);
  const list = (resource: AccountResource) => async (c: Context) => respond(c, await reads.list(resource, select(c)));

  const app = new Hono();
  app.get('/accounts', async (c) => respond(c, await reads.accounts(select(c))));
  app.get('/positions', list('positions'));
  app.get('/orders/pending', list('orders'));
  app.get('/balances', list('balances'));
  app.get('/batch/snapshot', async (c) => respond(c, await reads.snapshot(select(c))));
  // account_name is validated for instruments too; they are the same for every account.
  app.get('/instruments', async (c) => respond(c, await reads.instruments(select(c))));
  return app;
}
