import { createInterface } from 'node:readline';
import { password } from '@inquirer/prompts';

/**
 * Asks for an account's API key and secret. On a terminal: @inquirer/prompts' password prompt, which echoes
 * nothing. Otherwise (a pipe, a script): the two values as the first two lines of the input, so
 * `printf '%s\n%s\n' "$KEY" "$SECRET" | pnpm accounts add desk` works and nothing is ever on the command line.
 */

export interface PromptStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

export interface Credentials {
  apiKey: string;
  secret: string;
}

const notEmpty = (what: string) => (v: string) => v.trim().length > 0 || `the ${what} is empty`;

async function fromTerminal(account: string, io: PromptStreams): Promise<Credentials> {
  const ctx = { input: io.input, output: io.output } as Parameters<typeof password>[1];
  const apiKey = await password({ message: `API key for ${account}:`, validate: notEmpty('API key') }, ctx);
  const secret = await password({ message: `API secret for ${account}:`, validate: notEmpty('API secret') }, ctx);
  return { apiKey: apiKey.trim(), secret: secret.trim() };
}

async function fromLines(account: string, io: PromptStreams): Promise<Credentials> {
  const rl = createInterface({ input: io.input, terminal: false });
  const lines: string[] = [];
  for await (const line of rl) {
    lines.push(line.trim());
    if (lines.length === 2) break;
  }
  rl.close();
  const [apiKey = '', secret = ''] = lines;
  if (!apiKey || !secret)
    throw new Error(`account ${account}: expected the API key and the secret on the first two lines of the input`);
  return { apiKey, secret };
}

export function askCredentials(
  account: string,
  io: PromptStreams,
  opts: { terminal?: boolean } = {},
): Promise<Credentials> {
  return (opts.terminal ?? io.input.isTTY === true) ? fromTerminal(account, io) : fromLines(account, io);
}
