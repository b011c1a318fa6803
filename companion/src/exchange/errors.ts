import type { ErrorCode } from '@tierwatch/shared';
import { AppError } from '../core/app-error.ts';
import { ccxtErrors as ccxt } from './ccxt-bybit.ts';

/**
 * Exchange failures, classed by what the caller should do (freqtrade's habit), mapped from ccxt's error
 * classes in this one place:
 * - retry:   a transient fault (network, timeout, 5xx); the same call may succeed now.
 * - backoff: the exchange asked us to slow down; wait until `retryAfterMs` has passed.
 * - reauth:  the credentials are wrong or the account is locked; stop calling for this account.
 * - reject:  the request itself is wrong (bad symbol, invalid order, no funds); never retry.
 * - fatal:   anything else; surface it, do not retry.
 */
export type ErrorAction = 'retry' | 'backoff' | 'reauth' | 'reject' | 'fatal';

export class ExchangeCallError extends AppError {
  override name = 'ExchangeCallError';
  constructor(
    readonly action: ErrorAction,
    code: ErrorCode,
    message: string,
    readonly account: string | null,
    /** For backoff: how long the exchange asked us to wait, when it said. */
    readonly retryAfterMs: number | null = null,
    readonly exchangeClass: string | null = null,
    /** For rate limits: whether the per-IP cap (all accounts) or this account's cap was hit. */
    readonly limitScope: 'ip' | 'account' | null = null,
  ) {
    super(code, message);
  }
}

const CODE_BY_ACTION: Record<ErrorAction, ErrorCode> = {
  retry: 'EXCHANGE_UNAVAILABLE',
  backoff: 'RATE_LIMITED',
  reauth: 'EXCHANGE_ERROR',
  reject: 'BAD_REQUEST',
  fatal: 'EXCHANGE_ERROR',
};

/** Bybit's error text carries its JSON body; keep the retMsg, drop the rest (it can echo request params). */
function shortMessage(err: Error): string {
  const retMsg = /"retMsg"\s*:\s*"([^"]*)"/.exec(err.message)?.[1];
  const text = retMsg ?? err.message;
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Classes a thrown value from a ccxt call. `resetAt` is Bybit's X-Bapi-Limit-Reset-Timestamp when it sent one. */
export function classifyError(err: unknown, account: string | null, now: number): ExchangeCallError {
  if (err instanceof ExchangeCallError) return err;
  if (!(err instanceof Error)) return new ExchangeCallError('fatal', 'EXCHANGE_ERROR', String(err), account);
  const cls = err.constructor?.name ?? 'Error';
  const msg = `${account ? `${account}: ` : ''}${shortMessage(err)}`;
  const make = (action: ErrorAction, code: ErrorCode = CODE_BY_ACTION[action], retryAfterMs: number | null = null) =>
    new ExchangeCallError(action, code, msg, account, retryAfterMs, cls);

  // Order matters: ccxt's classes nest (RateLimitExceeded is a NetworkError, DuplicateOrderId an InvalidOrder).
  if (err instanceof ccxt.RateLimitExceeded || err instanceof ccxt.DDoSProtection) {
    const resetAt = Number((err as { resetAt?: unknown }).resetAt);
    // Bybit answers the per-IP cap with HTTP 403 or retCode 10018, an account's cap with retCode 10006.
    const scope = /\b(403|10018)\b|too frequent/i.test(err.message) ? 'ip' : 'account';
    const after = Number.isFinite(resetAt) && resetAt > now ? resetAt - now : null;
    return new ExchangeCallError('backoff', 'RATE_LIMITED', msg, account, after, cls, scope);
  }
  if (err instanceof ccxt.OnMaintenance) return make('backoff', 'EXCHANGE_UNAVAILABLE');
  if (err instanceof ccxt.InvalidNonce) return make('retry');
  if (err instanceof ccxt.NetworkError) return make('retry');
  if (err instanceof ccxt.AuthenticationError) return make('reauth');
  if (err instanceof ccxt.InsufficientFunds) return make('reject', 'INSUFFICIENT_BALANCE');
  if (err instanceof ccxt.InvalidOrder) return make('reject', 'INVALID_ORDER');
  if (
    err instanceof ccxt.BadRequest ||
    err instanceof ccxt.ArgumentsRequired ||
    err instanceof ccxt.OperationRejected
  ) {
    return make('reject', 'BAD_REQUEST');
  }
  if (err instanceof ccxt.BadResponse) return make('retry');
  if (err instanceof ccxt.ExchangeError) return make('fatal');
  // Not a ccxt error at all (a bug of ours, a parse failure): fatal, and named as such.
  return new ExchangeCallError(
    'fatal',
    'INTERNAL',
    `${account ? `${account}: ` : ''}${err.message}`,
    account,
    null,
    cls,
  );
}

export const isRetryable = (e: ExchangeCallError): boolean => e.action === 'retry' || e.action === 'backoff';
