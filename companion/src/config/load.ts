import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { CompanionConfig } from './schema.ts';

/** Invalid configuration: start-up stops with exit code 2 and this message. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * A setting whose value cannot work at start-up (a data dir that is a file, a port in use): one line naming the
 * setting and the value, like the schema's own messages, and exit code 2.
 */
export function settingError(setting: string, value: unknown, why: string): ConfigError {
  return new ConfigError(`${setting} = ${JSON.stringify(value)}: ${why}`);
}

/** A port the companion cannot bind is a setting to change: named, exit code 2. Anything else stays a failure. */
export function portSettingError(port: number, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return settingError(
      'server.port',
      port,
      'in use by another process (EADDRINUSE); stop it, or choose another port (--port, 0 picks a free one)',
    );
  if (code === 'EACCES')
    return settingError('server.port', port, 'not allowed (EACCES): ports below 1024 need privileges');
  return err;
}

const ENV_PREFIX = 'COMPANION__';

/** COMPANION__MONITOR__CRITICAL_PCT → ['monitor', 'criticalPct']. */
function envPath(key: string): string[] {
  return key
    .slice(ENV_PREFIX.length)
    .split('__')
    .map((seg) => seg.toLowerCase().replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase()));
}

/** Env values are JSON when they parse as JSON (numbers, booleans, arrays), plain strings otherwise. */
function envValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const seg of path.slice(0, -1)) {
    const next = node[seg];
    node[seg] = next !== null && typeof next === 'object' && !Array.isArray(next) ? next : {};
    node = node[seg] as Record<string, unknown>;
  }
  node[path.at(-1)!] = value;
}

function readFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`config file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  try {
    const ext = extname(file).toLowerCase();
    const data: unknown = ext === '.yaml' || ext === '.yml' ? parseYaml(text) : JSON.parse(text);
    if (data === null || data === undefined) return {};
    if (typeof data !== 'object' || Array.isArray(data)) throw new Error('the top level must be an object');
    return data as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`config file ${file}: not valid ${extname(file) || 'JSON'}: ${(err as Error).message}`);
  }
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let node = input;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[seg];
  }
  return node;
}

function describe(error: z.ZodError, input: unknown, source: string): string {
  const lines = error.issues.map((issue) => {
    const field = issue.path.map(String).join('.') || '(top level)';
    // An unknown key is named by its message; echoing the object around it could print a credential
    // someone put in the config by mistake, as could a value under a credential-like name.
    if (issue.code === 'unrecognized_keys') return `  ${field}: ${issue.message}`;
    const value = valueAt(input, issue.path);
    const secretLike = /key|secret|token|password/i.test(String(issue.path.at(-1) ?? ''));
    const shown = value === undefined ? 'missing' : secretLike ? '[redacted]' : JSON.stringify(value);
    return `  ${field} = ${shown}: ${issue.message}`;
  });
  return `invalid config (${source}):\n${lines.join('\n')}`;
}

/**
 * Reads the config once: file (JSON or YAML) first, then `COMPANION__SECTION__KEY` variables on top,
 * then validates. Throws ConfigError naming each bad field, its value and what is allowed.
 */
export function loadConfig(opts: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Record<string, unknown> } = {}) {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.COMPANION_CONFIG;
  const input: Record<string, unknown> = file ? readFile(file) : {};
  for (const [key, raw] of Object.entries(env)) {
    if (key.startsWith(ENV_PREFIX) && raw !== undefined) setPath(input, envPath(key), envValue(raw));
  }
  for (const [dotted, value] of Object.entries(opts.overrides ?? {})) setPath(input, dotted.split('.'), value);
  const parsed = CompanionConfig.safeParse(input);
  if (!parsed.success) throw new ConfigError(describe(parsed.error, input, file ?? 'defaults and environment'));
  return parsed.data;
}
