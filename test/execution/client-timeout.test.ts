import type { LegResult } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../companion/src/core/clock.ts';
import { Semaphore } from '../../companion/src/core/semaphore.ts';
import { ExchangeCallError, ExchangeConfig } from '../../companion/src/exchange/index.ts';
import { retryPolicy, withRetry } from '../../companion/src/exchange/retry.ts';
import type { AccountClient } from '../../companion/src/exchange/types.ts';
import { ExecutionConfig, type ExecutionPlan } from '../../companion/src/execution/index.ts';
import { placeLeg } from '../../companion/src/execution/legs.ts';
import { EXECUTE_TIMEOUT_MS } from '../../extension/utils/api.ts';

/**
 * The extension waits EXECUTE_TIMEOUT_MS for POST /execute; that must outlast the companion's worst case
 * with its default config, or a slow execution reads as a failure while its orders stand. The worst case is
 * measured here on the companion's own code (retry loop, leg placement and lookups) on a manual clock, every
 * exchange call taking the full exchange timeout and then failing in the way that retries longest.
 */

const exchange = ExchangeConfig.parse({});
const execution = ExecutionConfig.parse({});

/** Runs `work` on `clock`, a second at a time, and says how much clock time it took. */
async function clockTime(clock: ManualClock, work: () => Promise<unknown>): Promise<number> {
  const start = clock.now();
  let end: number | null = null;
  void work().finally(() => {
    end = clock.now();
  });
  for (let i = 0; end === null; i++) {
    if (i > 3600) throw new Error('still running after an hour of clock time');
    await clock.advance(1000);
  }
  return end - start;
}

/** A read that times out, then is rate limited with the longest reset the retry loop honours, every time. */
const worstRead = (clock: ManualClock) =>
  withRetry(
    async () => {
      await clock.sleep(exchange.timeoutMs);
      throw new ExchangeCallError('backoff', 'RATE_LIMITED', 'slow, then limited', 'main', Number.MAX_SAFE_INTEGER);
    },
    { policy: retryPolicy(exchange.retry, {}), clock },
  );

describe('the extension’s execute timeout', () => {
  it('outlasts the companion’s worst execute on its default config', async () => {
    const readClock = new ManualClock();
    const readMs = await clockTime(readClock, () => worstRead(readClock).catch(() => {}));

    // One leg: the send times out (it is never retried), then its lookups fail until the leg gives up. The
    // longest is lookups failing at once until just before the give-up, the last one then taking two full
    // reads (open orders, then the history): the give-up time measured with instant failures, plus those.
    const clock = new ManualClock();
    const client = {
      placeOrder: async () => {
        await clock.sleep(exchange.timeoutMs);
        throw new ExchangeCallError('retry', 'EXCHANGE_UNAVAILABLE', 'timed out', 'main', null, 'RequestTimeout');
      },
      findOrder: async () => {
        throw new ExchangeCallError('retry', 'EXCHANGE_UNAVAILABLE', 'down', 'main');
      },
    } as unknown as AccountClient;
    const leg = { account: 'main', clientOrderId: 'k-main', status: 'pending', qty: 1 } as LegResult;
    const plan = { symbol: 'BTCUSDT', side: 'long', orderType: 'market', price: null } as ExecutionPlan;
    let outcome: LegResult | null = null;
    const giveUpMs = await clockTime(clock, async () => {
      outcome = await placeLeg({ client, sem: new Semaphore(1), clock, settleMs: execution.settleMs }, leg, plan);
    });
    expect(outcome).toMatchObject({ status: 'unknown' }); // it gave up: the leg's wait is bounded
    const legMs = giveUpMs + 2 * readMs;

    // Validation reads the mark and every balance at once: one read. Then every leg at once: one leg.
    const worstMs = readMs + legMs;
    console.log(
      `execute worst case: validation ${readMs / 1000} s + leg ${giveUpMs / 1000} s to give up + 2 reads ` +
        `${(2 * readMs) / 1000} s = ${worstMs / 1000} s; ` +
        `the extension waits ${EXECUTE_TIMEOUT_MS / 1000} s`,
    );
    expect(EXECUTE_TIMEOUT_MS).toBeGreaterThan(worstMs);
    // Browsers and Node's HTTP server may drop a request open this long: past it, waiting is no use.
    expect(EXECUTE_TIMEOUT_MS).toBeLessThan(300_000);
  });
});
