import { parseArgs } from 'node:util';
import { UsageError } from './args.ts';

/**
 * `accounts add NAME [--mode testnet|demo|live] [--mirror-of MAIN --ratio R] [--base-url URL]`,
 * `accounts list`, `accounts check [NAME]`, `accounts remove NAME`; each takes `--config FILE`.
 */

export type AccountsCommand =
  | {
      sub: 'add';
      name: string;
      mode: 'paper' | 'testnet' | 'demo' | 'live';
      mirrorOf: string | undefined;
      ratio: number | undefined;
      baseUrl: string | undefined;
      config: string | undefined;
    }
  | { sub: 'list'; config: string | undefined }
  | { sub: 'check'; name: string | undefined; config: string | undefined }
  | { sub: 'remove'; name: string; config: string | undefined };

const USAGE =
  'use "accounts add NAME [--mode testnet|demo|live] [--mirror-of MAIN --ratio R]", "accounts list", "accounts check [NAME]" or "accounts remove NAME"';

export function parseAccountsArgs(argv: string[]): AccountsCommand {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        mode: { type: 'string' },
        'mirror-of': { type: 'string' },
        ratio: { type: 'string' },
        'base-url': { type: 'string' },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; ${USAGE}`);
  }
  const [sub, name, ...extra] = positionals;
  const config = values.config as string | undefined;
  if (extra.length > 0) throw new UsageError(`unexpected "${extra.join(' ')}"; ${USAGE}`);
  const only = (allowed: string[]) => {
    const bad = Object.keys(values).filter((k) => k !== 'config' && !allowed.includes(k));
    if (bad.length > 0) throw new UsageError(`--${bad[0]} is only for "accounts add"`);
  };
  if (sub === 'list') {
    only([]);
    if (name) throw new UsageError(`"accounts list" takes no name; ${USAGE}`);
    return { sub, config };
  }
  if (sub === 'check') {
    only([]);
    return { sub, name, config };
  }
  if (sub === 'remove') {
    only([]);
    if (!name) throw new UsageError('"accounts remove" needs the account name');
    return { sub, name, config };
  }
  if (sub !== 'add') throw new UsageError(sub ? `unknown accounts command "${sub}"; ${USAGE}` : USAGE);
  if (!name) throw new UsageError('"accounts add" needs the account name');
  const mode = (values.mode as string | undefined) ?? 'live';
  const baseUrl = values['base-url'] as string | undefined;
  if (!['testnet', 'demo', 'live', 'paper'].includes(mode))
    throw new UsageError(`--mode must be testnet, demo or live, got "${mode}"`);
  if (mode === 'paper' && !baseUrl)
    throw new UsageError('--mode paper needs --base-url (a "pnpm sim" exchange); the embedded one needs no keys');
  const mirrorOf = values['mirror-of'] as string | undefined;
  const rawRatio = values.ratio as string | undefined;
  if (rawRatio !== undefined && !mirrorOf) throw new UsageError('--ratio is for a mirror: give --mirror-of MAIN too');
  const ratio = rawRatio === undefined ? undefined : Number(rawRatio);
  if (ratio !== undefined && !(ratio > 0 && ratio <= 100))
    throw new UsageError(`--ratio must be a number above 0 and at most 100, got "${rawRatio}"`);
  return { sub, name, mode: mode as 'paper' | 'testnet' | 'demo' | 'live', mirrorOf, ratio, baseUrl, config };
}
