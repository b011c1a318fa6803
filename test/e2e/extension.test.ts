import { join } from 'node:path';
import {
  ExecutionsResponse,
  type InstrumentInfo,
  InstrumentsResponse,
  PositionsResponse,
  TIERS,
  type TieredPosition,
} from '@tierwatch/shared';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSuiteEnabled, EXTENSION_ID, type ExtensionBrowser } from '../support/browser.ts';
import type { CompanionProcess } from '../support/companion-process.ts';
import { ARTIFACTS, type ExtensionRig, startExtensionRig } from '../support/extension-rig.ts';

/**
 * The "Must show", end to end: Debian's Chromium with the built extension, against the real
 * companion (`pnpm start`) on its embedded paper exchange. One companion and one browser for the file;
 * the tests run in order (pair → glance → critical → execute → the same order again → a lost answer →
 * wrong token).
 */

const POSITIONS_PER_ACCOUNT = 20;

type Tw = {
  tierwatch: { state(): { status: { state: string }; stream: { tierCounts: Record<string, number> } | null } };
};

describe.runIf(browserSuiteEnabled('e2e extension'))('the extension in Chromium against the companion', () => {
  let rig: ExtensionRig;
  let companion: CompanionProcess;
  let browser: ExtensionBrowser;
  let api: ExtensionRig['api'];
  let sim: (path: string, body?: unknown) => Promise<Record<string, unknown>>;

  beforeAll(async () => {
    rig = await startExtensionRig({
      perAccount: POSITIONS_PER_ACCOUNT,
      // Paired through the options page, in the first case.
      pair: false,
      // The popup's calls/s line comes with the monitor's stats event: publish it every second, not every 5.
      env: { COMPANION__MONITOR__STATS__PUBLISH_INTERVAL_MS: '1000' },
    });
    ({ companion, browser, api, sim } = rig);
  });

  afterAll(async () => {
    await rig?.close();
  });

  /** The trade the execute case placed, for the repeat case after it. */
  let lastTrade: { symbol: string; qty: number } | null = null;
  /** A market long of `qty` with TP 3% and SL 2%, on the default accounts (main and its mirror). */
  const fillTrade = async (page: Page, symbol: string, qty: number) => {
    await page.getByTestId('tab-trade').click();
    await page.getByTestId('exec-symbol').fill(symbol);
    await page.getByTestId('exec-instrument').waitFor();
    await page.getByTestId('exec-side-long').click();
    await page.getByTestId('exec-quantity').fill(String(qty));
    await page.getByTestId('exec-tp').fill('3');
    await page.getByTestId('exec-sl').fill('2');
  };

  /**
   * A symbol no account holds (nor traded in this file), so the exchange's positions afterwards are exactly
   * the execute's legs, and a quantity whose mirror (×0.5) leg is a whole number of qty steps worth at least
   * 10 USDT (the minimum order is 5).
   */
  const freshTrade = async () => {
    const [instruments, positions] = await Promise.all([
      api('/api/v1/trading/instruments').then((b) => InstrumentsResponse.parse(b).data),
      api('/api/v1/trading/positions').then((b) => PositionsResponse.parse(b).data),
    ]);
    const taken = new Set([...positions.map((p) => p.symbol), ...traded]);
    const inst = instruments.find((i) => !taken.has(i.symbol) && i.markPrice !== null) as InstrumentInfo & {
      markPrice: number;
    };
    expect(inst).toBeDefined();
    traded.add(inst.symbol);
    const steps = Math.ceil(Math.max(inst.minQty, 10 / inst.markPrice) / inst.qtyStep);
    const decimals = Math.max(0, -Math.floor(Math.log10(inst.qtyStep)));
    return { inst, qty: Number((2 * steps * inst.qtyStep).toFixed(decimals)), decimals };
  };
  const traded = new Set<string>();

  const popup = async (): Promise<Page> => {
    const page = await browser.openPage('popup.html');
    await page.getByTestId('connection').and(page.locator('[data-state="open"]')).waitFor({ timeout: 15_000 });
    return page;
  };

  it('loads with the fixed id and pairs through the options page', async () => {
    expect(browser.extensionId).toBe(EXTENSION_ID);
    const options = await browser.openPage('options.html');
    await options.getByTestId('opt-url').fill(companion.ready.url);
    await options.getByTestId('opt-token').fill(companion.ready.token);
    await options.getByTestId('opt-test').click();
    await expect.poll(() => options.getByTestId('opt-test-result').getAttribute('data-state')).toBe('ok');
    await options.getByTestId('opt-save').click();
    await options.getByTestId('opt-saved').waitFor();
    await options.close();
    await browser.waitInWorker(() => (globalThis as unknown as Tw).tierwatch.state().status.state === 'open', null, {
      timeoutMs: 15_000,
      what: 'the socket to open',
    });
  });

  it('the popup lists the positions by tier, as the companion classifies them', async () => {
    const page = await popup();
    const apiCounts = async () => {
      const body = PositionsResponse.parse(await api('/api/v1/trading/positions'));
      expect(body.data.length).toBe(2 * POSITIONS_PER_ACCOUNT);
      return Object.fromEntries(TIERS.map((t) => [t, body.data.filter((p) => p.tier === t).length]));
    };
    const popupCounts = async () => {
      const counts: Record<string, number> = {};
      for (const t of TIERS) counts[t] = Number(await page.getByTestId(`tier-count-${t}`).getAttribute('data-count'));
      return counts;
    };
    // The tier bar agrees with the HTTP API (same monitor, same classifier; prices walk, so ask until they meet).
    let expected: Record<string, number> = {};
    await expect
      .poll(
        async () => {
          expected = await apiCounts();
          return JSON.stringify(await popupCounts()) === JSON.stringify(expected);
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    expect(Object.values(expected).filter((n) => n > 0).length).toBeGreaterThan(2); // several tiers on show
    // The groups under the bar, read in one go (one DOM picture): most urgent first, empty tiers hidden,
    // each group's count equal to its segment of the bar.
    const picture = await page.evaluate(() => ({
      bar: Array.from(document.querySelectorAll('[data-testid^="tier-count-"]')).map((e) => [
        e.getAttribute('data-testid')!.slice('tier-count-'.length),
        Number(e.getAttribute('data-count')),
      ]),
      groups: Array.from(document.querySelectorAll('[data-testid="tier-group"]')).map((g) => [
        g.getAttribute('data-tier'),
        Number(g.querySelector('[data-testid="tier-group-count"]')?.textContent),
      ]),
    }));
    expect(picture.groups).toEqual(picture.bar.filter(([, n]) => (n as number) > 0));
    expect(picture.bar.map(([t]) => t)).toEqual([...TIERS]);
    expect(await page.getByTestId('position-row').count()).toBeGreaterThan(0);
    // The monitor's call figures live in the Diagnostics view (issue 20: the header is for the trader).
    await page.getByTestId('open-diagnostics').click();
    await expect.poll(() => page.getByTestId('stats').textContent(), { timeout: 10_000 }).toMatch(/calls\/s/);
    await page.getByTestId('diagnostics-back').click();
    await page.screenshot({ path: join(ARTIFACTS, 'popup-glance.png') });
    await page.emulateMedia({ colorScheme: 'dark' }); // the theme follows the system
    await page.screenshot({ path: join(ARTIFACTS, 'popup-glance-dark.png') });
    await page.close();
  });

  it('a price pushed into CRITICAL raises a desktop notification and the badge count', async () => {
    const body = PositionsResponse.parse(await api('/api/v1/trading/positions'));
    // 0.5% on the safe side of a main position's SL: inside the 1% CRITICAL band, not past the level. The
    // mirror holds the same symbol; the price must not cross any level on it either (no SL/TP hit, no close).
    const priceFor = (p: TieredPosition & { stopLoss: number }) =>
      p.side === 'long' ? p.stopLoss * 1.005 : p.stopLoss / 1.005;
    const crossesNothing = (price: number, symbol: string) =>
      body.data
        .filter((q) => q.symbol === symbol)
        .every((q) => {
          const below = q.side === 'long' ? q.stopLoss : q.takeProfit;
          const above = q.side === 'long' ? q.takeProfit : q.stopLoss;
          return (below === null || price > below) && (above === null || price < above);
        });
    const target = body.data.find(
      (p): p is TieredPosition & { stopLoss: number } =>
        p.account === 'main' &&
        p.stopLoss !== null &&
        p.tier !== 'CRITICAL' &&
        body.data.every((q) => q.symbol !== p.symbol || q.tier !== 'CRITICAL') &&
        crossesNothing(priceFor(p as TieredPosition & { stopLoss: number }), p.symbol),
    );
    expect(target, 'a non-critical main position with an SL').toBeDefined();
    const t = target!;
    const price = priceFor(t);
    await sim('/price', { symbol: t.symbol, price });

    const id = `tw|critical|main:${t.symbol}:${t.side}`;
    await expect.poll(() => browser.notifications(), { timeout: 15_000 }).toHaveProperty([id]);
    const critical = await browser.waitInWorker(
      () => (globalThis as unknown as Tw).tierwatch.state().stream?.tierCounts.CRITICAL ?? 0,
      null,
      { what: 'a CRITICAL count' },
    );
    expect(critical).toBeGreaterThan(0);
    await expect.poll(() => browser.badgeText()).toBe(String(critical));

    const page = await popup();
    const alert = page.getByTestId('alert').filter({ hasText: t.symbol }).first();
    await alert.waitFor();
    const row = page.locator('[data-testid="tier-group"][data-tier="CRITICAL"] [data-testid="position-row"]', {
      hasText: t.symbol,
    });
    await expect.poll(() => row.count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'popup-critical.png') });
    await page.close();
  });

  it('an execute from the popup places the main and mirror orders on the paper exchange', async () => {
    const { inst, qty, decimals } = await freshTrade();

    const page = await popup();
    await fillTrade(page, inst.symbol, qty);
    expect(await page.getByTestId('exec-account-main').isChecked()).toBe(true);
    expect(await page.getByTestId('exec-account-mirror1').isChecked()).toBe(true); // mirrors ticked by default
    await page.getByTestId('exec-review').click();

    const confirm = page.getByTestId('exec-confirm');
    await confirm.waitFor();
    const legs = page.getByTestId('confirm-leg');
    expect(await legs.evaluateAll((els) => els.map((e) => e.getAttribute('data-account')))).toEqual([
      'main',
      'mirror1',
    ]);
    await page.screenshot({ path: join(ARTIFACTS, 'popup-execute-confirm.png') });

    await page.getByTestId('exec-place').click();
    const result = page.getByTestId('exec-result');
    // Either the result or the companion's error, named: a failure then says why, not just "timeout".
    await result.or(page.getByTestId('exec-error')).first().waitFor({ timeout: 20_000 });
    if (!(await result.isVisible()))
      expect.fail(`execute refused: ${await page.getByTestId('exec-error').textContent()}`);
    await expect.poll(() => result.getAttribute('data-status'), { timeout: 15_000 }).toBe('complete');
    const legStatus = await page
      .getByTestId('exec-leg')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-account'), e.getAttribute('data-status')]));
    // 'placed' (accepted, fill not yet read back) or 'filled': the exchange's positions below are the proof.
    expect(legStatus.map(([a]) => a)).toEqual(['main', 'mirror1']);
    for (const [, st] of legStatus) expect(['placed', 'filled']).toContain(st);
    // The fills read back come on the stream (execution-updated), not from polling the execution: the
    // open result turns to filled by itself.
    await expect
      .poll(() => page.getByTestId('exec-leg').evaluateAll((els) => els.map((e) => e.getAttribute('data-status'))), {
        timeout: 15_000,
      })
      .toEqual(['filled', 'filled']);
    await page.screenshot({ path: join(ARTIFACTS, 'popup-execute-result.png') });
    await page.close();
    lastTrade = { symbol: inst.symbol, qty };

    // On the exchange itself: a long of qty on main and qty × 0.5 on the mirror, each with its TP and SL.
    for (const [account, size] of [
      ['main', qty],
      ['mirror1', qty * 0.5],
    ] as const) {
      const { positions: onExchange } = (await sim(`/positions/${account}`)) as unknown as {
        positions: { symbol: string; side: string; size: number; takeProfit: number | null; stopLoss: number | null }[];
      };
      const p = onExchange.find((x) => x.symbol === inst.symbol);
      expect(p, `${account} holds ${inst.symbol}`).toMatchObject({ side: 'long' });
      expect(p!.size).toBeCloseTo(size, decimals);
      expect(p!.takeProfit).toBeGreaterThan(inst.markPrice);
      expect(p!.stopLoss).toBeLessThan(inst.markPrice);
    }
  });

  it('the same order again within a minute, from a new popup: the confirm step says when it went out and asks twice', async () => {
    expect(lastTrade, 'the execute case ran first').not.toBeNull();
    const { symbol, qty } = lastTrade!;
    const executions = async () =>
      ExecutionsResponse.parse(await api('/api/v1/trading/executions')).data.filter((e) => e.symbol === symbol);
    expect(await executions()).toHaveLength(1);

    // A fresh popup: it knows the first order only from the companion's list.
    const page = await popup();
    await fillTrade(page, symbol, qty);
    await page.getByTestId('exec-review').click();
    const warning = page.getByTestId('exec-repeat');
    await warning.waitFor({ timeout: 10_000 });
    expect(await warning.textContent()).toMatch(
      /^The same order went out (under a second ago|\d+s ago): long .* on main, mirror1/,
    );
    const placeButton = page.getByTestId('exec-place');
    expect(await placeButton.isDisabled()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'popup-execute-repeat.png') });

    // The second confirmation: ticked, Place sends a second order, as meant.
    await page.getByTestId('exec-repeat-ack').check();
    expect(await placeButton.isEnabled()).toBe(true);
    expect(await placeButton.textContent()).toMatch(/^Place again on 2 accounts$/);
    await placeButton.click();
    const result = page.getByTestId('exec-result');
    await result.or(page.getByTestId('exec-error')).first().waitFor({ timeout: 20_000 });
    if (!(await result.isVisible()))
      expect.fail(`execute refused: ${await page.getByTestId('exec-error').textContent()}`);
    await expect.poll(() => result.getAttribute('data-status'), { timeout: 15_000 }).toBe('complete');
    expect(await executions()).toHaveLength(2);
    await page.close();
  });

  it('an execute whose answer is lost on the way back: "may have been placed — checking…", then the real outcome, sent once', async () => {
    const { inst, qty } = await freshTrade();
    const page = await popup();
    let posts = 0;
    // The companion gets the request and places the orders; its answer never reaches the popup.
    await page.route('**/api/v1/trading/execute', async (route) => {
      posts++;
      await route.fetch();
      await route.abort('connectionreset');
    });
    // The follow-up read is held a moment, long enough to see (and photograph) what the trader sees meanwhile.
    await page.route(
      (url) => url.pathname.endsWith('/api/v1/trading/executions') && url.searchParams.has('key'),
      async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await route.continue();
      },
    );
    await fillTrade(page, inst.symbol, qty);
    await page.getByTestId('exec-review').click();
    await page.getByTestId('exec-confirm').waitFor();
    await page.getByTestId('exec-place').click();

    const checking = page.getByTestId('exec-checking');
    await checking.waitFor({ timeout: 10_000 });
    expect(await checking.textContent()).toMatch(/the order may have been placed — checking…$/);
    await page.screenshot({ path: join(ARTIFACTS, 'popup-execute-checking.png') });

    const result = page.getByTestId('exec-result');
    await result.or(page.getByTestId('exec-error')).first().waitFor({ timeout: 20_000 });
    if (!(await result.isVisible())) expect.fail(`not followed: ${await page.getByTestId('exec-error').textContent()}`);
    await expect.poll(() => result.getAttribute('data-status'), { timeout: 15_000 }).toBe('complete');
    await page.screenshot({ path: join(ARTIFACTS, 'popup-execute-followed.png') });
    await page.close();

    // Sent once, executed once: one execution on the companion, one position per account on the exchange.
    expect(posts).toBe(1);
    const executions = ExecutionsResponse.parse(await api('/api/v1/trading/executions')).data;
    expect(executions.filter((e) => e.symbol === inst.symbol)).toHaveLength(1);
    for (const account of ['main', 'mirror1']) {
      const { positions: onExchange } = (await sim(`/positions/${account}`)) as unknown as {
        positions: { symbol: string }[];
      };
      expect(onExchange.filter((x) => x.symbol === inst.symbol)).toHaveLength(1);
    }
  });

  it('a wrong token shows the unpaired state', async () => {
    const options = await browser.openPage('options.html');
    await options.getByTestId('opt-token').fill('not-the-token-not-the-token-not-the-token00');
    await options.getByTestId('opt-test').click();
    await expect.poll(() => options.getByTestId('opt-test-result').getAttribute('data-state')).toBe('unpaired');
    await options.getByTestId('opt-save').click();
    await options.getByTestId('opt-saved').waitFor();
    await options.close();

    const page = await browser.openPage('popup.html');
    await page.getByTestId('state-unpaired').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('open-options').isVisible()).toBe(true);
    await expect.poll(() => browser.badgeText()).toBe('key');
    await page.screenshot({ path: join(ARTIFACTS, 'popup-unpaired.png') });
    await page.close();
  });
});
