import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import {
  ExecuteResult,
  InstrumentsResponse,
  PositionsResponse,
  type TieredPosition,
  tierRank,
} from '@tierwatch/shared';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSuiteEnabled, type ExtensionBrowser, ensureExtensionBuilt } from '../support/browser.ts';
import { ARTIFACTS, type ExtensionRig, startExtensionRig } from '../support/extension-rig.ts';

/**
 * Issue 20's "Must show", end to end: Debian's Chromium with the built extension against the real
 * companion on its paper exchange, with 400 positions (200 on main, 200 on its mirror). The side panel
 * renders the glance; a seeded position whose liquidation comes before its SL is flagged; near-SL is
 * listed before near-TP in CRITICAL; a row opens its detail view with its chart; axe finds no contrast or
 * label violations over popup, side panel, detail view and options, light and dark. Screenshots of each
 * go to test/artifacts/glance-*.png.
 */

const PER_ACCOUNT = 200;
/** The rules this issue is about: text contrast and every control named. */
const A11Y_RULES = new Set([
  'color-contrast',
  'label',
  'button-name',
  'select-name',
  'link-name',
  'aria-input-field-name',
  'input-button-name',
]);

type Tw = {
  tierwatch: {
    state(): { status: { state: string }; stream: { alerts: { kind: string; message: string }[] } | null };
  };
};

describe.runIf(browserSuiteEnabled('e2e glance'))('the glance in the popup and the side panel', () => {
  let rig: ExtensionRig;
  let browser: ExtensionBrowser;
  let api: (path: string, body?: unknown) => Promise<unknown>;
  let sim: (path: string, body?: unknown) => Promise<Record<string, unknown>>;
  const positions = async () => PositionsResponse.parse(await api('/api/v1/trading/positions')).data;

  beforeAll(async () => {
    rig = await startExtensionRig({
      perAccount: PER_ACCOUNT,
      env: {
        // More symbols than positions, so the execute case finds one no account holds.
        COMPANION__PAPER__SYMBOLS: '300',
        COMPANION__MONITOR__STATS__PUBLISH_INTERVAL_MS: '1000',
      },
    });
    ({ browser, api, sim } = rig);
  }, 90_000);

  afterAll(async () => {
    await rig?.close();
  });

  const open = async (page: string, width = 440, height = 600): Promise<Page> => {
    const p = await browser.openPage(page);
    await p.setViewportSize({ width, height });
    await p.getByTestId('connection').and(p.locator('[data-state="open"]')).waitFor({ timeout: 15_000 });
    await p.getByTestId('tier-groups').waitFor();
    return p;
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `glance-${name}.png`) });

  it('the side panel page renders the glance, narrow and wide', async () => {
    const manifest = JSON.parse(readFileSync(join(ensureExtensionBuilt(), 'manifest.json'), 'utf8'));
    expect(manifest.side_panel).toEqual({ default_path: 'sidepanel.html' });
    expect(manifest.permissions).toContain('sidePanel');
    const page = await open('sidepanel.html', 360, 800);
    expect(await page.evaluate(() => document.documentElement.dataset.surface)).toBe('sidepanel');
    await expect.poll(() => page.getByTestId('position-row').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const total = await page.evaluate(() =>
      Array.from(document.querySelectorAll('[data-testid^="tier-count-"]')).reduce(
        (n, e) => n + Number(e.getAttribute('data-count')),
        0,
      ),
    );
    expect(total).toBe(2 * PER_ACCOUNT);
    // Mirrors are folded under their main: one line each, no second gauge.
    expect(await page.getByTestId('mirror-line').count()).toBeGreaterThan(0);
    const firstFamily = page.locator('.family').first();
    expect(await firstFamily.getByTestId('position-row').count()).toBe(1);
    // Nothing wider than the panel: no horizontal scroll at 360 px.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await shot(page, 'sidepanel-360');
    await page.setViewportSize({ width: 900, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(900);
    await shot(page, 'sidepanel-900');
    await page.close();
  });

  it('flags a seeded position whose liquidation comes before its SL, in its row and its tier', async () => {
    const all = await positions();
    const flagged = all.filter((p) => p.flags.includes('LIQ_BEFORE_SL'));
    expect(flagged.length, 'the demo seed has positions liquidated before their SL').toBeGreaterThan(0);
    for (const p of flagged) expect(tierRank(p.tier)).toBeLessThanOrEqual(tierRank('URGENT'));
    const target = flagged.find((p) => p.account === 'main') ?? (flagged[0] as TieredPosition);
    const page = await open('popup.html');
    await page.getByTestId('filter').fill(`${target.symbol} ${target.side}`);
    const row = page.locator(
      `[data-testid="position-row"][data-key="${target.account}:${target.symbol}:${target.side}"]`,
    );
    await row.waitFor();
    await expect.poll(() => row.getByTestId('position-flags').textContent()).toContain('liquidation before stop-loss');
    expect(await row.locator('.liq.bad').count()).toBe(1);
    await shot(page, 'liquidation-flag');
    await page.close();
  });

  it('a position opened with its SL beyond its liquidation is announced in the event stream and flagged', async () => {
    const [instruments, held] = await Promise.all([
      api('/api/v1/trading/instruments').then((b) => InstrumentsResponse.parse(b).data),
      positions(),
    ]);
    const taken = new Set(held.map((p) => p.symbol));
    const inst = instruments.find((i) => !taken.has(i.symbol) && i.markPrice !== null);
    expect(inst, 'a symbol no account holds').toBeDefined();
    const mark = inst!.markPrice as number;
    const tick = (v: number) => Number((Math.round(v / inst!.tickSize) * inst!.tickSize).toFixed(10));
    const steps = Math.ceil(Math.max(inst!.minQty, 20 / mark) / inst!.qtyStep);
    const qty = Number((2 * steps * inst!.qtyStep).toFixed(10));
    // At 10× the paper exchange liquidates a long about 9.5 % below its entry: an SL 20 % below never fires.
    const result = ExecuteResult.parse(
      await api('/api/v1/trading/execute', {
        idempotencyKey: `glance-${Date.now()}`,
        symbol: inst!.symbol,
        side: 'long',
        orderType: 'market',
        quantity: qty,
        takeProfit: tick(mark * 1.2),
        stopLoss: tick(mark * 0.8),
        accounts: ['main'],
      }),
    );
    expect(result.status).toBe('complete');
    const alert = await browser.waitInWorker(
      (symbol) =>
        (globalThis as unknown as Tw).tierwatch
          .state()
          .stream?.alerts.find((a) => a.kind === 'liquidation-before-sl' && a.message.includes(symbol)) ?? null,
      inst!.symbol,
      { timeoutMs: 90_000, what: 'the liquidation-before-sl alert' },
    );
    expect(alert?.message).toMatch(/comes before its stop-loss .* the SL cannot fire/);
    const mine = (await positions()).find((p) => p.symbol === inst!.symbol && p.account === 'main');
    expect(mine?.flags).toContain('LIQ_BEFORE_SL');
    const page = await open('popup.html');
    await page.getByTestId('filter').fill(inst!.symbol);
    const row = page.locator(`[data-testid="position-row"][data-key="main:${inst!.symbol}:long"]`);
    await expect.poll(() => row.getByTestId('position-flags').textContent()).toContain('liquidation before stop-loss');
    await shot(page, 'liquidation-event');
    await page.close();
  }, 120_000);

  it('lists near-SL before near-TP in CRITICAL', async () => {
    const all = await positions();
    // Two main positions on symbols no other CRITICAL position holds: one pushed 0.5 % from its SL, the
    // other 0.08 % from its TP (nearer, yet listed after). The price must cross no level on any leg.
    const safe = (price: number, symbol: string) =>
      all
        .filter((q) => q.symbol === symbol)
        .every((q) => {
          const below = q.side === 'long' ? q.stopLoss : q.takeProfit;
          const above = q.side === 'long' ? q.takeProfit : q.stopLoss;
          const liq = q.liquidationPrice;
          const pastLiq = liq !== null && (q.side === 'long' ? price <= liq : price >= liq);
          return (below === null || price > below) && (above === null || price < above) && !pastLiq;
        });
    const nearSl = (p: TieredPosition) => (p.side === 'long' ? p.stopLoss! * 1.005 : p.stopLoss! / 1.005);
    const nearTp = (p: TieredPosition) => (p.side === 'long' ? p.takeProfit! / 1.0008 : p.takeProfit! * 1.0008);
    const calm = all.filter(
      (p) =>
        p.account === 'main' &&
        p.stopLoss !== null &&
        p.takeProfit !== null &&
        p.flags.length === 0 &&
        all.every((q) => q.symbol !== p.symbol || q.tier !== 'CRITICAL'),
    );
    const slPick = calm.find((p) => safe(nearSl(p), p.symbol));
    const tpPick = calm.find((p) => p.symbol !== slPick?.symbol && safe(nearTp(p), p.symbol));
    expect(slPick && tpPick, 'two calm main positions').toBeTruthy();
    await sim('/price', { symbol: slPick!.symbol, price: nearSl(slPick!) });
    await sim('/price', { symbol: tpPick!.symbol, price: nearTp(tpPick!) });

    const page = await open('popup.html');
    const critical = page.locator('[data-testid="tier-group"][data-tier="CRITICAL"]');
    const keyOf = (p: TieredPosition) => `main:${p.symbol}:${p.side}`;
    for (const p of [slPick!, tpPick!]) {
      await expect
        .poll(
          async () => {
            // Lift the group's row cap so every CRITICAL row is on the page.
            while (await critical.getByTestId('show-more').count()) await critical.getByTestId('show-more').click();
            return critical.locator(`[data-key="${keyOf(p)}"]`).count();
          },
          { timeout: 20_000 },
        )
        .toBe(1);
    }
    const order = await critical.evaluate((g) =>
      Array.from(g.querySelectorAll('[data-testid="position-row"]:not(.mirror)')).map((r) => [
        r.getAttribute('data-key'),
        r.getAttribute('data-near'),
      ]),
    );
    const keys = order.map(([k]) => k);
    expect(keys.indexOf(keyOf(slPick!))).toBeLessThan(keys.indexOf(keyOf(tpPick!)));
    expect(order.find(([k]) => k === keyOf(slPick!))?.[1]).toBe('sl');
    expect(order.find(([k]) => k === keyOf(tpPick!))?.[1]).toBe('tp');
    // Every near-SL row before every near-TP row.
    const nears = order.map(([, n]) => n).filter((n) => n === 'sl' || n === 'tp');
    expect(nears).toEqual([...nears].sort((a, b) => (a === b ? 0 : a === 'sl' ? -1 : 1)));
    await critical.scrollIntoViewIfNeeded();
    await shot(page, 'critical-order');
    // Where the near-SL rows end and the near-TP rows begin.
    const firstTp = order.find(([, n]) => n === 'tp')?.[0];
    await critical.locator(`[data-key="${firstTp}"]`).evaluate((e) => e.scrollIntoView({ block: 'center' }));
    await shot(page, 'critical-sl-then-tp');
    await page.close();
  });

  it("opens a row's detail view with its levels, chart, orders and alerts", async () => {
    const page = await open('popup.html');
    const row = page.locator('[data-testid="tier-group"] [data-testid="position-row"]').first();
    const key = await row.getAttribute('data-key');
    await row.getByTestId('row-open').click();
    const detail = page.getByTestId('detail');
    await detail.waitFor();
    expect(await detail.getAttribute('data-key')).toBe(key);
    await detail.getByTestId('detail-levels').waitFor();
    // The chart's chunk loads now, and draws into canvases.
    await page.locator('[data-testid="detail-chart"] canvas').first().waitFor({ timeout: 10_000 });
    await expect
      .poll(() => detail.locator('[data-testid="detail-orders"], [data-testid="detail-orders-none"]').count())
      .toBe(1);
    await page.waitForTimeout(2500); // a few marks on the line
    await shot(page, 'detail');
    await page.getByTestId('detail-back').click();
    await page.getByTestId('tier-groups').waitFor();
    await page.close();
  });

  const axe = async (page: Page, name: string) => {
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
    const bad = result.violations.filter((v) => A11Y_RULES.has(v.id));
    const report = bad.map(
      (v) => `${name}: ${v.id}: ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary}`).join('\n  ')}`,
    );
    const other = result.violations.filter((v) => !A11Y_RULES.has(v.id)).map((v) => v.id);
    if (other.length) console.warn(`${name}: other axe findings: ${other.join(', ')}`);
    expect(report, report.join('\n')).toEqual([]);
  };

  for (const scheme of ['light', 'dark'] as const) {
    it(`axe: no contrast or label violations over popup, side panel, detail view and options (${scheme})`, async () => {
      const popup = await open('popup.html');
      await popup.emulateMedia({ colorScheme: scheme });
      await axe(popup, `popup ${scheme}`);
      await shot(popup, `popup-${scheme}`);
      await popup.getByTestId('open-diagnostics').click();
      await popup.getByTestId('diagnostics').waitFor();
      await axe(popup, `diagnostics ${scheme}`);
      await shot(popup, `diagnostics-${scheme}`);
      await popup.getByTestId('diagnostics-back').click();
      await popup.locator('[data-testid="position-row"]').first().getByTestId('row-open').click();
      await popup.locator('[data-testid="detail-chart"] canvas').first().waitFor({ timeout: 10_000 });
      await axe(popup, `detail ${scheme}`);
      await shot(popup, `detail-${scheme}`);
      // The trade form with Long picked: the green button under white text (was 1.74:1 in dark).
      await popup.getByTestId('tab-trade').click();
      await popup.getByTestId('exec-side-long').click();
      await axe(popup, `trade ${scheme}`);
      await shot(popup, `trade-${scheme}`);
      await popup.close();

      const panel = await open('sidepanel.html', 400, 800);
      await panel.emulateMedia({ colorScheme: scheme });
      await axe(panel, `side panel ${scheme}`);
      await shot(panel, `sidepanel-${scheme}`);
      await panel.close();

      const options = await browser.openPage('options.html');
      await options.emulateMedia({ colorScheme: scheme });
      await options.getByTestId('opt-url').waitFor();
      await axe(options, `options ${scheme}`);
      await shot(options, `options-${scheme}`);
      await options.close();
    });
  }
});
