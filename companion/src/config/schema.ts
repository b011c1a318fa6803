import { Account, AccountName, EXTENSION_ID, ExchangeMode } from '@tierwatch/shared';
import { z } from 'zod';
import { CacheConfig } from '../cache/config.ts';
import { ExchangeConfig } from '../exchange/config.ts';
import { ExecutionConfig } from '../execution/config.ts';
import { HttpConfig } from '../http/config.ts';
import { MonitorConfig } from '../monitor/config.ts';
import { WsConfig } from '../ws/config.ts';
import { secretEnvName, secretEnvSegment } from './secret-env.ts';

/**
 * The companion's one typed config. Every field is defaulted, so no file at all means: the paper exchange,
 * one main and one mirror account, sample positions. Sections owned by a concept (monitor, cache,
 * execution, ...) are composed in here so the file has one shape and is parsed once at start.
 */

export const AccountConfig = z
  .object({
    name: AccountName,
    role: Account.shape.role.default('main'),
    /** For a mirror: the main account it follows (default: the only main account). */
    mirrorOf: AccountName.optional(),
    mirrorRatio: z.number().positive().max(100).default(1),
    mode: ExchangeMode.default('paper'),
    /** Override the exchange's base URL: a Bybit regional host, or a standalone `pnpm sim` paper exchange. */
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    /**
     * Run with a key that can withdraw or transfer funds. Refused without this (start-up stops, exit 2); with it,
     * every start logs an error-level warning naming the account. Use a trade-only key instead.
     */
    allowWithdrawalKey: z.boolean().default(false),
    /** Override where the account's streams live (default: baseUrl's host as ws:// or wss://, Bybit's paths). */
    streamUrl: z.url({ protocol: /^wss?$/ }).optional(),
  })
  .strict();
export type AccountConfig = z.infer<typeof AccountConfig>;

export const DEFAULT_ACCOUNTS: AccountConfig[] = [
  { name: 'main', role: 'main', mirrorRatio: 1, mode: 'paper', allowWithdrawalKey: false },
  { name: 'mirror1', role: 'mirror', mirrorOf: 'main', mirrorRatio: 0.5, mode: 'paper', allowWithdrawalKey: false },
];

export const ServerConfig = z
  .object({
    /** 0 picks a free port. The companion only ever binds 127.0.0.1. */
    port: z.number().int().min(0).max(65535).default(8787),
  })
  .strict();

export const PaperConfig = z
  .object({
    positionsPerAccount: z.number().int().min(0).max(500).default(40),
    symbols: z.number().int().min(1).max(500).default(120),
    seed: z.number().int().default(42),
    latencyMs: z.number().min(0).max(60_000).default(0),
    /** Multiplies every symbol's realistic volatility: 1 moves like the real market, 60 an hour a minute. */
    volatility: z.number().min(0).max(10_000).default(1),
  })
  .strict();

export const LogConfig = z
  .object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** `auto`: human lines (pino-pretty) when stderr is a terminal, JSON lines otherwise. */
    format: z.enum(['auto', 'json', 'pretty']).default('auto'),
  })
  .strict();

export const CompanionConfig = z
  .object({
    server: ServerConfig.default(ServerConfig.parse({})),
    /** Pairing token, execution journal. Default: $XDG_STATE_HOME/tierwatch or ~/.local/state/tierwatch. */
    dataDir: z.string().min(1).optional(),
    /** A JSON file `{ "<account>": { "apiKey": "...", "secret": "..." } }`, readable by its owner only. */
    secretsFile: z.string().min(1).optional(),
    log: LogConfig.default(LogConfig.parse({})),
    accounts: z.array(AccountConfig).min(1).max(50).default(DEFAULT_ACCOUNTS),
    paper: PaperConfig.default(PaperConfig.parse({})),
    exchange: ExchangeConfig.prefault({}),
    monitor: MonitorConfig.prefault({}),
    cache: CacheConfig.prefault({}),
    // Only this product's extension may call by default (another extension is refused like a web page).
    http: HttpConfig.prefault({ extensionIds: [EXTENSION_ID] }),
    execution: ExecutionConfig.prefault({}),
    ws: WsConfig.prefault({}),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    // First account index per credential segment: two names mapping to one set of variables would share
    // one set of credentials and trade one exchange account twice.
    const bySegment = new Map<string, number>();
    const mains = cfg.accounts.filter((a) => a.role === 'main');
    cfg.accounts.forEach((a, i) => {
      const first = bySegment.get(secretEnvSegment(a.name));
      if (first === undefined) bySegment.set(secretEnvSegment(a.name), i);
      else if (cfg.accounts[first]!.name === a.name)
        ctx.addIssue({ code: 'custom', path: ['accounts', i, 'name'], message: `duplicate account name "${a.name}"` });
      else
        ctx.addIssue({
          code: 'custom',
          path: ['accounts', i, 'name'],
          message: `shares its credentials (${secretEnvName(a.name, '*')}) with accounts.${first}.name "${cfg.accounts[first]!.name}"; rename one of them`,
        });
      if (a.role === 'mirror') {
        const target = a.mirrorOf ?? (mains.length === 1 ? mains[0]!.name : undefined);
        if (!target || !mains.some((m) => m.name === target)) {
          ctx.addIssue({
            code: 'custom',
            path: ['accounts', i, 'mirrorOf'],
            message: `a mirror must follow a main account (one of: ${mains.map((m) => m.name).join(', ') || 'none configured'})`,
          });
        }
      } else if (a.mirrorOf !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['accounts', i, 'mirrorOf'],
          message: 'only a mirror account follows another',
        });
      }
    });
    if (mains.length === 0)
      ctx.addIssue({ code: 'custom', path: ['accounts'], message: 'needs at least one account with role "main"' });
    oneMarket(cfg.accounts, ctx);
  });

/**
 * Where an account's prices come from. Demo trading trades at Bybit's live prices (its public streams are
 * mainnet's); the testnet and each paper exchange have prices of their own.
 */
function priceMarket(a: AccountConfig): string | null {
  // A baseUrl that is no URL has its own error (zod checks go on after a failed one): no second one here.
  if (a.mode === 'paper' && a.baseUrl && !URL.canParse(a.baseUrl)) return null;
  if (a.mode === 'paper')
    return a.baseUrl ? `the paper exchange at ${new URL(a.baseUrl).origin}` : 'the built-in paper exchange';
  return a.mode === 'testnet' ? "Bybit's testnet" : "Bybit's live market";
}

/**
 * The monitor prices every position from one market, the main account's (its tickers and public streams):
 * an account on another one would be classified, and its TP and SL found hit, at prices it does not trade at.
 */
function oneMarket(accounts: readonly AccountConfig[], ctx: z.RefinementCtx): void {
  const first = accounts.find((a) => a.role === 'main') ?? accounts[0];
  if (!first) return;
  const market = priceMarket(first);
  if (market === null) return;
  accounts.forEach((a, i) => {
    const own = priceMarket(a);
    if (own === null || own === market) return;
    ctx.addIssue({
      code: 'custom',
      path: ['accounts', i, a.mode === 'paper' && first.mode === 'paper' ? 'baseUrl' : 'mode'],
      message: `trades on ${own}, but ${first.name} on ${market}: the companion prices every position from one market; run one companion per market`,
    });
  });
}

export type CompanionConfigInput = z.input<typeof CompanionConfig>;
export type CompanionConfig = z.infer<typeof CompanionConfig>;

/** The protocol view of a configured account: no URLs, no keys. */
export function toProtocolAccount(cfg: CompanionConfig, a: AccountConfig): Account {
  const mains = cfg.accounts.filter((m) => m.role === 'main');
  return {
    name: a.name,
    role: a.role,
    mirrorOf: a.role === 'mirror' ? (a.mirrorOf ?? mains[0]!.name) : null,
    mirrorRatio: a.role === 'mirror' ? a.mirrorRatio : 1,
    exchange: 'bybit',
    mode: a.mode,
  };
}

/** Where the pairing token and the execution journal live. */
export function resolveDataDir(cfg: CompanionConfig, env: NodeJS.ProcessEnv = process.env): string {
  if (cfg.dataDir) return cfg.dataDir;
  const base = env.XDG_STATE_HOME || `${env.HOME ?? '.'}/.local/state`;
  return `${base}/tierwatch`;
}
