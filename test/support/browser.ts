import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page, type Worker } from 'playwright-core';
import { buildExtension, EXTENSION_DIR, extensionNeedsBuild } from '../../companion/src/cli/extension-build.ts';

/**
 * Real Chromium with the built extension loaded (the recipe in ../shared/ARCHITECTURE.md), as a
 * disposable resource: `await using browser = await launchWithExtension()` closes it and removes the
 * throw-away profile at the end of scope.
 */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Fixed by the manifest `key` in extension/manifest-key.ts. */
export { EXTENSION_ID } from '@tierwatch/shared';

/** The recipe's flags: the extension alone, no network but loopback, nothing Chrome would fetch by itself. */
export const chromiumArgs = (extensionDir: string): string[] => [
  '--headless=new',
  `--load-extension=${extensionDir}`,
  `--disable-extensions-except=${extensionDir}`,
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];
/** The popup's own width (extension/entrypoints/popup/style.css) and Chrome's popup height cap. */
export const POPUP_VIEWPORT = { width: 440, height: 600 };

export function chromiumAvailable(path = CHROMIUM_PATH): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the browser suites run here: no Chromium skips them with a loud message on a developer's
 * machine, and fails under CI (which installs Chromium, so a missing one is a broken image).
 */
export function browserSuiteEnabled(suite: string): boolean {
  if (chromiumAvailable()) return true;
  const message = `${suite}: Chromium not found at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI) throw new Error(`${message}; CI must run the browser suites`);
  console.warn(`\n${'!'.repeat(100)}\n!! SKIPPED ${message}\n${'!'.repeat(100)}\n`);
  return false;
}

/** Builds the extension when its output is missing or older than its sources; returns the output dir. */
export function ensureExtensionBuilt(): string {
  if (extensionNeedsBuild()) buildExtension();
  return EXTENSION_DIR;
}

interface ChromeGlobal {
  chrome: {
    storage: { local: { set(v: object): Promise<void>; clear(): Promise<void> } };
    notifications: { getAll(): Promise<Record<string, boolean>>; clear(id: string): Promise<boolean> };
    action: { getBadgeText(d: object): Promise<string>; getBadgeBackgroundColor(d: object): Promise<number[]> };
  };
}

export interface ExtensionBrowser extends AsyncDisposable {
  context: BrowserContext;
  /** The extension's service worker (re-fetched if Chrome restarted it). */
  worker(): Promise<Worker>;
  extensionId: string;
  /** Opens chrome-extension://ID/<page> in a new tab sized like the popup. */
  openPage(page?: string): Promise<Page>;
  /** chrome.storage.local.set from the worker: what the options page saves (keys in extension/utils/settings.ts). */
  setStorage(values: Record<string, unknown>): Promise<void>;
  notifications(): Promise<Record<string, boolean>>;
  badgeText(): Promise<string>;
  /** Runs `fn` in the worker until it returns a truthy value (or throws on timeout). */
  waitInWorker<T, A>(fn: (arg: A) => T | Promise<T>, arg: A, opts?: { timeoutMs?: number; what?: string }): Promise<T>;
  close(): Promise<void>;
}

export async function launchWithExtension(opts: { extensionDir?: string } = {}): Promise<ExtensionBrowser> {
  const dir = opts.extensionDir ?? ensureExtensionBuilt();
  const profile = mkdtempSync(join(tmpdir(), 'tierwatch-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: POPUP_VIEWPORT,
    args: chromiumArgs(dir),
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const first = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
    const extensionId = new URL(first.url()).host;
    const worker = async (): Promise<Worker> => {
      const live = context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${extensionId}/`));
      return live ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
    };
    const inWorker = async <T, A>(fn: (arg: A) => T | Promise<T>, arg: A): Promise<T> =>
      (await worker()).evaluate(fn as never, arg as never) as Promise<T>;

    const waitInWorker: ExtensionBrowser['waitInWorker'] = async (fn, arg, o = {}) => {
      const deadline = Date.now() + (o.timeoutMs ?? 10_000);
      let last: unknown;
      for (;;) {
        last = await inWorker(fn, arg);
        if (last) return last as Awaited<ReturnType<typeof fn>>;
        if (Date.now() > deadline)
          throw new Error(
            `timed out waiting in the service worker for ${o.what ?? 'a condition'}; last: ${JSON.stringify(last)}`,
          );
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    return {
      context,
      worker,
      extensionId,
      openPage: async (page = 'popup.html') => {
        const p = await context.newPage();
        await p.goto(`chrome-extension://${extensionId}/${page}`);
        return p;
      },
      setStorage: (values) =>
        inWorker((v) => (globalThis as unknown as ChromeGlobal).chrome.storage.local.set(v), values),
      notifications: () => inWorker(() => (globalThis as unknown as ChromeGlobal).chrome.notifications.getAll(), null),
      badgeText: () => inWorker(() => (globalThis as unknown as ChromeGlobal).chrome.action.getBadgeText({}), null),
      waitInWorker,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
