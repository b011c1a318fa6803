import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { BybitPro, ccxtErrors } from './ccxt-bybit.ts';

/** Bybit's class loaded alone is ccxt's own: the same class, the same error classes (instanceof holds across). */
describe('ccxt Bybit loaded alone', () => {
  it('is the class and the errors ccxt exports', () => {
    expect(BybitPro).toBe(ccxt.pro.bybit);
    for (const name of ['NetworkError', 'RateLimitExceeded', 'AuthenticationError', 'InvalidOrder', 'BadResponse'])
      expect(ccxtErrors[name as keyof typeof ccxtErrors]).toBe(ccxt[name as keyof typeof ccxt]);
  });
  it('throws errors that are ccxt errors', () => {
    const ex = new BybitPro({});
    expect(() => ex.throwExactlyMatchedException({ '10006': ccxt.RateLimitExceeded }, '10006', 'too many')).toThrow(
      ccxt.RateLimitExceeded,
    );
  });
});
