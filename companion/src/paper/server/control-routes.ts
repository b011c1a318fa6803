import { Hono } from 'hono';
import { z } from 'zod';
import { BybitError } from '../engine/types.ts';
import { ApiPermissions, Faults, Latency } from '../options.ts';
import type { PaperControl } from './control.ts';

/**
 * /sim/*: the control API for tools outside the process (the standalone `pnpm sim`, scripts). Not Bybit's
 * dialect: plain JSON in, `{ ok, ... }` out, 400 with the zod issues on bad input.
 */

const PriceBody = z.union([
  z.object({ symbol: z.string(), price: z.number().positive() }),
  z.object({ symbol: z.string(), movePct: z.number().gt(-100) }),
]);
const StepBody = z.object({
  ms: z
    .number()
    .min(0)
    .max(30 * 86_400_000),
});
const OutageBody = z.object({ durationMs: z.number().positive() });
/** 'public', or a paper account's name (its private and trade streams). */
const Scope = z.string().min(1).max(32);
const StreamWindowBody = z.object({ scope: Scope, ms: z.number().min(0).max(86_400_000) });
const StreamLatencyBody = Latency.partial().extend({ scope: Scope.optional() });

const body = async <T>(c: { req: { json(): Promise<unknown> } }, schema: z.ZodType<T>): Promise<T> => {
  const raw = await c.req.json().catch(() => undefined);
  return schema.parse(raw);
};

export function controlRoutes(control: PaperControl): Hono {
  const app = new Hono();
  marketRoutes(app, control);
  faultRoutes(app, control);
  streamRoutes(app, control);
  app.post('/permissions/:account', async (c) => {
    const b = await body(c, ApiPermissions.partial());
    return c.json({ ok: true, permissions: control.setPermissions(c.req.param('account'), b) });
  });
  app.post('/position-mode/:account', async (c) => {
    const { mode } = await body(c, z.object({ mode: z.enum(['one-way', 'hedge']) }));
    return c.json({ ok: true, mode: control.setPositionMode(c.req.param('account'), mode) });
  });
  app.get('/positions/:account', (c) => c.json({ ok: true, positions: control.positions(c.req.param('account')) }));

  app.onError((err, c) => {
    if (err instanceof z.ZodError) return c.json({ ok: false, error: 'bad request', issues: err.issues }, 400);
    if (err instanceof BybitError) return c.json({ ok: false, error: err.message, retCode: err.retCode }, 400);
    return c.json({ ok: false, error: String(err) }, 500);
  });
  return app;
}

/** State, counters, prices and time. */
function marketRoutes(app: Hono, control: PaperControl): void {
  app.get('/state', (c) =>
    c.json({
      ok: true,
      now: control.now(),
      latency: control.getLatency(),
      faults: control.getFaults(),
      streamLatency: control.getStreamLatency(),
    }),
  );
  app.get('/stats', (c) => c.json({ ok: true, stats: control.getStats() }));
  app.post('/stats/reset', (c) => {
    control.resetStats();
    return c.json({ ok: true });
  });
  app.get('/price/:symbol', (c) =>
    c.json({ ok: true, symbol: c.req.param('symbol'), price: control.price(c.req.param('symbol')) }),
  );
  app.post('/price', async (c) => {
    const b = await body(c, PriceBody);
    const price = 'price' in b ? control.setPrice(b.symbol, b.price) : control.movePrice(b.symbol, b.movePct);
    return c.json({ ok: true, symbol: b.symbol, price });
  });
  app.post('/time/step', async (c) => {
    const b = await body(c, StepBody);
    control.step(b.ms);
    return c.json({ ok: true, now: control.now() });
  });
}

/** REST latency, faults, outages and the rate limits. */
function faultRoutes(app: Hono, control: PaperControl): void {
  app.post('/latency', async (c) =>
    c.json({ ok: true, latency: control.setLatency(await body(c, Latency.partial())) }),
  );
  app.post('/latency/:account', async (c) => {
    const b = await body(c, Latency.partial().nullable());
    return c.json({ ok: true, latency: control.setAccountLatency(c.req.param('account'), b) });
  });
  app.post('/faults', async (c) => c.json({ ok: true, faults: control.setFaults(await body(c, Faults.partial())) }));
  app.post('/outage', async (c) =>
    c.json({ ok: true, outage: control.startOutage((await body(c, OutageBody)).durationMs) }),
  );
  app.post('/limits', async (c) => {
    control.setLimitsEnabled((await body(c, z.object({ enabled: z.boolean() }))).enabled);
    return c.json({ ok: true });
  });
}

/** The streams' latency and faults, per scope. */
function streamRoutes(app: Hono, control: PaperControl): void {
  app.post('/streams/latency', async (c) => {
    const { scope, ...l } = await body(c, StreamLatencyBody);
    return c.json({ ok: true, latency: control.setStreamLatency(l, scope) });
  });
  app.post('/streams/drop', async (c) => {
    const { scope } = await body(c, z.object({ scope: Scope }));
    return c.json({ ok: true, dropped: control.dropStreams(scope) });
  });
  app.post('/streams/stall', async (c) => {
    const b = await body(c, StreamWindowBody);
    return c.json({ ok: true, stall: control.stallStream(b.scope, b.ms) });
  });
  app.post('/streams/refuse', async (c) => {
    const b = await body(c, StreamWindowBody);
    return c.json({ ok: true, refuse: control.refuseStreams(b.scope, b.ms) });
  });
  app.post('/streams/lose', async (c) => {
    const b = await body(
      c,
      z.object({ scope: Scope, topic: z.string().min(1), count: z.number().int().min(1).default(1) }),
    );
    control.lostPushes.lose(b.scope, b.topic, b.count);
    return c.json({ ok: true });
  });
  app.post('/streams/clear', (c) => {
    control.clearStreamFaults();
    return c.json({ ok: true });
  });
}
