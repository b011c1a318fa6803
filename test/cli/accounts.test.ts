import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PositionsResponse } from '@tierwatch/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { type PaperExchange, startPaperExchange } from '../../companion/src/paper/index.ts';
import { longOrder, postExecute } from '../execution/support.ts';
import {
  ensureBundle,
  onStandalonePaper,
  REPO_ROOT,
  runCli,
  startCompanionProcess,
} from '../support/companion-process.ts';

/**
 * `pnpm accounts` and the start-up key check, through the real CLI, against a paper exchange run in this
 * process (the one `pnpm sim` serves) whose key permissions, clock and position mode the test sets.
 */

let paper: PaperExchange | null = null;
afterEach(async () => {
  await paper?.close();
  paper = null;
});

async function exchange(): Promise<PaperExchange> {
  paper = await startPaperExchange({ accounts: ['main', 'mirror1'], positionsPerAccount: 3, volatilityPerMinute: 0 });
  return paper;
}

/** A home of its own: the default config file lands in $XDG_CONFIG_HOME/tierwatch, nothing in the user's. */
function home() {
  const dir = mkdtempSync(join(tmpdir(), 'tw-accounts-'));
  const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), COMPANION__DATA_DIR: join(dir, 'data') };
  return { dir, env, configFile: join(dir, 'config', 'tierwatch', 'config.json') };
}

const credsOf = (ex: PaperExchange, name: string) => ex.accounts.find((a) => a.name === name)!;
const lines = (ex: PaperExchange, name: string) => `${credsOf(ex, name).apiKey}\n${credsOf(ex, name).secret}\n`;
const START = ['start', '--port', '0', '--json', '--no-extension-build'];

describe('pnpm accounts add', () => {
  it('asks for the key, checks it, writes the entry and a mode-600 secrets file; the secret is never echoed', async () => {
    const ex = await exchange();
    const h = home();
    const add = ['accounts', 'add', 'desk', '--mode', 'paper', '--base-url', ex.url];
    const r = await runCli(add, h.env, { input: lines(ex, 'main') });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/account desk \(paper\): ok, with warnings/);
    expect(r.stdout).toMatch(/not bound to IP addresses/);
    const secret = credsOf(ex, 'main').secret;
    expect(r.stdout).not.toContain(secret);
    const config = readFileSync(h.configFile, 'utf8');
    expect(config).not.toContain(secret);
    expect(config).not.toContain(credsOf(ex, 'main').apiKey);
    expect(JSON.parse(config).accounts).toEqual([{ name: 'desk', role: 'main', mode: 'paper', baseUrl: ex.url }]);
    const secretsFile = JSON.parse(config).secretsFile as string;
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(secretsFile, 'utf8')).desk.secret).toBe(secret);

    // A mirror, then list, check and remove read the same files.
    const mirror = [...add.slice(0, 2), 'desk2', ...add.slice(3), '--mirror-of', 'desk', '--ratio', '0.5'];
    expect((await runCli(mirror, h.env, { input: lines(ex, 'mirror1') })).code).toBe(0);
    const list = await runCli(['accounts', 'list'], h.env);
    expect(list.stdout).toMatch(/desk2\s+mirror of desk ×0.5\s+paper.*key in the secrets file/);
    expect(list.stdout).not.toContain(secret);
    const check = await runCli(['accounts', 'check', 'desk2'], h.env);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/account desk2 \(paper\): ok/);
    expect(check.stdout).not.toMatch(/account desk \(/);
    expect((await runCli(['accounts', 'remove', 'desk'], h.env)).code).toBe(2); // desk2 follows it
    expect((await runCli(['accounts', 'remove', 'desk2'], h.env)).code).toBe(0);
    expect(Object.keys(JSON.parse(readFileSync(secretsFile, 'utf8')))).toEqual(['desk']);
  });

  it('refuses a key that can withdraw, naming the account, and writes nothing', async () => {
    const ex = await exchange();
    ex.control.setPermissions('main', { wallet: ['Withdraw'] });
    const h = home();
    const r = await runCli(['accounts', 'add', 'desk', '--mode', 'paper', '--base-url', ex.url], h.env, {
      input: lines(ex, 'main'),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refused desk:.*\n.*account desk: the key can withdraw funds \(Wallet: Withdraw\)/);
    expect(existsSync(h.configFile)).toBe(false);
  });
});

/** util-linux `script` runs a command in a pseudo-terminal: the CLI sees a TTY and prompts as for a trader. */
const hasScript = spawnSync('script', ['--version']).status === 0;

async function inPty(args: string[], env: NodeJS.ProcessEnv, answers: [string, string][]) {
  await ensureBundle();
  const cmd = [process.execPath, 'companion/dist/main.mjs', ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
  let out = '';
  const pending = [...answers];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    // Typed only once the prompt is up (raw mode, no echo), as a person would.
    while (pending.length > 0 && out.includes(pending[0]![0])) child.stdin.write(`${pending.shift()![1]}\r`);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, out };
}

describe('pnpm accounts add in a pseudo-terminal', () => {
  it.skipIf(!hasScript)(
    'prompts with hidden input: neither the key nor the secret is echoed or in the config',
    async () => {
      const ex = await exchange();
      const h = home();
      const { apiKey, secret } = credsOf(ex, 'main');
      const r = await inPty(['accounts', 'add', 'desk', '--mode', 'paper', '--base-url', ex.url], h.env, [
        ['API key for desk', apiKey],
        ['API secret for desk', secret],
      ]);
      expect(r.out).toMatch(/account desk \(paper\): ok, with warnings/);
      expect(r.code).toBe(0);
      expect(r.out).not.toContain(secret);
      expect(r.out).not.toContain(apiKey);
      const config = readFileSync(h.configFile, 'utf8');
      expect(config).not.toContain(secret);
      const secretsFile = JSON.parse(config).secretsFile as string;
      expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(secretsFile, 'utf8')).desk).toEqual({ apiKey, secret });
    },
  );
});

describe('the key check at start and at accounts check', () => {
  it('a withdraw-capable key stops start-up with exit 2 naming the account, unless allowWithdrawalKey', async () => {
    const ex = await exchange();
    ex.control.setPermissions('mirror1', { wallet: ['AccountTransfer'] });
    const h = home();
    const setup = onStandalonePaper(ex, { dataDir: join(h.dir, 'data'), configDir: h.dir, logLevel: 'warn' });
    const r = await runCli([...START, ...setup.args], { ...h.env, ...setup.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tierwatch: refused mirror1:/);
    expect(r.stderr).toMatch(/the key can transfer funds \(Wallet: AccountTransfer\)/);
    expect(r.stderr).toMatch(/accounts\.1\.allowWithdrawalKey = true/);
    expect(r.stdout).toBe('');

    const file = setup.args[1]!;
    const cfg = JSON.parse(readFileSync(file, 'utf8'));
    cfg.accounts[1].allowWithdrawalKey = true;
    writeFileSync(file, JSON.stringify(cfg));
    await using c = await startCompanionProcess({ args: setup.args, env: { ...h.env, ...setup.env } });
    const logged = c
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"check":"transfer"'));
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]!)).toMatchObject({ level: 50, account: 'mirror1' });
  });

  it('a read-only key monitors, and an execution on its account is refused with 403 naming it', async () => {
    const ex = await exchange();
    ex.control.setPermissions('mirror1', { readOnly: true });
    const h = home();
    const setup = onStandalonePaper(ex, { dataDir: join(h.dir, 'data'), configDir: h.dir, logLevel: 'warn' });
    await using c = await startCompanionProcess({ args: setup.args, env: { ...h.env, ...setup.env } });
    expect(c.stderr()).toMatch(/read-only key: monitoring only/);
    const res = await fetch(`${c.ready.url}/api/v1/trading/positions`, {
      headers: { authorization: `Bearer ${c.ready.token}` },
    });
    const positions = PositionsResponse.parse(await res.json()).data;
    expect(positions.filter((p) => p.account === 'mirror1')).toHaveLength(3);

    const inst = ex.engine.instruments().find((i) => i.symbol === 'BTCUSDT')!;
    const order = longOrder(inst, ex.control.price('BTCUSDT'), 'BTCUSDT', 'readonly-0001');
    const refused = await postExecute(c.ready, order);
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toMatch(/account mirror1: its API key cannot trade/);
    expect(ex.control.positions('mirror1')).toHaveLength(3);
    const onMain = await postExecute(c.ready, { ...order, idempotencyKey: 'readonly-0002', accounts: ['main'] });
    expect(onMain.status).toBe(200);
  });

  it('reports a skewed clock with its size', async () => {
    const ex = await exchange();
    // The exchange's clock runs 3 s ahead of ours: still inside Bybit's 5 s window, so a warning with the figure.
    ex.control.step(3000);
    const h = home();
    const setup = onStandalonePaper(ex, { dataDir: join(h.dir, 'data'), configDir: h.dir });
    const r = await runCli(['accounts', 'check', ...setup.args], { ...h.env, ...setup.env });
    expect(r.code).toBe(0);
    const skew = /account main \(paper\)[\s\S]*?the clock is (\d+) ms behind the exchange's/.exec(r.stdout);
    expect(Number(skew?.[1])).toBeGreaterThan(2500);
    expect(Number(skew?.[1])).toBeLessThan(3500);
  });

  it('a hedge-mode account is refused by name, at accounts check and at start', async () => {
    const ex = await exchange();
    ex.control.setPositionMode('mirror1', 'hedge');
    const h = home();
    const setup = onStandalonePaper(ex, { dataDir: join(h.dir, 'data'), configDir: h.dir });
    const env = { ...h.env, ...setup.env };
    const check = await runCli(['accounts', 'check', ...setup.args], env);
    expect(check.code).toBe(2);
    expect(check.stdout).toMatch(/account main \(paper\): ok/);
    expect(check.stderr).toMatch(/refused mirror1:\n.*account mirror1: the account is in hedge mode/);
    const start = await runCli([...START, ...setup.args], env);
    expect(start.code).toBe(2);
    expect(start.stderr).toMatch(/account mirror1: the account is in hedge mode/);
  });
});
