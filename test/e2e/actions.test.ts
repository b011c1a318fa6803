import { join } from 'node:path';
import {
  ExecuteResult,
  type InstrumentInfo,
  InstrumentsResponse,
  PositionsResponse,
  type TieredPosition,
} from '@tierwatch/shared';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakEvenPrice } from '../../companion/src/execution/action-plan.ts';
import { TAKER_FEE } from '../../companion/src/paper/engine/ledger.ts';
import { browserSuiteEnabled, type ExtensionBrowser } from '../support/browser.ts';
import type { CompanionProcess } from '../support/companion-process.ts';
import { ARTIFACTS, type ExtensionRig, startExtensionRig } from '../support/extension-rig.ts';

/**
 * Issue 18's end to end: Chromium with the built extension against the companion on its paper exchange.
 * A CRITICAL family is closed from its row's action menu (main and mirror closed on the exchange); SL to
 * break-even goes through the background's action API (what a notification button's handler calls) and is
 * read back from the exchange on both accounts; the Trade tab's review of an order against an opposite
 * position asks for an explicit choice. Screenshots: test/artifacts/actions-*.png.
 */

type Tw = {
  tierwatch: {
    state(): { status: { state: string } };
    act(msg: unknown): Promise<{ ok: true; result: ExecuteResult } | { ok: false; error: string }>;
    openNotifications(): Record<string, { family: string; kind: string }>;
    notificationButton(
      id: string,
      index: number,
    ): Promise<{ ok: true; result: ExecuteResult } | { ok: false; error: string } | null>;
  };
};

describe.runIf(browserSuiteEnabled('e2e actions'))('actions on a position family from the extension', () => {
  let rig: ExtensionRig;
  let companion: CompanionProcess;
  let browser: ExtensionBrowser;
  let api: (path: string, body?: unknown) => Promise<unknown>;
  const positions = async () => PositionsResponse.parse(await api('/api/v1/trading/positions?use_cache=false')).data;
  const used = new Set<string>();

  beforeAll(async () => {
    rig = await startExtensionRig({ perAccount: 20, env: { COMPANION__PAPER__SYMBOLS: '100' } });
    ({ companion, browser, api } = rig);
  }, 90_000);

  afterAll(async () => {
    await rig?.close();
  });

  /** A long on a symbol nobody holds, on main and its mirror, with the SL `slPct` % under the mark. */
  const openFamily = async (key: string, slPct: number): Promise<InstrumentInfo & { markPrice: number }> => {
    const [instruments, held] = await Promise.all([
      api('/api/v1/trading/instruments').then((b) => InstrumentsResponse.parse(b).data),
      positions(),
    ]);
    const taken = new Set([...held.map((p) => p.symbol), ...used]);
    const inst = instruments.find((i) => !taken.has(i.symbol) && i.markPrice !== null && i.markPrice > 1) as
      | (InstrumentInfo & { markPrice: number })
      | undefined;
    expect(inst, 'a symbol no account holds').toBeDefined();
    used.add(inst!.symbol);
    const tick = (v: number) => Number((Math.round(v / inst!.tickSize) * inst!.tickSize).toFixed(10));
    const steps = Math.ceil(Math.max(inst!.minQty, 20 / inst!.markPrice) / inst!.qtyStep);
    const result = ExecuteResult.parse(
      await api('/api/v1/trading/execute', {
        idempotencyKey: `${key}-${Date.now()}`,
        symbol: inst!.symbol,
        side: 'long',
        orderType: 'market',
        quantity: Number((2 * steps * inst!.qtyStep).toFixed(10)),
        takeProfit: tick(inst!.markPrice * 1.2),
        stopLoss: tick(inst!.markPrice * (1 - slPct / 100)),
      }),
    );
    expect(result.status).toBe('complete');
    expect(result.legs.map((l) => l.account)).toEqual(['main', 'mirror1']);
    return inst!;
  };

  const popup = async (): Promise<Page> => {
    const page = await browser.openPage('popup.html');
    await page.getByTestId('connection').and(page.locator('[data-state="open"]')).waitFor({ timeout: 15_000 });
    return page;
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `actions-${name}.png`) });

  it('closes a CRITICAL family from its row: main and mirror closed on the paper exchange', async () => {
    // SL 0.6 % under the mark: inside the 1 % CRITICAL band from the first check.
    const inst = await openFamily('e2e-crit', 0.6);
    const page = await popup();
    await page.getByTestId('filter').fill(inst.symbol);
    const family = page.locator('.family', {
      has: page.locator(`[data-testid="position-row"][data-key="main:${inst.symbol}:long"][data-tier="CRITICAL"]`),
    });
    await family.waitFor({ timeout: 20_000 });
    await family.getByTestId('row-actions').click();
    await family.getByTestId('act-close').click();
    const preview = family.getByTestId('action-preview');
    await preview.waitFor();
    expect(await preview.textContent()).toMatch(/main: close all .*mirror1: close all/);
    await shot(page, 'close-preview');
    await family.getByTestId('action-confirm').click();
    const result = family.getByTestId('action-result');
    await result.waitFor({ timeout: 20_000 });
    expect(await result.getAttribute('data-status'), (await result.textContent()) ?? '').toBe('complete');
    await shot(page, 'close-result');
    const left = (await positions()).filter((p) => p.symbol === inst.symbol);
    expect(left).toEqual([]);
    await page.close();
  });

  it('"close all shown" on a filtered set, behind a typed confirmation: every family shown closed', async () => {
    const mine = [await openFamily('e2e-all-a', 0.6), await openFamily('e2e-all-b', 0.6)];
    const page = await popup();
    await page.getByTestId('filter').fill('critical long');
    for (const inst of mine)
      await page
        .locator(`[data-testid="position-row"][data-key="main:${inst.symbol}:long"]`)
        .waitFor({ timeout: 20_000 });
    // The list is live (a tier may change meanwhile): the panel holds the set it opened on, and says its count.
    await page.getByTestId('close-all-shown').click();
    const shown = Number(await page.getByTestId('close-all-panel').getAttribute('data-count'));
    expect(shown).toBeGreaterThanOrEqual(2);
    await page.getByTestId('close-all-typed').fill('close');
    expect(await page.getByTestId('close-all-confirm').isDisabled()).toBe(true);
    await page.getByTestId('close-all-typed').fill(`CLOSE ${shown}`);
    await shot(page, 'close-all-typed');
    await page.getByTestId('close-all-confirm').click();
    const result = page.getByTestId('close-all-result');
    await result.waitFor({ timeout: 30_000 });
    // Every family shown was acted on: closed, or (a row the monitor has not dropped yet) found already flat.
    const lines = await result.locator('li').allTextContents();
    expect(lines).toHaveLength(shown);
    for (const line of lines) expect(line).toMatch(/: complete$|NOT_FOUND: no long/);
    for (const inst of mine) expect(lines).toContain(`${inst.symbol} long: complete`);
    await shot(page, 'close-all-result');
    const left = (await positions()).filter((p) => mine.some((i) => i.symbol === p.symbol));
    expect(left).toEqual([]);
    await page.close();
  });

  it('SL to break-even through the background action API: the new SL read back from the exchange on both accounts', async () => {
    const inst = await openFamily('e2e-be', 3);
    await fetch(`${companion.ready.paperExchange!.url}/sim/price`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ symbol: inst.symbol, price: inst.markPrice * 1.02 }),
    });
    // Break-even is only sent once the mark has passed it: wait until the companion has read the new price
    // (an action plans from its last few seconds' read, and this machine may be slow to take one).
    for (let i = 0; i < 50; i++) {
      const now = (await positions()).filter((p) => p.symbol === inst.symbol);
      if (now.length > 0 && now.every((p) => p.markPrice >= inst.markPrice * 1.015)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const reply = await (await browser.worker()).evaluate(
      (symbol) =>
        (globalThis as unknown as Tw).tierwatch.act({
          type: 'position-action',
          symbol,
          side: 'long',
          action: { kind: 'sl-break-even' },
          idempotencyKey: `e2e-be-${Date.now()}`,
        }),
      inst.symbol,
    );
    expect(reply.ok, JSON.stringify(reply)).toBe(true);
    if (!reply.ok) return;
    expect(reply.result.status, JSON.stringify(reply.result)).toBe('complete');
    const held = (await positions()).filter((p) => p.symbol === inst.symbol);
    expect(held.map((p) => p.account).sort()).toEqual(['main', 'mirror1']);
    for (const p of held) expect(p.stopLoss).toBe(breakEvenPrice('long', p.entryPrice, TAKER_FEE, inst.tickSize));
  });

  it("SL to break-even from a near-TP notification's button: the new SL read back on both accounts", async () => {
    const inst = await openFamily('e2e-nb', 3);
    const worker = await browser.worker();
    // Near-TP notifications are quiet by default (popup only): a trader who wants the button turns them on.
    await worker.evaluate(async () => {
      type Local = { get(k: string): Promise<Record<string, object>>; set(v: object): Promise<void> };
      const local = (globalThis as unknown as { chrome: { storage: { local: Local } } }).chrome.storage.local;
      const { notificationPrefs } = await local.get('notificationPrefs');
      await local.set({ notificationPrefs: { ...(notificationPrefs ?? {}), nearTp: 'on' } });
    });
    const held = (await positions()).filter((p) => p.symbol === inst.symbol);
    const tp = held.find((p) => p.account === 'main')!.takeProfit!;
    await fetch(`${companion.ready.paperExchange!.url}/sim/price`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ symbol: inst.symbol, price: tp * 0.996 }),
    });
    const id = `tw|critical|main:${inst.symbol}:long`;
    let open: Record<string, { kind: string }> = {};
    for (let i = 0; i < 100 && open[id]?.kind !== 'near-tp'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      open = await worker.evaluate(() => (globalThis as unknown as Tw).tierwatch.openNotifications());
    }
    expect(open[id]?.kind, 'a near-TP notification for the family').toBe('near-tp');
    // An action plans from the positions read in the last few seconds: let that read carry the new price
    // (see the break-even test above).
    for (let i = 0; i < 50; i++) {
      const now = (await positions()).filter((p) => p.symbol === inst.symbol);
      if (now.length > 0 && now.every((p) => p.markPrice >= tp * 0.99)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const reply = await worker.evaluate(
      (nid) => (globalThis as unknown as Tw).tierwatch.notificationButton(nid, 0),
      id,
    );
    expect(reply?.ok, JSON.stringify(reply)).toBe(true);
    if (!reply?.ok) return;
    expect(reply.result.status, JSON.stringify(reply.result.legs)).toBe('complete');
    const after = (await positions()).filter((p) => p.symbol === inst.symbol);
    expect(after.map((p) => p.account).sort()).toEqual(['main', 'mirror1']);
    for (const p of after) expect(p.stopLoss).toBe(breakEvenPrice('long', p.entryPrice, TAKER_FEE, inst.tickSize));
    // The notification it came from is gone.
    const still = await worker.evaluate(() => (globalThis as unknown as Tw).tierwatch.openNotifications());
    expect(still[id]).toBeUndefined();
  });

  it("the Trade tab's review of a SHORT against a held LONG says what it does per account and needs a choice", async () => {
    const inst = await openFamily('e2e-opp', 3);
    const held = (await positions()).filter((p: TieredPosition) => p.symbol === inst.symbol);
    const page = await popup();
    await page.getByTestId('tab-trade').click();
    await page.getByTestId('exec-symbol').fill(inst.symbol);
    await page.getByTestId('exec-instrument').waitFor();
    await page.getByTestId('exec-side-short').click();
    const mainSize = held.find((p) => p.account === 'main')!.size;
    await page.getByTestId('exec-quantity').fill(String(Number((mainSize / 2).toFixed(10))));
    await page.getByTestId('exec-review').click();
    await page.getByTestId('exec-confirm').waitFor();
    const against = page.getByTestId('exec-against');
    await against.waitFor({ timeout: 10_000 });
    const effects = await page
      .getByTestId('confirm-effect')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-effect')));
    expect(effects).toEqual(['reduces', 'reduces']);
    expect(await page.getByTestId('exec-no-sl').isVisible()).toBe(true);
    expect(await page.getByTestId('exec-place').isDisabled()).toBe(true);
    await shot(page, 'trade-against');
    await page.getByTestId('exec-against-ack').check();
    expect(await page.getByTestId('exec-place').isDisabled()).toBe(false);
    await page.close();
  });
});
