import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import type { ApiCredentials } from '../exchange/types.ts';
import { ConfigError, settingError } from './load.ts';
import { secretEnvName as envName } from './secret-env.ts';

const SecretsFile = z.record(z.string(), z.object({ apiKey: z.string().min(1), secret: z.string().min(1) }).strict());

/**
 * Exchange credentials per account, from the environment or a secrets file that only its owner may read.
 * The values are returned to the exchange layer and nowhere else: never logged, never served.
 */
export function loadSecrets(
  accounts: readonly string[],
  opts: { file?: string; env?: NodeJS.ProcessEnv },
): Map<string, ApiCredentials> {
  const env = opts.env ?? process.env;
  const out = new Map<string, ApiCredentials>();
  if (opts.file) {
    const file = opts.file;
    const refuse = (why: string) => settingError('secretsFile', file, why);
    const st = statSync(file, { throwIfNoEntry: false });
    if (!st) throw refuse('no such file');
    if (!st.isFile()) throw refuse(`is a ${st.isDirectory() ? 'directory' : 'special file'}, not a file`);
    if ((st.mode & 0o077) !== 0) {
      throw refuse(`readable by group or others (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`);
    }
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw refuse(`cannot read it (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      // V8's message quotes the text around the error, which here is a key or a secret: keep the position only.
      const at = /at position \d+/.exec((err as Error).message)?.[0];
      throw refuse(`not valid JSON${at ? ` (${at})` : ''}`);
    }
    const parsed = SecretsFile.safeParse(data);
    if (!parsed.success) {
      // Name the account and field, never the value.
      const where = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
      throw refuse(`expected { "<account>": { "apiKey", "secret" } } (bad: ${where})`);
    }
    for (const [name, cred] of Object.entries(parsed.data)) {
      if (!accounts.includes(name)) throw refuse(`"${name}" is not a configured account`);
      out.set(name, cred);
    }
  }
  for (const name of accounts) {
    const apiKey = env[envName(name, 'API_KEY')];
    const secret = env[envName(name, 'SECRET')];
    if (apiKey && secret) out.set(name, { apiKey, secret });
    else if (apiKey || secret) {
      throw new ConfigError(`account ${name}: set both ${envName(name, 'API_KEY')} and ${envName(name, 'SECRET')}`);
    }
  }
  return out;
}
