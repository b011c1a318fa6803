import { afterEach, describe, expect, it } from 'vitest';
import { assessKey } from '../accounts/assess.ts';
import { systemClock } from '../core/clock.ts';
import { type PaperExchange, startPaperExchange } from '../paper/index.ts';
import { createBybit } from './bybit.ts';
import { readKeyFacts } from './key-check.ts';

/** The key check's reads through ccxt against the paper exchange, which answers query-api as Bybit does. */

let ex: PaperExchange | null = null;
afterEach(async () => {
  await ex?.close();
  ex = null;
});

async function facts(account = 'main', setup?: (ex: PaperExchange) => void) {
  ex = await startPaperExchange({ accounts: ['main', 'mirror1'], positionsPerAccount: 4, volatilityPerMinute: 0 });
  setup?.(ex);
  const acc = ex.accounts.find((a) => a.name === account)!;
  return readKeyFacts({ account, mode: 'paper', baseUrl: ex.url, ...acc, timeoutMs: 5000 }, systemClock);
}

describe('readKeyFacts', () => {
  it('a default paper key: trade-only, not IP-bound, no expiry, UTA, one-way, clock in step', async () => {
    const f = await facts();
    expect(f).toMatchObject({
      unreachable: null,
      refused: null,
      hedgeMode: false,
      key: {
        readOnly: false,
        wallet: [],
        contractTrade: ['Order', 'Position'],
        ips: ['*'],
        expiresAt: null,
        unified: true,
      },
    });
    expect(Math.abs(f.skewMs!)).toBeLessThan(500);
  });

  it('withdraw rights, a read-only key, an expiry and hedge mode come through as the exchange says', async () => {
    const expiredAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const f = await facts('main', (e) => {
      e.control.setPermissions('main', { wallet: ['Withdraw'], readOnly: true, expiredAt, ips: ['10.1.1.1'] });
      e.control.setPositionMode('main', 'hedge');
    });
    expect(f.key).toMatchObject({
      readOnly: true,
      wallet: ['Withdraw'],
      ips: ['10.1.1.1'],
      expiresAt: Date.parse(expiredAt),
    });
    expect(f.hedgeMode).toBe(true);
    const a = assessKey(f, { now: Date.now(), allowWithdrawalKey: false });
    expect(a.verdict).toBe('refuse');
    expect(a.findings.map((x) => x.code)).toEqual(
      expect.arrayContaining(['withdraw', 'read-only', 'expires', 'hedge-mode']),
    );
  });

  it("the clock skew is measured against the exchange's server time", async () => {
    // The paper exchange's server time runs 3 s ahead of the wall clock: ours is 3 s behind.
    const f = await facts('main', (e) => e.control.step(3000));
    expect(f.skewMs).toBeLessThan(-2500);
    expect(f.skewMs).toBeGreaterThan(-3500);
  });

  it('a key the exchange does not know is refused, naming its answer', async () => {
    ex = await startPaperExchange({ accounts: ['main'], positionsPerAccount: 0 });
    const f = await readKeyFacts(
      { account: 'x', mode: 'paper', baseUrl: ex.url, apiKey: 'nope', secret: 'nope', timeoutMs: 5000 },
      systemClock,
    );
    expect(f.refused).toMatch(/API key is invalid/);
  });

  it('an exchange that does not answer is unreachable, not refused', async () => {
    const f = await readKeyFacts(
      { account: 'x', mode: 'paper', baseUrl: 'http://127.0.0.1:9', apiKey: 'k', secret: 's', timeoutMs: 2000 },
      systemClock,
    );
    expect(f.unreachable).not.toBeNull();
    expect(f.refused).toBeNull();
  });
});

describe('demo mode', () => {
  it("points every REST entry at Bybit's demo trading host, without a call", () => {
    const ex = createBybit({ demo: true, timeoutMs: 1000 });
    // REST entries only: `ws` (ccxt pro's stream URLs) is an object of its own.
    const rest = Object.values(ex.urls.api as Record<string, unknown>).filter((u) => typeof u === 'string');
    const hosts = rest.map((u) => ex.implodeHostname(u));
    expect(new Set(hosts)).toEqual(new Set(['https://api-demo.bybit.com']));
  });
});
