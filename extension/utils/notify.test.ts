import type { Notice } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import {
  acted,
  type Command,
  decide,
  dismissed,
  emptyNotifyState,
  focusKeyOf,
  type NotifyState,
  reconcile,
  SUMMARY_ID,
} from './notify.ts';
import type { Toast } from './notify-toasts.ts';
import {
  DEFAULT_NOTIFICATION_PREFS,
  emptySilence,
  muted,
  type NotificationPrefs,
  type Silence,
  snoozed,
} from './settings.ts';

const MIN = 60_000;
const F = (s: string) => `main:${s}:long`;
const leg = (s: string, account = 'main') => ({
  key: `${account}:${s}:long`,
  family: F(s),
  ref: { account, symbol: s, side: 'long' as const },
});
const crit = (s: string, reason: 'near-sl' | 'near-tp' = 'near-sl', account = 'main'): Notice => ({
  kind: 'critical',
  ...leg(s, account),
  at: 0,
  reason,
});
const cleared = (s: string, account = 'main'): Notice => ({ kind: 'critical-cleared', ...leg(s, account), at: 0 });
const closed = (s: string, reason: 'sl' | 'liquidation' | 'manual' | null = 'manual', account = 'main'): Notice => ({
  kind: 'closed',
  ...leg(s, account),
  at: 0,
  reason,
});
const hit = (s: string, kind: 'sl-hit' | 'tp-hit' = 'sl-hit', account = 'main'): Notice => ({
  kind,
  ...leg(s, account),
  at: 0,
  price: 99,
  level: 100,
});

type Step = [now: number, n: Notice];
function play(steps: Step[], prefs: Partial<NotificationPrefs> = {}, silence: Silence = emptySilence()) {
  let state: NotifyState = emptyNotifyState();
  const commands: Command[] = [];
  for (const [now, notice] of steps) {
    const d = decide(state, notice, { prefs: { ...DEFAULT_NOTIFICATION_PREFS, ...prefs }, silence, now });
    state = d.state;
    commands.push(...d.commands);
  }
  const log = commands.map((c) =>
    c.type === 'show' ? `show ${c.toast.id}` : c.type === 'clear' ? `clear ${c.id}` : `sound ${c.kind}`,
  );
  return { state, commands, log, toasts: commands.flatMap((c) => (c.type === 'show' ? [c.toast] : [])) };
}

const C = (s: string) => `tw|critical|${F(s)}`;
const SL = (s: string) => `tw|sl-hit|${F(s)}`;

describe('notification policy', () => {
  it.each<{ name: string; steps: Step[]; log: string[]; prefs?: Partial<NotificationPrefs> }>([
    { name: 'one critical', steps: [[0, crit('BTC')]], log: [`show ${C('BTC')}`] },
    {
      name: 'main and mirror legs: one notification for the family',
      steps: [
        [0, crit('BTC')],
        [1, crit('BTC', 'near-sl', 'mirror1')],
      ],
      log: [`show ${C('BTC')}`],
    },
    {
      name: 'leaving CRITICAL clears it and does NOT re-arm it within the quiet period',
      steps: [
        [0, crit('BTC')],
        [MIN, cleared('BTC')],
        [2 * MIN, crit('BTC')],
        [3 * MIN, cleared('BTC')],
        [4 * MIN, crit('BTC')],
      ],
      log: [`show ${C('BTC')}`, `clear ${C('BTC')}`],
    },
    {
      name: 'after the quiet period it notifies again',
      steps: [
        [0, crit('BTC')],
        [MIN, cleared('BTC')],
        [10 * MIN, crit('BTC')],
      ],
      log: [`show ${C('BTC')}`, `clear ${C('BTC')}`, `show ${C('BTC')}`],
    },
    {
      name: 'exactly at the quiet period boundary: quiet ends',
      steps: [
        [0, crit('BTC')],
        [1, cleared('BTC')],
        [10 * MIN - 1, crit('BTC')],
        [10 * MIN - 1, cleared('BTC')],
        [10 * MIN, crit('BTC')],
      ],
      log: [`show ${C('BTC')}`, `clear ${C('BTC')}`, `show ${C('BTC')}`],
    },
    {
      name: 'the family clears only when its last CRITICAL leg leaves',
      steps: [
        [0, crit('BTC')],
        [1, crit('BTC', 'near-sl', 'mirror1')],
        [2, cleared('BTC')],
        [3, cleared('BTC', 'mirror1')],
      ],
      log: [`show ${C('BTC')}`, `clear ${C('BTC')}`],
    },
    {
      name: 'a closed leg clears it too',
      steps: [
        [0, crit('BTC')],
        [1, closed('BTC', 'manual')],
      ],
      log: [`show ${C('BTC')}`, `clear ${C('BTC')}`],
    },
    {
      name: 'a leg missing from a fresh snapshot (reason unknown) clears it',
      steps: [
        [0, crit('BTC')],
        [1, closed('BTC', null)],
      ],
      log: [`show ${C('BTC')}`, `clear ${C('BTC')}`],
    },
    {
      name: 'an SL hit clears the CRITICAL one and shows its own',
      steps: [
        [0, crit('BTC')],
        [1, hit('BTC')],
      ],
      log: [`show ${C('BTC')}`, `clear ${C('BTC')}`, `show ${SL('BTC')}`],
    },
    {
      name: 'the mirror leg hitting too is the same family: one SL notification',
      steps: [
        [0, hit('BTC')],
        [1, hit('BTC', 'sl-hit', 'mirror1')],
      ],
      log: [`show ${SL('BTC')}`],
    },
    {
      name: 'near-TP then near-SL escalates (same id, replaced)',
      prefs: { nearTp: 'silent' },
      steps: [
        [0, crit('BTC', 'near-tp')],
        [1, crit('BTC', 'near-sl', 'mirror1')],
      ],
      log: [`show ${C('BTC')}`, `show ${C('BTC')}`],
    },
    {
      name: 'near-TP by default: no desktop notification (the list shows it); near-SL still shows',
      steps: [
        [0, crit('ETH', 'near-tp')],
        [1, crit('BTC', 'near-sl')],
      ],
      log: [`show ${C('BTC')}`],
    },
    {
      name: 'a liquidation has its own notification',
      steps: [[0, closed('BTC', 'liquidation')]],
      log: [`show tw|liquidation|${F('BTC')}`],
    },
    { name: 'disabled', prefs: { enabled: false }, steps: [[0, crit('BTC')]], log: [] },
    { name: 'SL hits off', prefs: { slHit: 'off' }, steps: [[0, hit('BTC')]], log: [] },
    {
      name: 'sound for approaching SL and SL hits when asked, not for TP',
      prefs: { sound: true, nearTp: 'silent' },
      steps: [
        [0, crit('BTC')],
        [1, hit('ETH')],
        [2, hit('XRP', 'tp-hit')],
        [3, crit('SOL', 'near-tp')],
      ],
      log: [
        `show ${C('BTC')}`,
        'sound near-sl',
        `show ${SL('ETH')}`,
        'sound sl-hit',
        `show tw|tp-hit|${F('XRP')}`,
        `show ${C('SOL')}`,
      ],
    },
    {
      name: 'no sound for a kind set to silent',
      prefs: { sound: true, slHit: 'silent' },
      steps: [[0, hit('BTC')]],
      log: [`show ${SL('BTC')}`],
    },
  ])('$name', ({ steps, log, prefs }) => {
    expect(play(steps, prefs).log).toEqual(log);
  });

  it('rate limit: CRITICAL past maxPerMinute folds into one summary; SL and TP hits never fold', () => {
    const { log } = play(
      [
        [0, crit('A1')],
        [1, crit('A2')],
        [2, crit('A3')],
        [3, hit('A4')],
        [4, hit('A5', 'tp-hit')],
        [5, crit('A6')],
        [10_005, crit('A7')],
      ],
      { maxPerMinute: 2 },
    );
    expect(log).toEqual([
      `show ${C('A1')}`,
      `show ${C('A2')}`,
      `show ${SUMMARY_ID}`,
      `show ${SL('A4')}`,
      `show tw|tp-hit|${F('A5')}`,
      `show ${SUMMARY_ID}`,
    ]);
  });

  it('the summary is cleared once every family in it is resolved', () => {
    const { log } = play(
      [
        [0, crit('A1')],
        [1, crit('A2')],
        [2, cleared('A2')],
        [3, closed('A1')],
      ],
      { maxPerMinute: 1 },
    );
    expect(log).toEqual([`show ${C('A1')}`, `show ${SUMMARY_ID}`, `clear ${SUMMARY_ID}`, `clear ${C('A1')}`]);
  });

  it('the summary counts the families held back', () => {
    const { toasts } = play(
      [
        [0, crit('A1')],
        [11_000, crit('A2')],
        [22_000, crit('A3')],
      ],
      { maxPerMinute: 1 },
    );
    expect(toasts.at(-1)?.title).toBe('Tierwatch: 2 more CRITICAL positions');
  });

  it.each<[name: string, silence: Silence, now: number, shown: boolean]>([
    ['snoozed: silent', snoozed(emptySilence(), F('BTC'), 60 * MIN, 0), 30 * MIN, false],
    ['snooze ends: heard again', snoozed(emptySilence(), F('BTC'), 60 * MIN, 0), 60 * MIN, true],
    ['muted: silent', muted(emptySilence(), F('BTC'), true), 0, false],
    ['another family muted: heard', muted(emptySilence(), F('ETH'), true), 0, true],
    ['unmuted again', muted(muted(emptySilence(), F('BTC'), true), F('BTC'), false), 0, true],
  ])('%s', (_name, silence, now, shown) => {
    expect(play([[now, crit('BTC')]], {}, silence).toasts.length > 0).toBe(shown);
    expect(play([[now, hit('BTC')]], {}, silence).toasts.length > 0).toBe(shown);
  });

  it('told apart: near-SL loud and sticky, near-TP quiet; SL hit sticky, TP hit not', () => {
    const pick = (n: Notice): Partial<Toast> => {
      const t = play([[0, n]], { nearTp: 'silent' }).toasts[0] as Toast;
      return { priority: t.priority, requireInteraction: t.requireInteraction, silent: t.silent, iconPath: t.iconPath };
    };
    expect(pick(crit('BTC', 'near-sl'))).toEqual({
      priority: 2,
      requireInteraction: true,
      silent: false,
      iconPath: '/icon/near-sl.png',
    });
    expect(pick(crit('BTC', 'near-tp'))).toEqual({
      priority: 0,
      requireInteraction: false,
      silent: true,
      iconPath: '/icon/near-tp.png',
    });
    expect(pick(hit('BTC'))).toMatchObject({ priority: 2, requireInteraction: true, iconPath: '/icon/sl-hit.png' });
    expect(pick(hit('BTC', 'tp-hit'))).toMatchObject({
      priority: 1,
      requireInteraction: false,
      iconPath: '/icon/tp-hit.png',
    });
    const [sl, tp] = [
      play([[0, crit('BTC')]]).toasts[0],
      play([[0, crit('BTC', 'near-tp')]], { nearTp: 'on' }).toasts[0],
    ];
    expect(sl?.title).toBe('Approaching stop-loss: BTC LONG');
    expect(tp?.title).toBe('Near take-profit: BTC LONG');
    expect(sl?.buttons.map((b) => b.title)).toEqual(['Snooze 1 h', 'Mute this position']);
  });

  it('the trader acting on a family clears every notification of it', () => {
    const { state } = play([
      [0, crit('BTC')],
      [1, hit('BTC', 'tp-hit', 'mirror1')],
      [2, crit('ETH')],
    ]);
    const d = acted(state, F('BTC'));
    expect(d.commands).toEqual([{ type: 'clear', id: `tw|tp-hit|${F('BTC')}` }]);
    expect(Object.keys(d.state.open)).toEqual([C('ETH')]);
  });

  it('a notification the trader closed is no longer cleared by us', () => {
    const { state } = play([[0, crit('BTC')]]);
    const after = dismissed(state, C('BTC'));
    expect(
      decide(after, cleared('BTC'), { prefs: DEFAULT_NOTIFICATION_PREFS, silence: emptySilence(), now: 1 }).commands,
    ).toEqual([]);
  });

  it.each<[name: string, critical: string[], adopt: string[], clears: string[]]>([
    ['a family still CRITICAL keeps its notification', ['BTC'], [], []],
    ['a family no longer CRITICAL: cleared', [], [], [C('BTC')]],
    ['adopted from a previous worker, not CRITICAL: cleared', ['BTC'], [C('ETH')], [C('ETH')]],
    ['adopted and still CRITICAL: kept', ['BTC', 'ETH'], [C('ETH')], []],
    ['an adopted summary with nothing folded: cleared', ['BTC'], [SUMMARY_ID], [SUMMARY_ID]],
  ])('after a snapshot: %s', (_name, critical, adopt, clears) => {
    const { state } = play([[0, crit('BTC')]]);
    const legs = critical.map((sym) => ({ key: F(sym), family: F(sym), reason: 'near-sl' as const }));
    const d = reconcile(state, legs, adopt);
    expect(d.commands).toEqual(clears.map((id) => ({ type: 'clear', id })));
    // What it now knows is what the snapshot said: leaving CRITICAL later clears an adopted one too.
    if (critical.includes('ETH') && adopt.includes(C('ETH')))
      expect(
        decide(d.state, cleared('ETH'), { prefs: DEFAULT_NOTIFICATION_PREFS, silence: emptySilence(), now: 1 })
          .commands,
      ).toEqual([{ type: 'clear', id: C('ETH') }]);
  });

  it('ids carry the family to focus', () => {
    expect(focusKeyOf(C('BTC'))).toBe(F('BTC'));
    expect(focusKeyOf(SUMMARY_ID)).toBeNull();
    expect(focusKeyOf('other')).toBeNull();
  });
});
