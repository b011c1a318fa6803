/**
 * Every error code either side can send, with the HTTP status it maps to. One map, so the companion's
 * `onError`, the WebSocket hub and the extension all speak the same names.
 */
export const ERROR_CODES = {
  BAD_REQUEST: 400,
  INVALID_ORDER: 400,
  INSUFFICIENT_BALANCE: 400,
  BAD_MESSAGE: 400,
  UNKNOWN_MESSAGE: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  UNKNOWN_ACCOUNT: 404,
  IDEMPOTENCY_CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  EXCHANGE_ERROR: 502,
  EXCHANGE_UNAVAILABLE: 503,
  /** The execution journal could not be written (a full disk): nothing was sent. */
  JOURNAL_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export const errorCodeNames = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];
