import { describe, expect, it } from 'vitest';
import type { StreamHealth } from '../exchange/types.ts';
import { MonitorConfig } from './config.ts';
import { effectiveIntervals, selectProfile } from './profiles.ts';
import type { PlanInput, SchedAccount, SchedEntry } from './scheduler.ts';
import { summarize } from './scheduler.ts';
import { initialSource, planWithStreams, type SourceState, stepSource, worstHealth } from './source.ts';

const R = 1000;
const poll = (liveSince: number | null = null, since = 0): SourceState => ({ source: 'poll', since, liveSince });
const stream = (since = 0): SourceState => ({ source: 'stream', since, liveSince: null });

describe('stepSource', () => {
  it.each<[string, SourceState, StreamHealth, number, SourceState, string | null]>([
    ['starts on poll', initialSource(0), 'down', 0, poll(), null],
    ['the first live check starts the live run', poll(), 'live', 10, poll(10), null],
    ['live one ms short of recoverMs stays on poll', poll(10), 'live', 10 + R - 1, poll(10), null],
    ['live exactly recoverMs switches to stream', poll(10), 'live', 10 + R, stream(10 + R), 'poll→stream:live'],
    ['a stale check breaks the live run', poll(10), 'stale', 500, poll(null), null],
    ['a down check breaks the live run', poll(10), 'down', 500, poll(null), null],
    ['after a break the run starts again', poll(null), 'live', 600, poll(600), null],
    ['streaming and live stays streaming', stream(5), 'live', 9999, stream(5), null],
    ['streaming and stale falls back at once', stream(5), 'stale', 700, poll(null, 700), 'stream→poll:stale'],
    ['streaming and down falls back at once', stream(5), 'down', 701, poll(null, 701), 'stream→poll:down'],
    ['recoverMs 0 comes back at the first live check', poll(), 'live', 42, stream(42), 'poll→stream:live'],
  ])('%s', (_name, s, health, now, want, sw) => {
    const { state, switched } = stepSource(s, health, now, _name.includes('recoverMs 0') ? 0 : R);
    expect(state).toEqual(want);
    expect(switched && `${switched.from}→${switched.to}:${switched.reason}`).toBe(sw);
  });

  it('a flapping stream never gets back to stream', () => {
    let s = stream(0);
    const seq: StreamHealth[] = ['down', 'live', 'live', 'stale', 'live', 'down', 'live'];
    seq.forEach((h, i) => {
      s = stepSource(s, h, (i + 1) * 400, R).state;
    });
    expect(s.source).toBe('poll');
  });
});

describe('worstHealth', () => {
  it.each<[StreamHealth[], StreamHealth]>([
    [[], 'down'],
    [['live'], 'live'],
    [['live', 'live'], 'live'],
    [['live', 'stale'], 'stale'],
    [['stale', 'down', 'live'], 'down'],
  ])('%o is %s', (hs, want) => expect(worstHealth(hs)).toBe(want));
});

describe('planWithStreams', () => {
  const cfg = MonitorConfig.parse({});
  const iv = effectiveIntervals(selectProfile(cfg.profiles, 400), cfg);
  const NOW = 1_000_000;
  const acct = (name: string, o: Partial<SchedAccount> = {}): SchedAccount => ({
    name,
    stateReqAt: NOW - 6000,
    ordersReqAt: NOW - 1000,
    stateInFlight: false,
    ordersInFlight: false,
    confirm: false,
    ...o,
  });
  const entries: SchedEntry[] = [
    { account: 'a', symbol: 'AUSDT', tier: 'CRITICAL', priceReqAt: NOW - 1000 },
    { account: 'b', symbol: 'BUSDT', tier: 'CRITICAL', priceReqAt: NOW - 1000 },
  ];
  const run = (
    accounts: SchedAccount[],
    o: { publicStreaming: boolean; streaming: string[] },
    mode: PlanInput['mode'] = 'normal',
  ) => {
    const { byAccount } = summarize(
      entries,
      accounts.map((a) => a.name),
    );
    const input: PlanInput = {
      now: NOW,
      mode,
      slackMs: 50,
      confirmMinGapMs: 1000,
      tickerScope: 'held',
      intervals: iv,
      entries,
      accounts,
    };
    return planWithStreams(input, byAccount, {
      publicStreaming: o.publicStreaming,
      streaming: new Set(o.streaming),
      reconcileMs: 60_000,
    });
  };
  const reads = (p: { stateReads: { account: string }[] }) => p.stateReads.map((r) => r.account).sort();

  it.each<[string, SchedAccount[], { publicStreaming: boolean; streaming: string[] }, boolean, string[]]>([
    [
      'all polled: exactly today (ticker, both accounts due)',
      [acct('a'), acct('b')],
      { publicStreaming: false, streaming: [] },
      true,
      ['a'],
    ],
    [
      'public streamed: no ticker call, accounts as today',
      [acct('a'), acct('b')],
      { publicStreaming: true, streaming: [] },
      false,
      ['a'],
    ],
    [
      'a streamed: a not read at its CRITICAL cadence, b is',
      [acct('a'), acct('b')],
      { publicStreaming: true, streaming: ['a'] },
      false,
      ['b'],
    ],
    [
      'a streamed, reconcile due: a read',
      [acct('a', { stateReqAt: NOW - 60_000 }), acct('b', { stateReqAt: NOW })],
      { publicStreaming: true, streaming: ['a'] },
      false,
      ['a'],
    ],
    [
      'a streamed, one ms before its reconcile (slack 50): not read',
      [acct('a', { stateReqAt: NOW - 59_949 }), acct('b', { stateReqAt: NOW })],
      { publicStreaming: true, streaming: ['a'] },
      false,
      [],
    ],
    [
      'a streamed with a confirm: read at once',
      [acct('a', { confirm: true }), acct('b', { stateReqAt: NOW })],
      { publicStreaming: true, streaming: ['a', 'b'] },
      false,
      ['a'],
    ],
    [
      'public polled while accounts stream: the ticker comes back',
      [acct('a'), acct('b')],
      { publicStreaming: false, streaming: ['a', 'b'] },
      true,
      [],
    ],
  ])('%s', (_n, accounts, o, ticker, want) => {
    const p = run(accounts, o);
    expect(p.ticker !== null).toBe(ticker);
    expect(reads(p)).toEqual(want);
  });

  it('critical-only: a streamed account is not reconciled, a confirm still goes', () => {
    const due = acct('a', { stateReqAt: NOW - 60_000, ordersReqAt: NOW - 60_000 });
    expect(reads(run([due], { publicStreaming: true, streaming: ['a'] }, 'critical-only'))).toEqual([]);
    const confirm = acct('a', { confirm: true });
    expect(reads(run([confirm], { publicStreaming: true, streaming: ['a'] }, 'critical-only'))).toEqual(['a']);
  });

  it.each<[string, number, number | undefined, boolean]>([
    ['a price heard 200 ms ago, polled since before it: not due yet', NOW - 200, NOW - 500, false],
    ['a price heard 200 ms ago from the stream, polled since now: due at once', NOW - 200, NOW, true],
    ['a price heard 200 ms ago, no switch given: not due yet', NOW - 200, undefined, false],
    ['a price heard exactly at the switch (a poll started then): not due yet', NOW - 200, NOW - 200, false],
  ])('public polling starts with a read at once: %s', (_n, priceReqAt, publicPolledSince, due) => {
    const fresh: SchedEntry[] = [{ account: 'a', symbol: 'AUSDT', tier: 'CRITICAL', priceReqAt }];
    const { byAccount } = summarize(fresh, ['a']);
    const p = planWithStreams(
      {
        now: NOW,
        mode: 'normal',
        slackMs: 50,
        confirmMinGapMs: 1000,
        tickerScope: 'held',
        intervals: iv,
        entries: fresh,
        accounts: [acct('a', { stateReqAt: NOW, ordersReqAt: NOW })],
      },
      byAccount,
      { publicStreaming: false, publicPolledSince, streaming: new Set(['a']), reconcileMs: 60_000 },
    );
    expect(p.ticker !== null).toBe(due);
  });

  it('a streamed account falls due at its reconcile time, not its tier interval', () => {
    const p = run([acct('a', { stateReqAt: NOW, ordersReqAt: NOW })], { publicStreaming: true, streaming: ['a'] });
    expect(p.nextDueAt).toBe(NOW + 60_000 - 50);
  });
});
