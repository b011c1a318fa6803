import type { Page } from 'playwright-core';
import { startExtensionRig } from '../support/extension-rig.ts';

/**
 * `popupUpdateP99Ms` (issue 17): a price step at the paper exchange → the already-open popup's row shows
 * the new distance. Chromium with the built extension against the companion, 400 positions, the market
 * held still (paper.volatility 0) so the step is the only thing that moves a row.
 *
 * Timed on one clock (the machine's wall clock, Date.now() in node and in the page): from just before the
 * step is posted to the paper exchange (it applies it on arrival, in the companion's process: loopback,
 * about a millisecond) to the DOM mutation that put the new distance in the row's text (a MutationObserver
 * in the popup page: the commit, before the paint). Steps alternate up and down on rendered main positions,
 * spaced irregularly so they do not fall in step with the hub's coalescing window.
 */

export interface PopupUpdateFigures {
  popupUpdateP50Ms: number;
  popupUpdateP99Ms: number;
  popupUpdateMaxMs: number;
  popupUpdateSteps: number;
  popupUpdateMissed: number;
  /** The state message the background posts to an open popup on every applied update, at 400 positions. */
  popupPushKb: number;
  popupPushSerializeMs: number;
}

const STEP_PCT = 0.3;
const WAIT_MS = 5_000;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
};
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** Resolves with the wall-clock time the row's SL text first differs from `before` (null on timeout). */
function watchRow(page: Page, key: string, before: string, timeoutMs: number): Promise<number | null> {
  // No named inner functions: tsx's name helper does not exist inside the page (and eval is blocked).
  return page.evaluate(
    ({ key, before, timeoutMs }) =>
      new Promise<number | null>((resolve) => {
        const selector = `[data-testid="position-row"][data-key="${key}"] .gauge .sl`;
        const observer = new MutationObserver(() => {
          if ((document.querySelector(selector)?.textContent ?? '') === before) return;
          observer.disconnect();
          clearTimeout(timer);
          resolve(Date.now());
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
        const timer = setTimeout(() => {
          observer.disconnect();
          resolve(null);
        }, timeoutMs);
      }),
    { key, before, timeoutMs },
  );
}

/**
 * `source`: the monitor's (stream, the default; or poll, where a step is heard at the next bulk ticker read,
 * every critical interval, so the target there is that interval + 300 ms).
 */
export async function measurePopupUpdate(
  steps = 30,
  source: 'stream' | 'poll' = 'stream',
): Promise<PopupUpdateFigures> {
  await using rig = await startExtensionRig({
    perAccount: 200,
    env: { COMPANION__PAPER__VOLATILITY: '0', COMPANION__MONITOR__SOURCE: source },
  });
  const page = await rig.popup();
  await page.getByTestId('tier-groups').waitFor();
  // Calm main rows (far from both levels: a 0.3 % step crosses nothing), one symbol each.
  const rows = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="position-row"]:not(.mirror)')]
      .map((r) => ({
        key: r.dataset.key ?? '',
        sl: Number(r.querySelector('.gauge .sl')?.textContent?.match(/([\d.]+)%/)?.[1] ?? 0),
        tp: Number(r.querySelector('.gauge .tp')?.textContent?.match(/([\d.]+)%/)?.[1] ?? 0),
      }))
      .filter((r) => r.key.startsWith('main:') && r.sl > 3 && r.tp > 3),
  );
  if (rows.length === 0) throw new Error('no calm main row rendered to step');
  const push = await (await rig.browser.worker()).evaluate(() => {
    const s = (globalThis as unknown as { tierwatch: { state(): { stream: unknown } } }).tierwatch.state();
    const t0 = performance.now();
    const bytes = JSON.stringify({ type: 'state', stream: s.stream }).length;
    return { bytes, ms: performance.now() - t0 };
  });

  const latencies: number[] = [];
  let missed = 0;
  for (let i = 0; i < steps; i++) {
    const row = rows[i % rows.length] as (typeof rows)[number];
    const symbol = row.key.split(':')[1] as string;
    const before =
      (await page.locator(`[data-testid="position-row"][data-key="${row.key}"] .gauge .sl`).textContent()) ?? '';
    const seen = watchRow(page, row.key, before, WAIT_MS).catch((err: unknown) => err as Error);
    await new Promise((r) => setTimeout(r, 50)); // the observer is installed
    const sentAt = Date.now();
    // Up on even rounds through the list, down on odd ones: each symbol comes back to where it started.
    const up = Math.floor(i / rows.length) % 2 === 0;
    await rig.sim('/price', { symbol, movePct: up ? STEP_PCT : -STEP_PCT });
    const at = await seen;
    if (at instanceof Error) throw at;
    if (at === null) missed++;
    else latencies.push(at - sentAt);
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 400));
  }
  if (latencies.length === 0) throw new Error(`no step reached the popup within ${WAIT_MS} ms`);
  return {
    popupUpdateP50Ms: round(quantile(latencies, 0.5)),
    popupUpdateP99Ms: round(quantile(latencies, 0.99)),
    popupUpdateMaxMs: round(Math.max(...latencies)),
    popupUpdateSteps: latencies.length,
    popupUpdateMissed: missed,
    popupPushKb: round(push.bytes / 1024, 1),
    popupPushSerializeMs: round(push.ms, 2),
  };
}
