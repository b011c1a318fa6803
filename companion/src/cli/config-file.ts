import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ConfigError, settingError } from '../config/index.ts';

/**
 * The config and secrets files as `pnpm accounts` edits them: read raw (what the trader wrote, not the
 * defaulted config), changed, written back atomically. The secrets file is always mode 600, its directory 700.
 */

/** `$XDG_CONFIG_HOME/tierwatch/config.json`, or `~/.config/tierwatch/config.json`. */
export function defaultConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME ?? '.', '.config');
  return join(base, 'tierwatch', 'config.json');
}

/** `--config FILE`, then COMPANION_CONFIG, then the default file (which `accounts add` creates). */
export function resolveConfigFile(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(explicit ?? env.COMPANION_CONFIG ?? defaultConfigFile(env));
}

/** The file `start` reads when none is named: the default one, if `accounts add` made it; none otherwise. */
export function startConfigFile(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (explicit ?? env.COMPANION_CONFIG) return explicit ?? env.COMPANION_CONFIG;
  const file = defaultConfigFile(env);
  return existsSync(file) ? file : undefined;
}

const isYaml = (file: string) => ['.yaml', '.yml'].includes(extname(file).toLowerCase());

export type RawConfig = Record<string, unknown> & { accounts?: Record<string, unknown>[]; secretsFile?: string };

export function readRawConfig(file: string): RawConfig {
  if (!existsSync(file)) return {};
  const text = readFileSync(file, 'utf8');
  try {
    const data: unknown = isYaml(file) ? parseYaml(text) : JSON.parse(text);
    if (data === null || data === undefined) return {};
    if (typeof data !== 'object' || Array.isArray(data)) throw new Error('the top level must be an object');
    return data as RawConfig;
  } catch (err) {
    throw new ConfigError(
      `config file ${file}: not valid ${isYaml(file) ? 'YAML' : 'JSON'}: ${(err as Error).message}`,
    );
  }
}

/** Written aside and renamed into place: a companion starting meanwhile never reads half a file. */
function writeAtomic(file: string, text: string, mode: number): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(file), `.${process.pid}.${Date.now()}.tmp`);
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

export function writeRawConfig(file: string, data: RawConfig): void {
  writeAtomic(file, isYaml(file) ? stringifyYaml(data) : `${JSON.stringify(data, null, 2)}\n`, 0o600);
}

export type SecretsData = Record<string, { apiKey: string; secret: string }>;

/** The secrets file's entries; refuses one others can read (as start-up does) rather than adding to it. */
export function readSecretsFile(file: string): SecretsData {
  const st = statSync(file, { throwIfNoEntry: false });
  if (!st) return {};
  if ((st.mode & 0o077) !== 0)
    throw settingError(
      'secretsFile',
      file,
      `readable by group or others (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`,
    );
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SecretsData;
  } catch {
    // Never quote the text: it holds keys.
    throw settingError('secretsFile', file, 'not valid JSON');
  }
}

export function writeSecretsFile(file: string, data: SecretsData): void {
  writeAtomic(file, `${JSON.stringify(data, null, 2)}\n`, 0o600);
}

/** The secrets file a config names (relative to the config's folder), or `secrets.json` beside it. */
export function secretsFileOf(configFile: string, raw: RawConfig): string {
  return raw.secretsFile ? resolve(dirname(configFile), raw.secretsFile) : join(dirname(configFile), 'secrets.json');
}
