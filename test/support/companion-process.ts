import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { secretEnvName } from '../../companion/src/config/index.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUNDLE = join(REPO_ROOT, 'companion', 'dist', 'main.mjs');

let bundled: Promise<void> | null = null;
/**
 * The tests run what `pnpm start` runs: the companion bundled for plain node (companion/scripts/bundle.mjs),
 * built once per test process from the current sources.
 */
export function ensureBundle(): Promise<void> {
  bundled ??= import(join(REPO_ROOT, 'companion', 'scripts', 'bundle.mjs')).then(
    (m: { bundle(entry: string, out: string): Promise<void> }) =>
      m.bundle(join(REPO_ROOT, 'companion/src/cli/main.ts'), BUNDLE),
  );
  return bundled;
}
const cli = ['--enable-source-maps', BUNDLE];
/**
 * `start` reads ~/.config/tierwatch/config.json when no config is named (`pnpm accounts add` writes it): the
 * tests never see a developer's own accounts. A test that wants the default file sets XDG_CONFIG_HOME itself.
 */
const NO_USER_CONFIG = { XDG_CONFIG_HOME: join(tmpdir(), 'tierwatch-tests-no-config') };

export interface ReadyLine {
  url: string;
  token: string;
  extensionDir: string;
  paperExchange: { url: string } | null;
}

export interface CompanionProcess extends AsyncDisposable {
  ready: ReadyLine;
  child: ChildProcess;
  stderr: () => string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the real companion CLI (`start --port 0 --json`) as a child process and waits for its ready line.
 * A disposable resource: `await using c = await startCompanionProcess()` stops it at the end of scope.
 */
export async function startCompanionProcess(
  opts: { args?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CompanionProcess> {
  await ensureBundle();
  const child = spawn(
    process.execPath,
    [...cli, 'start', '--port', '0', '--json', '--no-extension-build', ...(opts.args ?? [])],
    {
      cwd: REPO_ROOT,
      // A fresh data dir per process: its own pairing token and journal, nothing left in the user's home.
      env: {
        COMPANION__DATA_DIR: mkdtempSync(join(tmpdir(), 'tierwatch-data-')),
        ...process.env,
        ...NO_USER_CONFIG,
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await new Promise<ReadyLine>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`companion not ready after ${opts.timeoutMs ?? 30_000} ms:\n${stderr}`)),
      opts.timeoutMs ?? 30_000,
    );
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const nl = stdout.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(stdout.slice(0, nl)) as ReadyLine);
        } catch (err) {
          reject(new Error(`bad ready line ${stdout.slice(0, nl)}: ${err}`));
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`companion exited with ${code} before it was ready:\n${stderr}`));
    });
  });
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return { ready, child, stderr: () => stderr, exited, kill, [Symbol.asyncDispose]: async () => void (await kill()) };
}

/**
 * Runs the CLI to completion and returns its exit code and output (for start-up failures). One that is still
 * running after `timeoutMs` (a start that should have failed but did not) is killed: code null.
 * `uid`/`gid` run it as another user (a root test needs one for whom chmod means something); `input` is its stdin.
 */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  opts: { timeoutMs?: number; uid?: number; gid?: number; input?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  await ensureBundle();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...cli, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...NO_USER_CONFIG, ...env },
      // `input` is written to stdin (a pipe, not a terminal: prompts read lines), then stdin is closed.
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(opts.uid === undefined ? {} : { uid: opts.uid }),
      ...(opts.gid === undefined ? {} : { gid: opts.gid }),
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * What a companion needs to run against a paper exchange it did not start (one that outlives it, for crash
 * tests): a config naming each account with the exchange's URL, and their credentials in the environment,
 * as a trader would give real ones. Pass the result to `startCompanionProcess`.
 */
export function onStandalonePaper(
  paper: { url: string; accounts: { name: string; apiKey: string; secret: string }[] },
  opts: { dataDir: string; configDir?: string; logLevel?: string; mirrorRatio?: (index: number) => number },
): { args: string[]; env: NodeJS.ProcessEnv } {
  const configFile = join(opts.configDir ?? opts.dataDir, 'config.json');
  const ratio = opts.mirrorRatio ?? (() => 0.5);
  writeFileSync(
    configFile,
    JSON.stringify({
      log: { level: opts.logLevel ?? 'info' },
      accounts: paper.accounts.map((a, i) => ({
        name: a.name,
        role: i === 0 ? 'main' : 'mirror',
        mirrorRatio: i === 0 ? 1 : ratio(i),
        mode: 'paper',
        baseUrl: paper.url,
      })),
    }),
  );
  const env: NodeJS.ProcessEnv = { COMPANION__DATA_DIR: opts.dataDir };
  for (const a of paper.accounts) {
    env[secretEnvName(a.name, 'API_KEY')] = a.apiKey;
    env[secretEnvName(a.name, 'SECRET')] = a.secret;
  }
  return { args: ['--config', configFile], env };
}
