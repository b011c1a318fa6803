import type { Finding } from '../accounts/assess.ts';
import { type AccountCheck, type CheckTarget, checkAccounts, refusalMessage } from '../accounts/check.ts';
import {
  type AccountConfig,
  CompanionConfig,
  ConfigError,
  loadConfig,
  loadSecrets,
  secretEnvName,
} from '../config/index.ts';
import { systemClock } from '../core/clock.ts';
import { type AccountsCommand, parseAccountsArgs } from './accounts-args.ts';
import { UsageError } from './args.ts';
import {
  defaultConfigFile,
  readRawConfig,
  readSecretsFile,
  resolveConfigFile,
  secretsFileOf,
  startConfigFile,
  writeRawConfig,
  writeSecretsFile,
} from './config-file.ts';
import { askCredentials, type PromptStreams } from './credential-prompt.ts';

/**
 * `pnpm accounts ...`: add an account (key and secret asked for, never on the command line, checked before
 * anything is written), list them, check their keys, remove one. Exit codes: 0 fine, 1 an exchange not
 * reachable, 2 bad usage or a key refused (the account named).
 */

export interface AccountsIo extends PromptStreams {
  env: NodeJS.ProcessEnv;
  /** Injected for tests: a terminal prompt on streams that are not a TTY. */
  terminal?: boolean;
}

const SIGN: Record<Finding['level'], string> = { error: '✗', warn: '!', info: '·' };
const isEmbedded = (a: AccountConfig) => a.mode === 'paper' && !a.baseUrl;

function printCheck(out: NodeJS.WritableStream, c: AccountCheck, mode: string): void {
  const v = c.assessment.verdict;
  const unchecked = c.assessment.findings.some((f) => f.code === 'unreachable');
  const head = unchecked
    ? 'NOT CHECKED'
    : v === 'refuse'
      ? 'REFUSED'
      : c.assessment.canTrade
        ? v === 'ok'
          ? 'ok'
          : 'ok, with warnings'
        : 'monitoring only';
  out.write(`account ${c.account} (${mode}): ${head}\n`);
  for (const f of c.assessment.findings) out.write(`  ${SIGN[f.level]} ${f.text}\n`);
}

async function runChecks(targets: CheckTarget[], config: CompanionConfig, io: AccountsIo): Promise<number> {
  const checks = await checkAccounts(targets, { clock: systemClock, timeoutMs: config.exchange.timeoutMs });
  for (const c of checks) printCheck(io.output, c, config.accounts[c.index]!.mode);
  const refused = refusalMessage(checks);
  if (refused) throw new ConfigError(refused);
  return checks.some((c) => c.assessment.findings.some((f) => f.code === 'unreachable')) ? 1 : 0;
}

function startHint(file: string, env: NodeJS.ProcessEnv): string {
  return file === defaultConfigFile(env) ? 'pnpm start' : `pnpm start --config ${file}`;
}

async function add(cmd: Extract<AccountsCommand, { sub: 'add' }>, io: AccountsIo): Promise<number> {
  const file = resolveConfigFile(cmd.config, io.env);
  const raw = readRawConfig(file);
  const existing = raw.accounts ?? [];
  if (existing.some((a) => a.name === cmd.name)) throw new UsageError(`account ${cmd.name} already exists in ${file}`);
  const entry: Record<string, unknown> = {
    name: cmd.name,
    role: cmd.mirrorOf ? 'mirror' : 'main',
    mode: cmd.mode,
    ...(cmd.mirrorOf ? { mirrorOf: cmd.mirrorOf, mirrorRatio: cmd.ratio ?? 1 } : {}),
    ...(cmd.baseUrl ? { baseUrl: cmd.baseUrl } : {}),
  };
  const secretsFile = secretsFileOf(file, raw);
  const next = { ...raw, secretsFile, accounts: [...existing, entry] };
  const parsed = CompanionConfig.safeParse(next);
  if (!parsed.success)
    throw new ConfigError(
      `account ${cmd.name} cannot be added:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  const secrets = readSecretsFile(secretsFile);
  const creds = await askCredentials(cmd.name, io, { terminal: io.terminal });
  const index = parsed.data.accounts.length - 1;
  // Checked before anything is written: a key that can withdraw is never stored.
  const code = await runChecks(
    [{ account: cmd.name, index, mode: cmd.mode, baseUrl: cmd.baseUrl, ...creds, allowWithdrawalKey: false }],
    parsed.data,
    io,
  );
  if (code !== 0) {
    io.output.write(
      `nothing saved: the key of ${cmd.name} could not be checked; try again when the exchange answers\n`,
    );
    return code;
  }
  writeSecretsFile(secretsFile, { ...secrets, [cmd.name]: creds });
  writeRawConfig(file, next);
  if (existing.length === 0) io.output.write('the built-in paper accounts are replaced by this one\n');
  io.output.write(
    `saved ${cmd.name} in ${file}, its key in ${secretsFile} (mode 600)\nstart with: ${startHint(file, io.env)}\n`,
  );
  return 0;
}

function loaded(configArg: string | undefined, io: AccountsIo) {
  const file = startConfigFile(configArg, io.env);
  const config = loadConfig({ file, env: io.env });
  const secrets = loadSecrets(
    config.accounts.map((a) => a.name),
    { file: config.secretsFile, env: io.env },
  );
  return { file, config, secrets };
}

function list(cmd: Extract<AccountsCommand, { sub: 'list' }>, io: AccountsIo): number {
  const { file, config, secrets } = loaded(cmd.config, io);
  io.output.write(`accounts in ${file ?? 'the defaults (no config file)'}:\n`);
  for (const a of config.accounts) {
    const role = a.role === 'mirror' ? `mirror of ${a.mirrorOf ?? 'main'} ×${a.mirrorRatio}` : 'main';
    const fromEnv = io.env[secretEnvName(a.name, 'API_KEY')] !== undefined;
    const key = isEmbedded(a)
      ? 'embedded paper exchange'
      : secrets.has(a.name)
        ? fromEnv
          ? 'key from the environment'
          : 'key in the secrets file'
        : 'NO KEY';
    io.output.write(`  ${a.name.padEnd(16)} ${role.padEnd(22)} ${a.mode.padEnd(8)} ${a.baseUrl ?? ''}  ${key}\n`);
  }
  return 0;
}

async function check(cmd: Extract<AccountsCommand, { sub: 'check' }>, io: AccountsIo): Promise<number> {
  const { config, secrets } = loaded(cmd.config, io);
  if (cmd.name && !config.accounts.some((a) => a.name === cmd.name))
    throw new UsageError(`unknown account ${cmd.name} (known: ${config.accounts.map((a) => a.name).join(', ')})`);
  const targets: CheckTarget[] = [];
  for (const [index, a] of config.accounts.entries()) {
    if (cmd.name && a.name !== cmd.name) continue;
    if (isEmbedded(a)) {
      io.output.write(`account ${a.name} (paper): embedded exchange, nothing to check\n`);
      continue;
    }
    const creds = secrets.get(a.name);
    if (!creds)
      throw new ConfigError(
        `account ${a.name}: no key; set ${secretEnvName(a.name, 'API_KEY')} and ${secretEnvName(a.name, 'SECRET')}, or run "pnpm accounts add"`,
      );
    targets.push({
      account: a.name,
      index,
      mode: a.mode,
      baseUrl: a.baseUrl,
      ...creds,
      allowWithdrawalKey: a.allowWithdrawalKey,
    });
  }
  return runChecks(targets, config, io);
}

function remove(cmd: Extract<AccountsCommand, { sub: 'remove' }>, io: AccountsIo): number {
  const file = resolveConfigFile(cmd.config, io.env);
  const raw = readRawConfig(file);
  const accounts = raw.accounts ?? [];
  if (!accounts.some((a) => a.name === cmd.name)) throw new UsageError(`account ${cmd.name} is not in ${file}`);
  const { accounts: _, ...rest } = raw;
  const left = accounts.filter((a) => a.name !== cmd.name);
  const next = left.length > 0 ? { ...rest, accounts: left } : rest;
  const parsed = CompanionConfig.safeParse(next);
  if (!parsed.success)
    throw new ConfigError(
      `account ${cmd.name} cannot be removed:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  const secretsFile = secretsFileOf(file, raw);
  const secrets = readSecretsFile(secretsFile);
  if (cmd.name in secrets) {
    const { [cmd.name]: _gone, ...keep } = secrets;
    writeSecretsFile(secretsFile, keep);
  }
  writeRawConfig(file, next);
  io.output.write(
    `removed ${cmd.name} and its key${left.length === 0 ? '; the built-in paper accounts are back' : ''}\n`,
  );
  return 0;
}

export async function accountsMain(argv: string[], io: AccountsIo): Promise<number> {
  const cmd = parseAccountsArgs(argv);
  if (cmd.sub === 'add') return add(cmd, io);
  if (cmd.sub === 'list') return list(cmd, io);
  if (cmd.sub === 'check') return check(cmd, io);
  return remove(cmd, io);
}
