import { ActionRequest, ExecuteRequest, IdempotencyKey } from '@tierwatch/shared';
import { Hono } from 'hono';
import { AppError } from '../core/app-error.ts';
import type { ExecutionService } from '../execution/service.ts';

/**
 * POST /execute, POST /actions, GET /executions and /executions/:id (mounted at /api/v1/trading, behind the front door).
 * A request that executed answers 200 with its result whatever the legs did (complete, partial, failed):
 * orders may stand, and the client must see them. 4xx only when nothing was sent.
 */
export function executionRoutes(service: ExecutionService): Hono {
  const app = new Hono();

  app.post('/execute', async (c) => {
    const raw = await c.req.json().catch(() => {
      throw new AppError('BAD_REQUEST', 'the body must be a JSON ExecuteRequest');
    });
    const req = ExecuteRequest.parse(raw);
    const result = await service.execute(req);
    c.header('Cache-Control', 'no-store');
    return c.json(result);
  });

  // An action on a held position family (close, TP/SL, break-even, trailing, cancel orders): the same
  // answers as /execute (200 with the legs once every leg is acknowledged; 4xx only when nothing was sent).
  app.post('/actions', async (c) => {
    const raw = await c.req.json().catch(() => {
      throw new AppError('BAD_REQUEST', 'the body must be a JSON ActionRequest');
    });
    const result = await service.act(ActionRequest.parse(raw));
    c.header('Cache-Control', 'no-store');
    return c.json(result);
  });

  // `?key=` is how a client whose execute answer was lost follows it: a read, so it can never place an
  // order, where a re-POST would place one if the companion had no record of the key.
  app.get('/executions', (c) => {
    const raw = c.req.query('key');
    const key = raw === undefined ? undefined : IdempotencyKey.parse(raw);
    c.header('Cache-Control', 'no-store');
    const found = key === undefined ? undefined : service.byIdempotencyKey(key);
    const data = key === undefined ? service.list() : found ? [found] : [];
    return c.json({ data });
  });

  app.get('/executions/:id', (c) => {
    const result = service.get(c.req.param('id'));
    if (!result) throw new AppError('NOT_FOUND', `no execution ${c.req.param('id')}`, ['id']);
    c.header('Cache-Control', 'no-store');
    return c.json(result);
  });

  return app;
}
