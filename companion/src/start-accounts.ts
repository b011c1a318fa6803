import type { Account } from '@tierwatch/shared';
import { checkAccounts, checkTargets, refusalMessage } from './accounts/check.ts';
import { type CompanionConfig, ConfigError, secretEnvName } from './config/index.ts';
import { type Clock, systemClock } from './core/clock.ts';
import type { Logger } from './core/logger.ts';
import type { AccountSetup, ApiCredentials } from './exchange/index.ts';
import { type PaperExchange, startPaperExchange } from './paper/index.ts';

/**
 * Start-up's account steps (runtime.ts calls them in order): every account's credentials and URLs, from
 * the embedded paper exchange or the secrets, then the check of every real key before any is used.
 */

export /**
 * Accounts in paper mode without a base URL run on a paper exchange the companion starts itself, with
 * credentials it generates; every other account needs credentials from the environment or secrets file.
 */
async function setupAccounts(
  config: CompanionConfig,
  accounts: Account[],
  secrets: Map<string, ApiCredentials>,
  opts: { clock: Clock; logger: Logger },
): Promise<{ setups: AccountSetup[]; paper: PaperExchange | null }> {
  const embedded = config.accounts.filter((a) => a.mode === 'paper' && !a.baseUrl).map((a) => a.name);
  let paper: PaperExchange | null = null;
  if (embedded.length > 0) {
    paper = await startPaperExchange({
      accounts: embedded,
      positionsPerAccount: config.paper.positionsPerAccount,
      symbols: Math.max(config.paper.symbols, config.paper.positionsPerAccount),
      seed: config.paper.seed,
      latency: { fixedMs: config.paper.latencyMs },
      volatility: config.paper.volatility,
      clock: opts.clock,
      logger: opts.logger.child({ module: 'paper' }),
    });
  }
  const setups = accounts.map((account, i): AccountSetup => {
    const cfg = config.accounts[i]!;
    const fromPaper =
      paper && !cfg.baseUrl && cfg.mode === 'paper' ? paper.accounts.find((p) => p.name === account.name) : undefined;
    const credentials: ApiCredentials | undefined = fromPaper ?? secrets.get(account.name);
    if (!credentials) {
      throw new ConfigError(
        `account ${account.name} (${account.mode}) needs credentials: set ${secretEnvName(account.name, 'API_KEY')} and ${secretEnvName(account.name, 'SECRET')}, or use secretsFile`,
      );
    }
    return { account, credentials, baseUrl: fromPaper ? paper!.url : cfg.baseUrl, streamUrl: cfg.streamUrl };
  });
  return { setups, paper };
}

export /**
 * Every key not made by the embedded paper exchange is checked before it is used: one that can move money
 * out, has expired, or sits on a hedge-mode account stops start-up here, naming the account.
 */
async function checkKeys(config: CompanionConfig, setups: AccountSetup[], logger: Logger) {
  const keyChecks = await checkAccounts(checkTargets(config, setups), {
    // The wall clock, whatever the injected one: ccxt stamps requests with it, and Bybit's receive window
    // and the key's expiry are judged against real time.
    clock: systemClock,
    timeoutMs: config.exchange.timeoutMs,
    logger: logger.child({ module: 'key-check' }),
  });
  const refused = refusalMessage(keyChecks);
  if (refused) throw new ConfigError(refused);
  return keyChecks;
}

export type KeyChecks = Awaited<ReturnType<typeof checkKeys>>;
