import type { MiddlewareHandler } from 'hono';
import { AppError } from '../core/app-error.ts';

/**
 * The companion's front door. Localhost is not a security boundary: any web page can reach 127.0.0.1, and
 * a DNS-rebound name can make it look same-origin. So every request but /health must
 *   1. name this machine in `Host` (a rebound `evil.example` does not),
 *   2. carry no `Origin` or the extension's (web pages always send theirs on cross-origin requests),
 *   3. present the pairing token.
 * `checkRequest` holds the three rules as a pure function; `frontDoor` applies it to every request, the
 * WebSocket upgrade included (it is an HTTP request until the hub accepts it).
 */

/** Anything with `get(name)`: a fetch `Headers`, or a Node header map wrapped by the caller. */
export interface HeaderReader {
  get(name: string): string | null | undefined;
}

export interface CheckOptions {
  /** Constant-time token check (the pairing store's `verify`). */
  verifyToken: (token: string) => boolean;
  /** Allowed extension ids; empty accepts any chrome-extension:// origin (see HttpConfig.extensionIds). */
  extensionIds: readonly string[];
  /**
   * Also accept the token as the `token` query parameter. Only for WebSocket upgrades: browsers cannot set
   * headers there. Never for plain HTTP, where URLs end up in history and logs.
   */
  allowQueryToken?: boolean;
}

const LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/i;
const ANY_EXTENSION_ORIGIN = /^chrome-extension:\/\/[a-p]{32}$/;
const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

export function isLoopbackHost(host: string | null | undefined): boolean {
  return host != null && LOOPBACK_HOST.test(host);
}

export function isAllowedOrigin(origin: string, extensionIds: readonly string[]): boolean {
  if (extensionIds.length === 0) return ANY_EXTENSION_ORIGIN.test(origin);
  for (const id of extensionIds) if (origin === `chrome-extension://${id}`) return true;
  return false;
}

/** Host and Origin only: what a CORS preflight (which carries no token) must pass. */
export function checkCaller(
  headers: HeaderReader,
  url: string | URL,
  opts: Pick<CheckOptions, 'extensionIds'>,
): AppError | null {
  // HTTP/1.1 always sends Host; fall back to the URL (what the server derived it from) if absent.
  const host = headers.get('host') ?? new URL(url).host;
  if (!isLoopbackHost(host)) {
    return new AppError('FORBIDDEN', 'refused: the Host header must be 127.0.0.1, localhost or [::1]', [
      'headers',
      'host',
    ]);
  }
  const origin = headers.get('origin');
  if (origin != null && !isAllowedOrigin(origin, opts.extensionIds)) {
    return new AppError('FORBIDDEN', 'refused: only the Tierwatch extension may call the companion', [
      'headers',
      'origin',
    ]);
  }
  return null;
}

/** All three rules; null when the request may proceed. Error messages never echo a presented token. */
export function checkRequest(headers: HeaderReader, url: string | URL, opts: CheckOptions): AppError | null {
  return checkCaller(headers, url, opts) ?? checkToken(headers, url, opts);
}

/** The pairing token rule alone. */
export function checkToken(headers: HeaderReader, url: string | URL, opts: CheckOptions): AppError | null {
  let token: string | null | undefined;
  const auth = headers.get('authorization');
  if (auth != null) {
    token = BEARER.exec(auth)?.[1];
    if (!token)
      return new AppError('UNAUTHORIZED', 'malformed Authorization header: expected "Bearer <pairing token>"', [
        'headers',
        'authorization',
      ]);
  } else if (opts.allowQueryToken) {
    token = new URL(url).searchParams.get('token');
  }
  if (!token)
    return new AppError('UNAUTHORIZED', 'pairing token required: send "Authorization: Bearer <token>"', [
      'headers',
      'authorization',
    ]);
  if (!opts.verifyToken(token))
    return new AppError('UNAUTHORIZED', 'pairing token not accepted (it may have been rotated)', [
      'headers',
      'authorization',
    ]);
  return null;
}

export interface FrontDoorOptions extends Omit<CheckOptions, 'allowQueryToken'> {
  /** Paths served without any check. Default: /health (liveness for scripts; it returns no data). */
  openPaths?: readonly string[];
  /** Paths that take the token from `?token=` too. Default: /ws (the WebSocket upgrade). */
  queryTokenPaths?: readonly string[];
  /** CORS: response headers the extension may read. */
  exposeHeaders?: readonly string[];
}

const ALLOW_METHODS = 'GET, POST, DELETE, OPTIONS';
const ALLOW_HEADERS = 'Authorization, Content-Type, Idempotency-Key';

/**
 * The front door as Hono middleware, with CORS for the extension's origin only: a preflight from it is
 * answered here (no token: preflights never carry one), every other request must pass `checkRequest`.
 */
export function frontDoor(opts: FrontDoorOptions): MiddlewareHandler {
  const open = new Set(opts.openPaths ?? ['/health']);
  const queryTokenPaths = new Set(opts.queryTokenPaths ?? ['/ws']);
  const withQueryToken: CheckOptions = { ...opts, allowQueryToken: true };
  const headerOnly: CheckOptions = { ...opts, allowQueryToken: false };
  const expose = (opts.exposeHeaders ?? ['Age', 'Server-Timing']).join(', ');

  return async function frontDoor(c, next) {
    const path = c.req.path;
    if (open.has(path)) return next();
    const headers = c.req.raw.headers;
    const origin = headers.get('origin');
    if (c.req.method === 'OPTIONS' && origin != null && headers.has('access-control-request-method')) {
      const refused = checkCaller(headers, c.req.url, opts);
      if (refused) throw refused;
      return c.body(null, 204, {
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Methods': ALLOW_METHODS,
        'Access-Control-Allow-Headers': ALLOW_HEADERS,
        // Chrome's Private Network Access preflight: the extension is allowed to reach loopback.
        ...(headers.get('access-control-request-private-network') === 'true'
          ? { 'Access-Control-Allow-Private-Network': 'true' }
          : {}),
        'Access-Control-Max-Age': '600',
        Vary: 'Origin',
      });
    }
    const refused = checkCaller(headers, c.req.url, opts);
    if (refused) throw refused;
    if (origin != null) {
      // checkCaller passed, so this Origin is the extension's. Set before the handler runs, so error
      // responses (a 401 too) carry them and the extension can read them.
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Access-Control-Expose-Headers', expose);
      c.header('Vary', 'Origin');
    }
    const unpaired = checkToken(headers, c.req.url, queryTokenPaths.has(path) ? withQueryToken : headerOnly);
    if (unpaired) throw unpaired;
    return next();
  };
}
