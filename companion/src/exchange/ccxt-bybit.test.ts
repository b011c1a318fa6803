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
  it("throws, from Bybit's own error map, errors that are the root's classes", () => {
    const ex = new BybitPro({});
    const body = { retCode: 10006, retMsg: 'Too many visits!', result: {}, time: 1 };
    const answer = () =>
      ex.handleErrors(200, 'OK', 'http://x/v5/position/list', 'GET', {}, JSON.stringify(body), body, {}, '');
    expect(answer).toThrow(ccxt.RateLimitExceeded);
    expect(answer).toThrow(ccxt.NetworkError);
  });
});
