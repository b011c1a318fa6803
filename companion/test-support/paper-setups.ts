import type { AccountSetup } from '../src/exchange/index.ts';

/**
 * Account setups for a paper exchange the caller started (tests, benchmarks): the first account is the
 * main one, the others mirror it at `mirrorRatio`.
 */
export function paperSetups(
  paper: { url: string },
  accounts: readonly { name: string; apiKey: string; secret: string }[],
  mirrorRatio = 1,
): AccountSetup[] {
  return accounts.map((c, i) => ({
    account: {
      name: c.name,
      role: i === 0 ? 'main' : 'mirror',
      mirrorOf: i === 0 ? null : accounts[0]!.name,
      mirrorRatio: i === 0 ? 1 : mirrorRatio,
      exchange: 'bybit',
      mode: 'paper',
    },
    baseUrl: paper.url,
    credentials: { apiKey: c.apiKey, secret: c.secret },
  }));
}
