import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusEvent, TieredPosition } from '@tierwatch/shared';
import { WebSocket } from 'ws';
import { CompanionConfig } from '../../../companion/src/config/index.ts';
import { ScaledClock } from '../../../companion/src/core/clock.ts';
import { silentLogger } from '../../../companion/src/core/logger.ts';
import { startCompanion } from '../../../companion/src/runtime.ts';
import { DEFAULT_NOTIFICATION_PREFS } from '../../../extension/utils/alert-prefs.ts';
import { createBackground } from '../../../extension/utils/background-core.ts';
import type { SocketLike } from '../../../extension/utils/connection.ts';
import type { Toast } from '../../../extension/utils/notify-toasts.ts';
import { round } from '../stats.ts';

/**
 * Alerts a trader keeps switched on (issue 19): the default demo (no config: the paper exchange, main +
 * mirror1, 40 positions each, seed 42) for 30 simulated minutes on a scaled clock, with the extension's
 * own background logic (extension/utils/background-core.ts: socket → parse → reducer → notification
 * policy) connected to the companion's real WebSocket stream. chrome.notifications is a recorder: what
 * is shown, replaced and cleared, and when.
 *
 * - notificationsPerHour: every notification shown (create calls, summaries and quiet near-TP included),
 *   per simulated hour; loudPerHour: those with sound (not silent).
 * - repeatsWithinQuiet: a family and kind shown again within its quiet period (dedupeMinutes).
 * - openForResolved: CRITICAL notifications (and the summary) still open for families with no leg in
 *   CRITICAL on the companion, sampled every simulated minute, counted only when stale on two samples
 *   2 s of real time apart (a tier change in flight is not a stale notification); max over the run.
 * - exchange vs notified: families whose TP or SL order fired on the paper exchange (its own order
 *   history: stopOrderType TakeProfit / StopLoss), against families notified with a hit of their own.
 */

const SIM_MINUTES = Number(process.env.BENCH_ALERTS_MINUTES ?? 30);
const SCALE = Number(process.env.BENCH_ALERTS_SCALE ?? 10);
/**
 * The default demo moves like the real market, so half an hour of it holds only a few alerts. The same
 * half hour is run again with the market `FAST_VOLATILITY` times as volatile (`paper.volatility`): a
 * stormy session, where the budget has to hold with many positions crossing their lines.
 */
const FAST_VOLATILITY = Number(process.env.BENCH_ALERTS_FAST_VOLATILITY ?? 10);
const realSleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export default async function run(): Promise<Record<string, unknown>> {
  const defaultDemo = await scenario(1);
  return { ...defaultDemo, fast: FAST_VOLATILITY > 0 ? await scenario(FAST_VOLATILITY) : null };
}

async function scenario(volatility: number): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tw-bench-alerts-'));
  const clock = new ScaledClock(SCALE);
  const config = CompanionConfig.parse({
    server: { port: 0 },
    dataDir,
    log: { level: 'silent' },
    paper: { volatility },
  });
  const companion = await startCompanion(config, { clock, logger: silentLogger, env: {} });
  const paper = companion.paper;
  if (!paper) throw new Error('the default demo runs on the embedded paper exchange; none started');
  const events: BusEvent[] = [];
  const unsubscribe = companion.bus.subscribe((e) => void events.push(e));

  const shows: { at: number; toast: Toast }[] = [];
  const open = new Map<string, Toast>();
  const bg = createBackground({
    socket: {
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      now: () => clock.now(),
      random: Math.random,
    },
    showToast: (toast) => {
      shows.push({ at: clock.now(), toast });
      open.set(toast.id, toast);
    },
    clearToast: (id) => void open.delete(id),
    setBadge: () => {},
  });
  const prefs = DEFAULT_NOTIFICATION_PREFS;
  bg.configure({ baseUrl: companion.url, token: companion.token, prefs });

  const start = clock.now();
  const end = start + SIM_MINUTES * 60_000;
  const families = new Map(
    companion.accounts.map((a) => [a.name, a.role === 'mirror' && a.mirrorOf ? a.mirrorOf : a.name]),
  );
  const family = (p: { account: string; symbol: string; side: string }) =>
    `${families.get(p.account) ?? p.account}:${p.symbol}:${p.side}`;
  const criticalFamilies = () =>
    new Set(
      companion.monitor
        .positions()
        .filter((p: TieredPosition) => p.tier === 'CRITICAL')
        .map(family),
    );
  const stale = () => {
    const critical = criticalFamilies();
    return [...open.keys()].filter((id) => {
      const [, kind, fam] = id.split('|');
      if (id === 'tw|summary') return critical.size === 0;
      return kind === 'critical' && fam !== undefined && !critical.has(fam);
    });
  };

  let openForResolvedMax = 0;
  let samples = 0;
  try {
    while (clock.now() < end) {
      await realSleep(60_000 / SCALE);
      const first = stale();
      if (first.length === 0) {
        samples++;
        continue;
      }
      await realSleep(2000);
      const second = new Set(stale());
      openForResolvedMax = Math.max(openForResolvedMax, first.filter((id) => second.has(id)).length);
      samples++;
    }
    await realSleep(2000);
  } finally {
    bg.stop();
    unsubscribe();
  }
  const simHours = (clock.now() - start) / 3_600_000;

  // The exchange's own record of triggered TP / SL closes, per family.
  const exchangeHits = { sl: new Set<string>(), tp: new Set<string>() };
  for (const acc of paper.engine.accounts)
    for (const o of acc.history) {
      if (o.createdTime < start || (o.stopOrderType !== 'StopLoss' && o.stopOrderType !== 'TakeProfit')) continue;
      const side = o.side === 'Sell' ? 'long' : 'short';
      exchangeHits[o.stopOrderType === 'StopLoss' ? 'sl' : 'tp'].add(
        family({ account: acc.name, symbol: o.symbol, side }),
      );
    }
  const notifiedHits = { sl: new Set<string>(), tp: new Set<string>() };
  for (const { toast } of shows) {
    const [, kind, fam] = toast.id.split('|');
    if (kind === 'sl-hit' && fam) notifiedHits.sl.add(fam);
    if (kind === 'tp-hit' && fam) notifiedHits.tp.add(fam);
  }

  // Repeats: the same family and kind shown again within the quiet period.
  const quietMs = prefs.dedupeMinutes * 60_000;
  const lastShow = new Map<string, number>();
  let repeatsWithinQuiet = 0;
  for (const { at, toast } of shows) {
    if (toast.id === 'tw|summary') continue;
    const key = `${toast.kind}|${toast.id.split('|')[2]}`;
    const prev = lastShow.get(key);
    if (prev !== undefined && at - prev < quietMs) repeatsWithinQuiet++;
    lastShow.set(key, at);
  }

  const count = (type: BusEvent['type']) => events.filter((e) => e.type === type).length;
  const closes = events.filter(
    (e): e is Extract<BusEvent, { type: 'position-closed' }> => e.type === 'position-closed',
  );
  const byKind = (k: string) => shows.filter((s) => s.toast.kind === k).length;
  const equal = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));
  const figures = {
    simulatedMinutes: round(simHours * 60, 1),
    scale: SCALE,
    volatility,
    positionsAtStart: paper.engine.accounts.length * config.paper.positionsPerAccount,
    positionsAtEnd: companion.monitor.positions().length,
    notifications: shows.length,
    notificationsPerHour: round(shows.length / simHours, 1),
    loudPerHour: round(shows.filter((s) => !s.toast.silent).length / simHours, 1),
    notificationsByKind: {
      nearSl: byKind('near-sl'),
      nearTp: byKind('near-tp'),
      slHit: byKind('sl-hit'),
      tpHit: byKind('tp-hit'),
      liquidation: byKind('liquidation'),
      summary: byKind('summary'),
    },
    repeatsWithinQuiet,
    openForResolved: openForResolvedMax,
    openForResolvedSamples: samples,
    slHitsOnExchange: exchangeHits.sl.size,
    slHitsNotified: notifiedHits.sl.size,
    tpHitsOnExchange: exchangeHits.tp.size,
    tpHitsNotified: notifiedHits.tp.size,
    hitsMatch: equal(exchangeHits.sl, notifiedHits.sl) && equal(exchangeHits.tp, notifiedHits.tp),
    companionEvents: {
      critical: count('critical'),
      tierChanged: count('tier-changed'),
      tierChangesTop: topPairs(events),
      slHit: count('sl-hit'),
      tpHit: count('tp-hit'),
      closed: closes.length,
      closedUnknown: closes.filter((c) => c.reason === 'unknown').length,
    },
    alertList: (() => {
      const alerts = bg.state().stream?.alerts ?? [];
      return {
        entries: alerts.length,
        hits: alerts.filter((a) => a.kind === 'sl-hit' || a.kind === 'tp-hit').length,
        critical: alerts.filter((a) => a.kind === 'critical').length,
      };
    })(),
  };
  await companion.close();
  rmSync(dataDir, { recursive: true, force: true });
  return figures;
}

/** The most frequent tier changes (from→to), for where flapping is left. */
function topPairs(events: BusEvent[]): Record<string, number> {
  const n = new Map<string, number>();
  for (const e of events)
    if (e.type === 'tier-changed') n.set(`${e.from}>${e.to}`, (n.get(`${e.from}>${e.to}`) ?? 0) + 1);
  return Object.fromEntries([...n].sort((a, b) => b[1] - a[1]).slice(0, 6));
}
