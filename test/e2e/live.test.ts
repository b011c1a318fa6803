import { join } from 'node:path';
import { MonitorPositionsResponse, type TieredPosition } from '@tierwatch/shared';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSuiteEnabled } from '../support/browser.ts';
import { ARTIFACTS, type ExtensionRig, startExtensionRig } from '../support/extension-rig.ts';

/**
 * Issue 17's "Must show", end to end: Chromium with the built extension against the companion on its paper
 * exchange, 400 positions (200 on main, 200 on its mirror), the market moving fast. The open popup follows
 * the stream: sampled for 60 s, no rendered row's distance is more than 0.2 percentage points from the
 * API's. An exchange outage marks the rows stale and the header not live, both recover after it; a forced
 * sequence gap resumes on the open socket. Screenshots: test/artifacts/live-*.png.
 */

const PER_ACCOUNT = 200;
const WATCH_MS = 60_000;
const SAMPLE_EVERY_MS = 5_000;
const TOLERANCE_PCT = 0.2;
const OUTAGE_MS = 25_000;
/**
 * How far behind the API a row may be. The latency itself is the bench's (popupUpdateP99Ms, target 500 ms);
 * this test is about accuracy, and on a 2-core machine running the whole suite beside Chromium a render can
 * trail a step by over a second, so the window is 2 s, and a sample's rows that are off get one re-read a
 * second later (a stall of the browser passes; a frozen popup is off on both reads and fails).
 */
const LAG_MS = 2_000;

type Counts = { socketsOpened: number; resumesSent: number };
type Tw = {
  tierwatch: {
    state(): Counts & { status: { state: string }; stream: { seq: number } | null };
    dropNextEvent(): void;
  };
};

/** What a row shows: its key, tier, distances as rendered (null for "no SL"/"no TP"), stale mark. */
interface Shown {
  key: string;
  tier: string;
  sl: number | null;
  tp: number | null;
  stale: string | null;
}

const rendered = (page: Page): Promise<Shown[]> =>
  page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="position-row"]')].map((row) => {
      const pct = (sel: string) => {
        const m = row.querySelector(sel)?.textContent?.match(/(\d+(?:\.\d+)?)%/);
        return m ? Number(m[1]) : null;
      };
      return {
        key: row.dataset.key ?? '',
        tier: row.dataset.tier ?? '',
        sl: pct('.gauge .sl'),
        tp: pct('.gauge .tp'),
        stale: row.querySelector('[data-testid="row-stale"]')?.textContent ?? null,
      };
    }),
  );

/** Every tier open: as many rows rendered as the popup will show. */
async function openEveryTier(page: Page): Promise<void> {
  const closed = page.locator('.group-head[aria-expanded="false"]');
  while ((await closed.count()) > 0) await closed.first().click();
}

const keyOf = (p: TieredPosition) => `${p.account}:${p.symbol}:${p.side}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(browserSuiteEnabled('e2e live'))('the open popup is live: the stream carries the view', () => {
  let rig: ExtensionRig;
  let page: Page;
  const monitor = async () =>
    new Map(MonitorPositionsResponse.parse(await rig.api('/api/v1/monitor/positions')).data.map((p) => [keyOf(p), p]));
  const counts = async () =>
    (await rig.browser.worker()).evaluate(() => {
      const s = (globalThis as unknown as Tw).tierwatch.state();
      return { socketsOpened: s.socketsOpened, resumesSent: s.resumesSent, seq: s.stream?.seq ?? 0 };
    });
  const shot = (name: string) =>
    page
      .evaluate(() => window.scrollTo(0, 0))
      .then(() => page.screenshot({ path: join(ARTIFACTS, `live-${name}.png`) }));
  const header = () =>
    page
      .getByTestId('connection')
      .evaluate((e) => ({ live: (e as HTMLElement).dataset.live, text: e.textContent ?? '' }));

  beforeAll(async () => {
    rig = await startExtensionRig({
      perAccount: PER_ACCOUNT,
      env: {
        // A market that moves: each symbol's volatility sped up ten times, so distances move by points a minute.
        COMPANION__PAPER__VOLATILITY: '10',
        // Sequenced events every second (the gap case needs events to lose one of).
        COMPANION__MONITOR__STATS__PUBLISH_INTERVAL_MS: '1000',
      },
    });
    page = await rig.popup();
    await page.getByTestId('tier-groups').waitFor();
    await openEveryTier(page);
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
  });

  it('60 s of a moving market: every rendered row stays within 0.2 points of the API, without a reconnect', async () => {
    const before = await counts();
    await page.evaluate(() => window.scrollTo(0, 0));
    const first = new Map((await rendered(page)).map((r) => [r.key, r]));
    expect(first.size, 'rows rendered').toBeGreaterThan(100);
    await shot('moving-start');
    // The API read continuously: the paper market moves in steps, and a row shows a step a few hundred ms
    // after the API has it (the hub's coalescing window, then the push). A row passes when its shown
    // distance is within the tolerance of what the API said at some moment in the LAG_MS before it was read.
    const history: { at: number; data: Map<string, TieredPosition> }[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        history.push({ at: Date.now(), data: await monitor() });
        await sleep(100);
      }
    })();
    await sleep(LAG_MS);
    let compared = 0;
    let reread = 0;
    const offenders: string[] = [];
    /** The rows read now, each side against what the API said in the LAG_MS before: the ones off. */
    const offNow = async (keys: Set<string> | null): Promise<string[]> => {
      const readAt = Date.now();
      const rows = (await rendered(page)).filter((r) => keys === null || keys.has(r.key));
      const recent = history.filter((h) => h.at >= readAt - LAG_MS && h.at <= readAt);
      const off: string[] = [];
      for (const r of rows) {
        expect(history.at(-1)?.data.get(r.key), `${r.key} is held`).toBeDefined();
        for (const side of ['sl', 'tp'] as const) {
          const shown = r[side];
          const truths = recent.map((h) => {
            const p = h.data.get(r.key);
            return side === 'sl' ? (p?.distanceToSlPct ?? null) : (p?.distanceToTpPct ?? null);
          });
          if (shown === null || truths.every((t) => t === null)) {
            expect(shown === null, `${r.key} ${side}: shown ${shown}, API ${truths.at(-1)}`).toBe(
              truths.at(-1) === null,
            );
            continue;
          }
          if (keys === null) compared++;
          const miss = Math.min(...truths.map((t) => (t === null ? Number.POSITIVE_INFINITY : Math.abs(shown - t))));
          if (miss > TOLERANCE_PCT) off.push(`${r.key} ${side} shown ${shown}, API ${truths.join('/')}`);
        }
      }
      return off;
    };
    const start = Date.now();
    while (Date.now() - start < WATCH_MS) {
      await sleep(SAMPLE_EVERY_MS);
      const off = await offNow(null);
      if (off.length === 0) continue;
      // A loaded machine can stall the browser for a moment: the rows off get one more read a second later.
      // A popup that stopped following stays off then too.
      reread++;
      await sleep(1_000);
      offenders.push(...(await offNow(new Set(off.map((o) => o.split(' ')[0] as string)))));
    }
    console.log(JSON.stringify({ liveSamples: Math.floor(WATCH_MS / SAMPLE_EVERY_MS), reread, compared }));
    reading = false;
    await reader;
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('moving-end');
    const last = await rendered(page);
    // The check could fail: the market moved the API's distances by more than the tolerance, and the rows
    // changed with it (a frozen popup is off by that much).
    const apiFirst = history[0]?.data ?? new Map();
    const moved = [...(history.at(-1)?.data.values() ?? [])].filter((p) => {
      const was = apiFirst.get(keyOf(p))?.distanceToSlPct;
      return was != null && p.distanceToSlPct !== null && Math.abs(was - p.distanceToSlPct) > 2 * TOLERANCE_PCT;
    });
    expect(moved.length, 'positions whose SL distance moved past twice the tolerance in 60 s').toBeGreaterThan(50);
    const changed = last.filter((r) => first.get(r.key) && first.get(r.key)?.sl !== r.sl);
    expect(changed.length / last.length, 'share of rendered rows whose SL distance changed').toBeGreaterThan(0.5);
    expect(compared).toBeGreaterThan(1000);
    expect(offenders, offenders.slice(0, 5).join('\n')).toEqual([]);
    const after = await counts();
    expect(after.socketsOpened, 'no reconnect to refresh').toBe(before.socketsOpened);
  }, 150_000);

  it('an exchange outage marks the rows stale with their age and the header not live; both recover', async () => {
    expect(await header()).toEqual({ live: 'true', text: 'Live' });
    // Every REST call answers 503, and every stream falls silent, for the same window.
    await rig.sim('/outage', { durationMs: OUTAGE_MS });
    for (const scope of ['public', 'main', 'mirror1']) await rig.sim('/streams/stall', { scope, ms: OUTAGE_MS });
    await expect.poll(async () => (await header()).live, { timeout: 20_000, interval: 500 }).toBe('false');
    const during = await header();
    expect(during.text).toMatch(/^Delayed: (main|mirror1) \d+ (s|min)/);
    await expect
      .poll(async () => (await rendered(page)).filter((r) => r.stale !== null).length, { timeout: 10_000 })
      .toBeGreaterThan(0);
    await sleep(3_000); // the ages count up
    const rows = await rendered(page);
    const stale = rows.filter((r) => r.stale !== null);
    expect(
      stale.every((r) => /^stale \d+ (s|min)$/.test(r.stale ?? '')),
      stale[0]?.stale ?? '',
    ).toBe(true);
    const problems = await page.getByTestId('account-health').textContent();
    expect(problems).toMatch(/the exchange is unavailable|cannot reach the exchange|no recent data/);
    expect(problems, 'no raw error on the glance').not.toMatch(/https?:|\b503\b|Service Unavailable/i);
    await shot('outage');
    // The raw error is in the details view.
    await page.getByTestId('open-diagnostics').click();
    expect(await page.getByTestId('diagnostics-accounts').textContent()).toMatch(/last error/);
    await shot('outage-diagnostics');
    await page.getByTestId('diagnostics-back').click();
    await openEveryTier(page);

    await expect
      .poll(async () => header(), { timeout: OUTAGE_MS + 30_000, interval: 1_000 })
      .toEqual({ live: 'true', text: 'Live' });
    await expect
      .poll(async () => (await rendered(page)).filter((r) => r.stale !== null).length, { timeout: 10_000 })
      .toBe(0);
    expect(await page.getByTestId('account-health').count()).toBe(0);
    await shot('recovered');
  }, 120_000);

  it('a forced sequence gap resumes on the open socket, without a new connection', async () => {
    const before = await counts();
    await (await rig.browser.worker()).evaluate(() => (globalThis as unknown as Tw).tierwatch.dropNextEvent());
    // Stats events come every second: one is lost, the next shows the gap, the hub replays it.
    await expect.poll(async () => (await counts()).seq, { timeout: 15_000 }).toBeGreaterThan(before.seq + 3);
    const after = await counts();
    expect(after.resumesSent, 'one resume sent on the socket').toBe(before.resumesSent + 1);
    expect(after.socketsOpened, 'no new connection').toBe(before.socketsOpened);
    // And the view goes on: updates applied and pushed to the popup after the resume.
    const pushes = async () =>
      (await rig.browser.worker()).evaluate(
        () =>
          (globalThis as unknown as { tierwatch: { state(): { popupPushes: number } } }).tierwatch.state().popupPushes,
      );
    const p0 = await pushes();
    await expect.poll(pushes, { timeout: 5_000 }).toBeGreaterThan(p0 + 2);
  }, 60_000);
});
