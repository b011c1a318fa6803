import { describeIssues, ERROR_CODES, type ErrorBody, type ErrorCode, type ProtocolError } from '@tierwatch/shared';
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import { AppError } from '../core/app-error.ts';
import type { Logger } from '../core/logger.ts';

const GENERIC_INTERNAL = 'internal error (details are in the companion log)';

export function errorBody(code: ErrorCode, message: string, path?: (string | number)[]): ErrorBody {
  return { error: path && path.length > 0 ? { code, message, path } : { code, message } };
}

export function errorResponse(c: Context, code: ErrorCode, message: string, path?: (string | number)[]): Response {
  if (code === 'UNAUTHORIZED') c.header('WWW-Authenticate', 'Bearer realm="tierwatch"');
  c.header('Cache-Control', 'no-store');
  return c.json(errorBody(code, message, path), ERROR_CODES[code] as ContentfulStatusCode);
}

const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
};

/**
 * The one place errors become HTTP: AppError by its protocol code, zod errors as 400 naming the field,
 * anything else a generic 500 whose details go to the log only (an exception message may carry anything).
 */
export function createErrorHandler(logger: Logger): ErrorHandler {
  return (err, c) => {
    if (err instanceof AppError) return errorResponse(c, err.code, err.message, err.path);
    if (err instanceof ZodError) {
      return errorResponse(c, 'BAD_REQUEST', describeIssues(err), err.issues[0]?.path as (string | number)[]);
    }
    if (err instanceof HTTPException) {
      const code = STATUS_CODES[err.status];
      if (code) return errorResponse(c, code, err.status === 413 ? 'request body too large' : err.message || code);
    }
    logger.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error in a request');
    return errorResponse(c, 'INTERNAL', GENERIC_INTERNAL);
  };
}

export const notFound: NotFoundHandler = (c) => errorResponse(c, 'NOT_FOUND', `no route ${c.req.method} ${c.req.path}`);

/**
 * A failure as a client may see it. AppErrors already speak the protocol; anything else is a bug or an
 * unmapped library error, logged in full and reported as INTERNAL with a generic message.
 */
export function toProtocolError(err: unknown, logger: Logger, context: Record<string, unknown>): ProtocolError {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  logger.error({ err, ...context }, 'unexpected error from the exchange layer');
  return { code: 'INTERNAL', message: GENERIC_INTERNAL };
}
