import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { type ExtensionBrowser, ensureExtensionBuilt, launchWithExtension } from './browser.ts';
import { type CompanionProcess, REPO_ROOT, startCompanionProcess } from './companion-process.ts';

/**
 * What every browser suite starts with: the real companion (`pnpm start`) on its paper exchange and
 * Chromium with the built extension, in parallel, the extension paired as the options page saves it and
 * its socket open; helpers for the companion's API, the paper exchange's /sim controls and the popup page.
 * A disposable resource: `await using rig = await startExtensionRig()`, or `rig.close()` in afterAll.
 */

export const ARTIFACTS = join(REPO_ROOT, 'test', 'artifacts');

export interface ExtensionRig extends AsyncDisposable {
  companion: CompanionProcess;
  browser: ExtensionBrowser;
  /** The companion's HTTP API with the pairing token: GET without a body, POST (JSON) with one. */
  api(path: string, body?: unknown): Promise<unknown>;
  /** The paper exchange's control API (/sim/…): GET without a body, POST with one. */
  sim(path: string, body?: unknown): Promise<Record<string, unknown>>;
  /** The popup page in a tab, once its header says the socket is open. */
  popup(page?: string): Promise<Page>;
  close(): Promise<void>;
}

export interface RigOptions {
  /** Positions the paper exchange seeds on each of its two accounts (main and its mirror). */
  perAccount: number;
  /** More companion environment (COMPANION__…), over the defaults below. */
  env?: NodeJS.ProcessEnv;
  /** Pair the extension and wait for its socket (default true; the pairing suites do it through options). */
  pair?: boolean;
}

const json = async (res: Response, what: string) => {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
};

export async function startExtensionRig(opts: RigOptions): Promise<ExtensionRig> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // The build (only when missing or stale) blocks the event loop: run it before anything has a timer going.
  const extensionDir = ensureExtensionBuilt();
  // Chromium and the companion (ccxt's import is the slow part) start in parallel.
  const [companion, browser] = await Promise.all([
    startCompanionProcess({
      env: {
        COMPANION__PAPER__POSITIONS_PER_ACCOUNT: String(opts.perAccount),
        COMPANION__LOG__LEVEL: 'warn',
        ...opts.env,
      },
    }),
    launchWithExtension({ extensionDir }),
  ]);
  const close = async () => {
    await browser.close();
    await companion.kill();
  };
  try {
    const { url, token, paperExchange } = companion.ready;
    const call = (base: string, headers: Record<string, string>) => (path: string, body?: unknown) =>
      fetch(`${base}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then((res) => json(res, path));
    const api = call(url, { authorization: `Bearer ${token}` });
    const sim = call(`${paperExchange?.url}/sim`, {}) as ExtensionRig['sim'];
    if (opts.pair ?? true) {
      await browser.setStorage({ companionUrl: url, pairingToken: token });
      await browser.waitInWorker(
        () =>
          (globalThis as unknown as { tierwatch: { state(): { status: { state: string } } } }).tierwatch.state().status
            .state === 'open',
        null,
        { timeoutMs: 20_000, what: 'the socket to open' },
      );
    }
    const popup = async (page = 'popup.html') => {
      const p = await browser.openPage(page);
      await p.getByTestId('connection').and(p.locator('[data-state="open"]')).waitFor({ timeout: 15_000 });
      return p;
    };
    return { companion, browser, api, sim, popup, close, [Symbol.asyncDispose]: close };
  } catch (err) {
    await close();
    throw err;
  }
}
