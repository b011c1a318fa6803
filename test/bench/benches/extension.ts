import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { bigSnapshot } from '../../../extension/test-support/fixtures.ts';
import { CHROMIUM_PATH, chromiumArgs } from '../../support/browser.ts';
import { measurePopupUpdate } from '../popup-update.ts';
import { bytesPerSecPerSocket } from './view-bytes.ts';

/**
 * The extension's figures: the popup's JavaScript over the wire (gzip of every chunk popup.html loads,
 * following static imports; the detail view's chart, loaded on demand, counted apart) and the time the popup takes to render a 400-position state pushed by the
 * background (performance measure 'tw:render': from the state message to the frame after the commit),
 * in Debian's Chromium with the built extension loaded.
 */

const EXT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../extension');
const OUT = join(EXT_DIR, '.output/chrome-mv3');
type ChromeStorage = { chrome: { storage: { local: { set(v: object): Promise<void> } } } };
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

export function popupChunks(outDir = OUT): string[] {
  const html = readFileSync(join(outDir, 'popup.html'), 'utf8');
  const seen = new Set<string>();
  const queue = [...html.matchAll(/(?:src|href)="(\/[^"]+\.js)"/g)].map((m) => m[1] as string);
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(join(outDir, file), 'utf8');
    for (const m of code.matchAll(/(?:import|from)\s*["'](\.{1,2}\/[^"']+\.js)["']/g)) {
      queue.push(join(dirname(file), m[1] as string));
    }
  }
  return [...seen];
}

/**
 * Chunks the popup loads only on demand (`import("./Chart-….js")`: the detail view's chart), with what they
 * import in turn, less what the first load already has.
 */
export function lazyChunks(outDir = OUT, first = popupChunks(outDir)): string[] {
  const have = new Set(first);
  const seen = new Set<string>();
  const queue: string[] = [];
  for (const file of first) {
    const code = readFileSync(join(outDir, file), 'utf8');
    for (const m of code.matchAll(/import\(\s*["'](\.{1,2}\/[^"']+\.js)["']\s*\)/g)) {
      queue.push(join(dirname(file), m[1] as string));
    }
  }
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file) || have.has(file)) continue;
    seen.add(file);
    const code = readFileSync(join(outDir, file), 'utf8');
    for (const m of code.matchAll(/(?:import|from)\s*["'](\.{1,2}\/[^"']+\.js)["']/g)) {
      queue.push(join(dirname(file), m[1] as string));
    }
  }
  return [...seen];
}

function build(): void {
  const r = spawnSync('pnpm', ['exec', 'wxt', 'build'], { cwd: EXT_DIR, stdio: 'pipe', encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wxt build failed:\n${r.stdout}\n${r.stderr}`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

export async function measureRender(positions = 400, runs = RUNS, screenshot?: string) {
  const profile = mkdtempSync(join(tmpdir(), 'tierwatch-bench-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: chromiumArgs(OUT),
  });
  try {
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    const extId = new URL(worker.url()).host;
    const snap = { ...bigSnapshot(positions), at: Date.now() };
    // Pair with a port where nothing listens (the popup shows the data with a "disconnected" banner),
    // then feed the snapshot through the worker's socket path (parse → reduce), as the companion would.
    await worker.evaluate(async () => {
      await (globalThis as unknown as ChromeStorage).chrome.storage.local.set({
        companionUrl: 'http://127.0.0.1:9',
        pairingToken: 'bench',
      });
      await new Promise((r) => setTimeout(r, 300));
    });
    await worker.evaluate(async (s) => {
      const tw = (globalThis as unknown as { tierwatch?: { inject(m: unknown): void } }).tierwatch;
      for (let i = 0; i < 50 && !tw; i++) await new Promise((r) => setTimeout(r, 50));
      (globalThis as unknown as { tierwatch: { inject(m: unknown): void } }).tierwatch.inject(s);
    }, snap);
    const page = await context.newPage();
    await page.setViewportSize({ width: 440, height: 600 });
    const times: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      await page.goto(`chrome-extension://${extId}/popup.html`);
      // No named inner functions: tsx's name helper does not exist inside the page (and eval is blocked).
      const ms = await page.evaluate(
        (n) =>
          new Promise<number>((resolveMs, reject) => {
            const t0 = performance.now();
            const timer = setInterval(() => {
              const hit = performance
                .getEntriesByName('tw:render')
                .find((e) => (e as PerformanceMeasure).detail?.positions === n);
              if (hit) {
                clearInterval(timer);
                resolveMs(hit.duration);
              } else if (performance.now() - t0 > 10_000) {
                clearInterval(timer);
                reject(new Error('no tw:render measure for the snapshot'));
              }
            }, 20);
          }),
        positions,
      );
      if (i > 0) times.push(ms); // the first load warms the disk cache and the worker
    }
    const rows = await page.locator('[data-testid="position-row"]').count();
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: false });
    return { times, rows };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

export default async function run(): Promise<Record<string, unknown>> {
  if (!existsSync(join(OUT, 'popup.html'))) build();
  const chunks = popupChunks();
  const gzipBytes = chunks.reduce((n, f) => n + gzipSync(readFileSync(join(OUT, f)), { level: 9 }).length, 0);
  const rawBytes = chunks.reduce((n, f) => n + readFileSync(join(OUT, f)).length, 0);
  const lazy = lazyChunks(OUT, chunks);
  const chartGzipBytes = lazy.reduce((n, f) => n + gzipSync(readFileSync(join(OUT, f)), { level: 9 }).length, 0);
  const { times, rows } = await measureRender(400, RUNS);
  // Issue 17: a price step at the paper exchange → the already-open popup's row (test/bench/popup-update.ts).
  const popupUpdate = await measurePopupUpdate(Number(process.env.BENCH_POPUP_STEPS ?? 30));
  // The same on polling (monitor.source: poll): the target is the critical interval + 300 ms.
  const polling = await measurePopupUpdate(Number(process.env.BENCH_POPUP_POLL_STEPS ?? 15), 'poll');
  // What the open popup's socket carries at 4,000 positions with prices moving (issue 17: ≤ 50 KB/s).
  const stream = await bytesPerSecPerSocket();
  return {
    bytesPerSecPerSocket: stream.bytesPerSecPerSocket,
    stream,
    popupGzipKb: round(gzipBytes / 1024, 1),
    popupRawKb: round(rawBytes / 1024, 1),
    popupChunks: chunks,
    /** The detail view's chart (lightweight-charts), loaded apart from the popup's first load. */
    chartGzipKb: round(chartGzipBytes / 1024, 1),
    chartChunks: lazy,
    render400Ms: round(median(times)),
    render400SpreadMs: round(Math.max(...times) - Math.min(...times)),
    render400MinMs: round(Math.min(...times)),
    render400MaxMs: round(Math.max(...times)),
    render400Runs: times.length,
    rowsRendered: rows,
    ...popupUpdate,
    polling: {
      popupUpdateP50Ms: polling.popupUpdateP50Ms,
      popupUpdateP99Ms: polling.popupUpdateP99Ms,
      popupUpdateSteps: polling.popupUpdateSteps,
      popupUpdateMissed: polling.popupUpdateMissed,
    },
    browser: CHROMIUM_PATH,
  };
}
