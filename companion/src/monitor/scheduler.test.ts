import { describe, expect, it } from 'vitest';
import { MonitorConfig } from './config.ts';
import { effectiveIntervals, selectProfile } from './profiles.ts';
import { type PlanInput, planTick, type SchedAccount, type SchedEntry, summarize } from './scheduler.ts';

const cfg = MonitorConfig.parse({});
const iv = effectiveIntervals(selectProfile(cfg.profiles, 400), cfg);
const NOW = 1_000_000;

const acct = (name: string, o: Partial<SchedAccount> = {}): SchedAccount => ({
  name,
  stateReqAt: NOW - 1000,
  ordersReqAt: NOW - 1000,
  stateInFlight: false,
  ordersInFlight: false,
  confirm: false,
  ...o,
});

function plan(entries: SchedEntry[], accounts: SchedAccount[], o: Partial<PlanInput> = {}) {
  const { byAccount } = summarize(
    entries,
    accounts.map((a) => a.name),
  );
  return planTick(
    {
      now: NOW,
      mode: 'normal',
      slackMs: 50,
      confirmMinGapMs: 1000,
      tickerScope: 'due',
      intervals: iv,
      entries,
      accounts,
      ...o,
    },
    byAccount,
  );
}

describe('planTick', () => {
  it('puts only due positions in the one ticker call, in the lane of the most urgent', () => {
    const p = plan(
      [
        { account: 'a', symbol: 'AUSDT', tier: 'CRITICAL', priceReqAt: NOW - 1000 },
        { account: 'b', symbol: 'BUSDT', tier: 'URGENT', priceReqAt: NOW - 5000 },
        { account: 'a', symbol: 'CUSDT', tier: 'DORMANT', priceReqAt: NOW - 1000 },
      ],
      [acct('a'), acct('b')],
    );
    expect(p.ticker).toEqual({
      symbols: ['AUSDT', 'BUSDT'],
      lane: 'critical',
      dueTier: 'CRITICAL',
      // AUSDT's slot (checked 1,000 ms ago, due 50 ms early) is the earliest.
      pacedAt: NOW - 50,
    });
  });

  it.each<[string, SchedEntry[], number]>([
    [
      'due exactly now: counted from now',
      [{ account: 'a', symbol: 'AUSDT', tier: 'CRITICAL', priceReqAt: NOW - 950 }],
      NOW,
    ],
    [
      'started 120 ms late: counted from its slot, so the next check keeps its time',
      [{ account: 'a', symbol: 'AUSDT', tier: 'CRITICAL', priceReqAt: NOW - 1070 }],
      NOW - 120,
    ],
    [
      'later than a quarter interval: catches up by 250 ms only',
      [{ account: 'a', symbol: 'AUSDT', tier: 'CRITICAL', priceReqAt: NOW - 2000 }],
      NOW - 250,
    ],
    [
      'two due positions: the earlier slot',
      [
        { account: 'a', symbol: 'AUSDT', tier: 'CRITICAL', priceReqAt: NOW - 1000 },
        { account: 'a', symbol: 'BUSDT', tier: 'CRITICAL', priceReqAt: NOW - 960 },
      ],
      NOW - 50,
    ],
    [
      'never checked: counted from now',
      [{ account: 'a', symbol: 'AUSDT', tier: 'CRITICAL', priceReqAt: Number.NEGATIVE_INFINITY }],
      NOW,
    ],
  ])('the ticker is paced from its slot: %s', (_n, entries, pacedAt) => {
    expect(plan(entries, [acct('a')]).ticker?.pacedAt).toBe(pacedAt);
  });

  it('one due CRITICAL does not make the others due', () => {
    const p = plan(
      [
        { account: 'a', symbol: 'AUSDT', tier: 'CRITICAL', priceReqAt: NOW - 1000 },
        { account: 'a', symbol: 'SUSDT', tier: 'STABLE', priceReqAt: NOW - 1000 },
      ],
      [acct('a')],
    );
    expect(p.ticker?.symbols).toEqual(['AUSDT']);
  });

  it("'held' scope carries every held symbol in the same one call", () => {
    const p = plan(
      [
        { account: 'a', symbol: 'AUSDT', tier: 'CRITICAL', priceReqAt: NOW - 1000 },
        { account: 'a', symbol: 'SUSDT', tier: 'STABLE', priceReqAt: NOW - 1000 },
      ],
      [acct('a')],
      { tickerScope: 'held' },
    );
    expect(p.ticker?.symbols).toEqual(['AUSDT', 'SUSDT']);
  });

  it('no ticker call when nothing is due; says when the next thing is', () => {
    const p = plan([{ account: 'a', symbol: 'AUSDT', tier: 'URGENT', priceReqAt: NOW - 1000 }], [acct('a')]);
    expect(p.ticker).toBeNull();
    expect(p.nextDueAt).toBe(NOW - 1000 + 5000 - 50);
  });

  it('reads an account at its most urgent tier, not faster than the state floor', () => {
    const entries: SchedEntry[] = [{ account: 'a', symbol: 'AUSDT', tier: 'CRITICAL', priceReqAt: NOW }];
    expect(plan(entries, [acct('a', { stateReqAt: NOW - 4000 })]).stateReads).toEqual([]);
    expect(plan(entries, [acct('a', { stateReqAt: NOW - 4950 })]).stateReads).toEqual([
      { account: 'a', lane: 'critical' },
    ]);
    const dormant: SchedEntry[] = [{ account: 'a', symbol: 'AUSDT', tier: 'DORMANT', priceReqAt: NOW }];
    // DORMANT is 900 s, but every account is read at least every discovery interval (60 s)
    expect(plan(dormant, [acct('a', { stateReqAt: NOW - 59_000 })]).stateReads).toEqual([]);
    expect(plan(dormant, [acct('a', { stateReqAt: NOW - 60_000 })]).stateReads).toEqual([
      { account: 'a', lane: 'dormant' },
    ]);
  });

  it('reads an account at once on a confirm, but never twice at a time', () => {
    const entries: SchedEntry[] = [{ account: 'a', symbol: 'AUSDT', tier: 'STABLE', priceReqAt: NOW }];
    expect(plan(entries, [acct('a', { confirm: true })]).stateReads).toEqual([{ account: 'a', lane: 'critical' }]);
    expect(plan(entries, [acct('a', { confirm: true, stateInFlight: true })]).stateReads).toEqual([]);
  });

  it.each([
    ['just read (0 ms ago): waits', 0, false],
    ['999 ms ago: waits', 999, false],
    ['1000 ms ago: reads', 1000, true],
    ['5000 ms ago: reads', 5000, true],
  ])('a confirm shares reads within confirmMinGapMs: %s', (_name, ago, reads) => {
    const entries: SchedEntry[] = [{ account: 'a', symbol: 'AUSDT', tier: 'DORMANT', priceReqAt: NOW }];
    const p = plan(entries, [acct('a', { confirm: true, stateReqAt: NOW - ago })]);
    expect(p.stateReads.length).toBe(reads ? 1 : 0);
    if (!reads) expect(p.nextDueAt).toBeLessThanOrEqual(NOW - ago + 1000);
  });

  it('reads open orders only for accounts with BUILDING positions due, or at discovery', () => {
    const entries: SchedEntry[] = [
      { account: 'a', symbol: 'AUSDT', tier: 'BUILDING', priceReqAt: NOW },
      { account: 'b', symbol: 'BUSDT', tier: 'STABLE', priceReqAt: NOW },
    ];
    const p = plan(entries, [acct('a', { ordersReqAt: NOW - 60_000 }), acct('b', { ordersReqAt: NOW - 30_000 })]);
    expect(p.orderReads).toEqual([{ account: 'a', lane: 'building' }]);
  });

  it('critical-only: only CRITICAL prices, accounts holding CRITICAL, and confirms', () => {
    const entries: SchedEntry[] = [
      { account: 'a', symbol: 'AUSDT', tier: 'CRITICAL', priceReqAt: NOW - 1000 },
      { account: 'b', symbol: 'BUSDT', tier: 'URGENT', priceReqAt: NOW - 60_000 },
      { account: 'c', symbol: 'CUSDT', tier: 'STABLE', priceReqAt: NOW - 900_000 },
    ];
    const accounts = [
      acct('a', { stateReqAt: -Infinity }),
      acct('b', { stateReqAt: -Infinity }),
      acct('c', { confirm: true }),
    ];
    const p = plan(entries, accounts, { mode: 'critical-only', tickerScope: 'held' });
    expect(p.ticker?.symbols).toEqual(['AUSDT', 'BUSDT', 'CUSDT']); // free ride: same one call
    expect(p.ticker?.lane).toBe('critical');
    expect(p.stateReads.map((r) => r.account)).toEqual(['a', 'c']);
    expect(p.orderReads).toEqual([]);
  });

  it('spreads scheduled account reads: one per tick, a shortest interval / accounts apart', () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    const entries: SchedEntry[] = names.map((n) => ({
      account: n,
      symbol: `${n.toUpperCase()}USDT`,
      tier: 'CRITICAL',
      priceReqAt: NOW,
    }));
    // All five due together (read together last time): only the most overdue starts now.
    const due = names.map((n, i) => acct(n, { stateReqAt: NOW - 6000 - (i === 2 ? 500 : 0) }));
    const p = plan(entries, due);
    expect(p.stateReads).toEqual([{ account: 'c', lane: 'critical' }]);
    // The last read started 600 ms ago; 5 s / 5 accounts = 1 s apart: the next waits 400 ms.
    const recent = names.map((n, i) => acct(n, { stateReqAt: i === 0 ? NOW - 600 : NOW - 6000 }));
    const q = plan(entries, recent);
    expect(q.stateReads).toEqual([]);
    expect(q.nextDueAt).toBe(NOW + 400);
    // Confirms and first reads are never held back.
    const urgent = [
      acct('a', { stateReqAt: NOW - 10 }),
      acct('b', { confirm: true }),
      acct('c', { stateReqAt: -Infinity }),
    ];
    expect(plan(entries.slice(0, 3), urgent).stateReads.map((r) => r.account)).toEqual(['b', 'c']);
  });
});
