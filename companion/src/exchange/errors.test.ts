import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { classifyError, ExchangeCallError } from './errors.ts';

const NOW = 1_700_000_000_000;

describe('classifyError maps ccxt errors to what the caller should do', () => {
  it.each([
    ['RequestTimeout', new ccxt.RequestTimeout('timed out'), 'retry', 'EXCHANGE_UNAVAILABLE'],
    ['NetworkError', new ccxt.NetworkError('ECONNRESET'), 'retry', 'EXCHANGE_UNAVAILABLE'],
    ['ExchangeNotAvailable (5xx)', new ccxt.ExchangeNotAvailable('bybit 503'), 'retry', 'EXCHANGE_UNAVAILABLE'],
    ['InvalidNonce (clock skew)', new ccxt.InvalidNonce('recv_window'), 'retry', 'EXCHANGE_UNAVAILABLE'],
    ['BadResponse', new ccxt.BadResponse('not json'), 'retry', 'EXCHANGE_UNAVAILABLE'],
    ['RateLimitExceeded', new ccxt.RateLimitExceeded('10006'), 'backoff', 'RATE_LIMITED'],
    ['DDoSProtection (IP limit)', new ccxt.DDoSProtection('403 access too frequent'), 'backoff', 'RATE_LIMITED'],
    ['OnMaintenance', new ccxt.OnMaintenance('maintenance'), 'backoff', 'EXCHANGE_UNAVAILABLE'],
    ['AuthenticationError', new ccxt.AuthenticationError('10003 invalid key'), 'reauth', 'EXCHANGE_ERROR'],
    ['PermissionDenied', new ccxt.PermissionDenied('10005'), 'reauth', 'EXCHANGE_ERROR'],
    ['AccountSuspended', new ccxt.AccountSuspended('frozen'), 'reauth', 'EXCHANGE_ERROR'],
    ['InsufficientFunds', new ccxt.InsufficientFunds('110007'), 'reject', 'INSUFFICIENT_BALANCE'],
    ['InvalidOrder', new ccxt.InvalidOrder('qty'), 'reject', 'INVALID_ORDER'],
    ['DuplicateOrderId', new ccxt.DuplicateOrderId('110072'), 'reject', 'INVALID_ORDER'],
    ['OrderNotFound', new ccxt.OrderNotFound('110001'), 'reject', 'INVALID_ORDER'],
    ['BadSymbol', new ccxt.BadSymbol('no such market'), 'reject', 'BAD_REQUEST'],
    ['BadRequest', new ccxt.BadRequest('10001 params'), 'reject', 'BAD_REQUEST'],
    ['ExchangeError (unknown code)', new ccxt.ExchangeError('99999'), 'fatal', 'EXCHANGE_ERROR'],
    ['plain Error (our bug)', new TypeError('x is undefined'), 'fatal', 'INTERNAL'],
    ['a thrown string', 'boom', 'fatal', 'EXCHANGE_ERROR'],
  ])('%s → %s', (_name, err, action, code) => {
    const e = classifyError(err, 'main', NOW);
    expect(e).toBeInstanceOf(ExchangeCallError);
    expect(e.action).toBe(action);
    expect(e.code).toBe(code);
    expect(e.account).toBe('main');
  });

  it('carries the exchange reset time as retryAfterMs', () => {
    const err = Object.assign(new ccxt.RateLimitExceeded('10006'), { resetAt: NOW + 750 });
    expect(classifyError(err, 'main', NOW).retryAfterMs).toBe(750);
    expect(classifyError(new ccxt.RateLimitExceeded('10006'), 'main', NOW).retryAfterMs).toBeNull();
  });

  it.each([
    ['retCode 10006', new ccxt.RateLimitExceeded('bybit {"retCode":10006,"retMsg":"Too many visits!"}'), 'account'],
    ['HTTP 403', new ccxt.RateLimitExceeded('bybit 403 Forbidden access too frequent'), 'ip'],
    ['retCode 10018', new ccxt.RateLimitExceeded('bybit {"retCode":10018,"retMsg":"exceed ip rate limit"}'), 'ip'],
  ])('a rate limit from %s is scoped to the %s', (_name, err, scope) => {
    expect(classifyError(err, 'main', NOW).limitScope).toBe(scope);
  });

  it("keeps Bybit's retMsg and names the account", () => {
    const err = new ccxt.InvalidOrder('bybit {"retCode":110072,"retMsg":"OrderLinkedID is duplicate","result":{}}');
    expect(classifyError(err, 'mirror1', NOW).message).toBe('mirror1: OrderLinkedID is duplicate');
  });
});
