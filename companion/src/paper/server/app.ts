import { type Context, Hono } from 'hono';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { BybitError, type PaperAccount } from '../engine/types.ts';
import { verify } from './auth.ts';
import { envelope } from './bybit-dialect.ts';
import type { PaperControl } from './control.ts';
import { controlRoutes } from './control-routes.ts';
import { Params } from './params.ts';
import { checkPermission } from './route-kit.ts';
import { ROUTES } from './routes.ts';

/**
 * Request pipeline, in Bybit's order: count -> per-IP budget (HTTP 403) -> injected faults and latency ->
 * route -> signature -> per-account budget (retCode 10006) -> handler. Every failure is a Bybit-style
 * answer; only injected faults produce 5xx.
 */

export interface AppDeps {
  control: PaperControl;
  clock: Clock;
  wallClock: Clock;
  logger: Logger;
  leverage: number;
  /** Aborted on close, so hanging (timeout-fault) requests end with the server. */
  closing: AbortSignal;
  /** The peer address (node server); tests with app.request() have none. */
  ipOf(c: Context): string;
}

type Answer = (c: Context, retCode: number, retMsg: string, headers?: Record<string, string>) => Response;

/** Latency, then an injected fault: an HTTP error answer, or null with the decision (a storm comes later). */
async function injectFault(c: Context, deps: AppDeps, account: string, isPrivate: boolean) {
  const { control } = deps;
  const delay = control.delayMs(account);
  if (delay > 0) await deps.clock.sleep(delay, deps.closing).catch(() => undefined);
  const fault = control.decideFault(isPrivate);
  if (fault === 'outage') return { fault, response: c.text('503 Service Temporarily Unavailable', 503) };
  if (fault === 'error') return { fault, response: c.text('502 Bad Gateway', 502) };
  if (fault === 'timeout') {
    await deps.clock.sleep(control.timeoutMs(), deps.closing).catch(() => undefined);
    return { fault, response: c.text('504 Gateway Time-out', 504) };
  }
  return { fault, response: null };
}

/** The signed request's account; a lapsed key is refused on every private call, as Bybit does (ccxt: AuthenticationError). */
function authenticate(c: Context, deps: AppDeps, payload: string): PaperAccount {
  const { control } = deps;
  const engine = control.engine;
  try {
    const account = verify(
      {
        apiKey: c.req.header('X-BAPI-API-KEY'),
        timestamp: c.req.header('X-BAPI-TIMESTAMP'),
        signature: c.req.header('X-BAPI-SIGN'),
        recvWindow: c.req.header('X-BAPI-RECV-WINDOW'),
        payload,
      },
      (k) => engine.accountByKey(k),
      deps.wallClock.now(),
    );
    const expiredAt = control.permissionsOf(account.name).expiredAt;
    if (expiredAt !== null && Date.parse(expiredAt) <= engine.now())
      throw new BybitError(33004, 'Your api key has expired.');
    return account;
  } catch (e) {
    control.recordAuthFailure();
    throw e;
  }
}

/** A rate-limit storm or the account's own budget: the 10006 answer, or null (the limit headers set). */
function accountLimit(c: Context, deps: AppDeps, answer: Answer, account: string, endpoint: string, storm: boolean) {
  const { control } = deps;
  if (storm) {
    const reset = String(control.engine.now() + 1000);
    return answer(c, 10006, 'Too many visits!', {
      'X-Bapi-Limit': '0',
      'X-Bapi-Limit-Status': '0',
      'X-Bapi-Limit-Reset-Timestamp': reset,
    });
  }
  const v = control.hitAccount(account, endpoint);
  if (!v) return null;
  const headers = {
    'X-Bapi-Limit': String(v.limit),
    'X-Bapi-Limit-Status': String(v.remaining),
    'X-Bapi-Limit-Reset-Timestamp': String(v.resetAt),
  };
  if (!v.allowed) return answer(c, 10006, 'Too many visits!', headers);
  for (const [k, val] of Object.entries(headers)) c.header(k, val);
  return null;
}

export function createPaperApp(deps: AppDeps): Hono {
  const { control, logger } = deps;
  const engine = control.engine;
  const app = new Hono();
  app.route('/sim', controlRoutes(control));

  const answer: Answer = (c, retCode, retMsg, headers) => {
    for (const [k, v] of Object.entries(headers ?? {})) c.header(k, v);
    return c.json(envelope({}, engine.now(), retCode, retMsg));
  };

  app.all('/v5/*', async (c) => {
    const endpoint = c.req.path;
    const route = ROUTES[endpoint];
    const apiKey = c.req.header('X-BAPI-API-KEY');
    const accountName = (apiKey && engine.accountByKey(apiKey)?.name) || (route?.private ? 'unknown' : 'public');
    control.recordCall(endpoint, accountName);

    const ipVerdict = control.hitIp(deps.ipOf(c), endpoint, accountName);
    if (ipVerdict && !ipVerdict.allowed) return c.text('403, access too frequent', 403);

    // The request is received in full before the latency, as by a real exchange: a client that dies while
    // its order is in flight has still sent it (the answer is lost, the order is not).
    const body = c.req.method === 'POST' ? await c.req.text() : '';
    const { fault, response } = await injectFault(c, deps, accountName, route?.private ?? false);
    if (response) return response;

    if (!route || route.method !== c.req.method) {
      control.recordBadRequest();
      return c.json(envelope({}, engine.now(), 10017, `route not found: ${c.req.method} ${endpoint}`), 404);
    }
    const url = c.req.url;
    const q = url.indexOf('?');
    const rawQuery = q >= 0 ? url.slice(q + 1) : '';
    try {
      engine.sync();
      let account = engine.accounts[0];
      if (route.private) {
        account = authenticate(c, deps, c.req.method === 'POST' ? body : rawQuery);
        const limited = accountLimit(c, deps, answer, account.name, endpoint, fault === 'storm');
        if (limited) return limited;
      }
      const acc = account as NonNullable<typeof account>;
      const permissions = control.permissionsOf(acc.name);
      if (route.private) checkPermission(route, permissions);
      const p = c.req.method === 'POST' ? Params.fromBody(body) : Params.fromQuery(rawQuery);
      const result = route.handle({
        engine,
        p,
        acc,
        leverage: deps.leverage,
        permissions,
        positionMode: control.positionModeOf(acc.name),
      });
      return c.json(envelope(account ? control.rewriteAnswer(endpoint, account.name, result) : result, engine.now()));
    } catch (e) {
      if (e instanceof BybitError) {
        if (e.retCode === 10001) control.recordBadRequest();
        return answer(c, e.retCode, e.message);
      }
      // A bug of ours: still a Bybit-shaped answer (ccxt: ExchangeError), and a log line to find it by.
      logger.error({ err: e, endpoint }, 'paper exchange: unexpected error');
      return answer(c, 10016, 'Internal error, please try again later.');
    }
  });

  app.notFound((c) => c.json(envelope({}, engine.now(), 10017, `route not found: ${c.req.method} ${c.req.path}`), 404));
  app.onError((err, c) => {
    logger.error({ err }, 'paper exchange: unhandled');
    return c.json(envelope({}, engine.now(), 10016, 'Internal error, please try again later.'), 200);
  });
  return app;
}
