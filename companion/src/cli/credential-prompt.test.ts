import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseAccountsArgs } from './accounts-args.ts';
import { askCredentials } from './credential-prompt.ts';

/** The prompt as a terminal drives it (inquirer on injected streams) and as a pipe does (two lines). */

function streams() {
  const input = new PassThrough();
  const output = new PassThrough();
  // Like process.stdout, which no prompt can end (inquirer pipes into its output, and a pipe ends it).
  output.end = (() => output) as typeof output.end;
  let shown = '';
  output.on('data', (d: Buffer) => (shown += d.toString()));
  return { input, output, shown: () => shown };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('askCredentials', () => {
  it('on a terminal: asks twice and echoes neither value', async () => {
    const io = streams();
    const answer = askCredentials('desk', io, { terminal: true });
    await tick();
    io.input.write('KEY-abc123\r');
    await tick();
    io.input.write('SECRET-s3cr3t-value\r');
    await expect(answer).resolves.toEqual({ apiKey: 'KEY-abc123', secret: 'SECRET-s3cr3t-value' });
    expect(io.shown()).toContain('API key for desk');
    expect(io.shown()).toContain('API secret for desk');
    expect(io.shown()).not.toContain('s3cr3t');
    expect(io.shown()).not.toContain('abc123');
  });

  it('from a pipe: the first two lines', async () => {
    const io = streams();
    io.input.end('k1\ns1\nignored\n');
    await expect(askCredentials('desk', io, { terminal: false })).resolves.toEqual({ apiKey: 'k1', secret: 's1' });
  });

  it('from a pipe with one line: names what is missing', async () => {
    const io = streams();
    io.input.end('only-a-key\n');
    await expect(askCredentials('desk', io, { terminal: false })).rejects.toThrow(
      /account desk: expected the API key and the secret/,
    );
  });
});

describe('parseAccountsArgs', () => {
  it.each([
    [['add', 'desk'], { sub: 'add', name: 'desk', mode: 'live' }],
    [['add', 'desk', '--mode', 'demo'], { mode: 'demo' }],
    [['add', 'm', '--mirror-of', 'desk', '--ratio', '0.5'], { mirrorOf: 'desk', ratio: 0.5 }],
    [['check'], { sub: 'check', name: undefined }],
    [['remove', 'desk', '--config', 'c.json'], { sub: 'remove', name: 'desk', config: 'c.json' }],
  ])('%j', (argv, want) => expect(parseAccountsArgs(argv)).toMatchObject(want));

  it.each([
    [['add'], /needs the account name/],
    [['add', 'd', '--mode', 'mainnet'], /--mode must be testnet, demo or live/],
    [['add', 'd', '--mode', 'paper'], /--mode paper needs --base-url/],
    [['add', 'd', '--ratio', '2'], /--ratio is for a mirror/],
    [['add', 'd', '--mirror-of', 'm', '--ratio', '0'], /--ratio must be a number above 0/],
    [['list', '--mode', 'live'], /--mode is only for "accounts add"/],
    [['frobnicate'], /unknown accounts command "frobnicate"/],
  ])('%j is refused', (argv, why) => expect(() => parseAccountsArgs(argv)).toThrow(why));
});
