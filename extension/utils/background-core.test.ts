import { positionKey, type ServerMessage } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { position, snapshot } from '../test-support/fixtures.ts';
import { manualClock } from '../test-support/manual-clock.ts';
import { type BackgroundDeps, createBackground } from './background-core.ts';
import type { SocketLike } from './connection.ts';
import { SNOOZE_MS } from './notify.ts';
import type { Toast } from './notify-toasts.ts';
import type { PositionActionMessage } from './position-actions.ts';
import { DEFAULT_NOTIFICATION_PREFS, type Silence } from './settings.ts';

/** The worker's notification path with the browser injected: what is shown, cleared, played and saved. */
function rig(opts: { prefs?: typeof DEFAULT_NOTIFICATION_PREFS; act?: BackgroundDeps['act'] } = {}) {
  const prefs = opts.prefs ?? DEFAULT_NOTIFICATION_PREFS;
  let now = 1_000_000;
  const shown: Toast[] = [];
  const cleared: string[] = [];
  const sounds: string[] = [];
  const saved: Silence[] = [];
  const bg = createBackground({
    socket: {
      createSocket: () => ({ send() {}, close() {}, onopen: null, onmessage: null, onclose: null, onerror: null }),
      setTimeout: () => 0,
      clearTimeout: () => {},
      now: () => now,
      random: () => 0.5,
    },
    showToast: (t) => void shown.push(t),
    clearToast: (id) => void cleared.push(id),
    playSound: (k) => void sounds.push(k),
    saveSilence: (s) => void saved.push(s),
    setBadge: () => {},
    act: opts.act,
  });
  bg.configure({ baseUrl: '', token: '', prefs });
  return { bg, shown, cleared, sounds, saved, advance: (ms: number) => (now += ms) };
}

const ref = { account: 'main', symbol: 'BTCUSDT', side: 'long' } as const;
const crit = (seq: number, account = 'main'): ServerMessage => ({
  type: 'critical',
  seq,
  at: seq,
  position: position({ account, tier: 'CRITICAL', distanceToSlPct: 0.8 }),
  reason: 'near-sl',
});
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('background notifications', () => {
  it('an SL hit raises its own notification and clears the CRITICAL one', async () => {
    const { bg, shown, cleared } = rig();
    bg.inject(snapshot());
    bg.inject(crit(11));
    bg.inject({ type: 'sl-hit', seq: 12, at: 12, ...ref, price: 57_990, level: 58_000 });
    await flush();
    expect(shown.map((t) => t.id)).toEqual(['tw|critical|main:BTCUSDT:long', 'tw|sl-hit|main:BTCUSDT:long']);
    expect(cleared).toEqual(['tw|critical|main:BTCUSDT:long']);
    expect(Object.keys(bg.openNotifications())).toEqual(['tw|sl-hit|main:BTCUSDT:long']);
  });

  it('the snooze button silences the family (both legs) until the snooze ends, and is saved', async () => {
    const { bg, shown, cleared, saved, advance } = rig();
    bg.inject(snapshot());
    bg.inject(crit(11));
    await flush();
    bg.notificationButton('tw|critical|main:BTCUSDT:long', 0);
    await flush();
    expect(cleared).toEqual(['tw|critical|main:BTCUSDT:long']);
    expect(saved.at(-1)?.snoozedUntil['main:BTCUSDT:long']).toBeGreaterThan(0);
    bg.inject({ type: 'sl-hit', seq: 12, at: 12, ...ref, account: 'mirror1', price: 57_990, level: 58_000 });
    advance(SNOOZE_MS - 1);
    bg.inject({ type: 'tp-hit', seq: 13, at: 13, ...ref, price: 66_000, level: 66_000 });
    await flush();
    expect(shown).toHaveLength(1);
    advance(1);
    bg.inject({ type: 'tp-hit', seq: 14, at: 14, ...ref, symbol: 'BTCUSDT', price: 66_000, level: 66_000 });
    await flush();
    expect(shown.map((t) => t.id).at(-1)).toBe('tw|tp-hit|main:BTCUSDT:long');
  });

  it('the mute button silences the family until unmuted from the popup', async () => {
    const { bg, shown } = rig();
    bg.inject(snapshot());
    bg.notificationButton('tw|critical|main:BTCUSDT:long', 1);
    bg.inject(crit(11));
    await flush();
    expect(shown).toEqual([]);
    bg.handlePopup({ type: 'mute', family: 'main:BTCUSDT:long', on: false });
    bg.inject({ type: 'sl-hit', seq: 12, at: 12, ...ref, price: 57_990, level: 58_000 });
    await flush();
    expect(shown.map((t) => t.id)).toEqual(['tw|sl-hit|main:BTCUSDT:long']);
  });

  it('plays the sound for an SL hit only when asked', async () => {
    const quiet = rig();
    const loud = rig({ prefs: { ...DEFAULT_NOTIFICATION_PREFS, sound: true } });
    for (const r of [quiet, loud]) {
      r.bg.inject(snapshot());
      r.bg.inject({ type: 'sl-hit', seq: 11, at: 11, ...ref, price: 57_990, level: 58_000 });
    }
    await flush();
    expect(quiet.sounds).toEqual([]);
    expect(loud.sounds).toEqual(['sl-hit']);
  });

  it('a CRITICAL notification left by a previous worker is cleared on the first snapshot once resolved', async () => {
    const { bg, cleared } = rig();
    bg.adoptNotifications(['tw|critical|main:ETHUSDT:long', 'tw|critical|main:BTCUSDT:long', 'other']);
    bg.inject(snapshot({ positions: [position({ tier: 'CRITICAL', distanceToSlPct: 0.5 })] }));
    await flush();
    expect(cleared).toEqual(['tw|critical|main:ETHUSDT:long']);
  });
});

describe('background: a near-TP notification protects the position', () => {
  it('button 0 moves the family SL to break-even once per showing; button 1 snoozes', async () => {
    const acts: PositionActionMessage[] = [];
    const { bg, shown, cleared } = rig({
      prefs: { ...DEFAULT_NOTIFICATION_PREFS, nearTp: 'on' },
      act: async (m: PositionActionMessage) => {
        acts.push(m);
        return { ok: false as const, error: 'INVALID_ORDER: the mark has not passed break-even yet' };
      },
    });
    bg.inject(snapshot());
    bg.inject({ ...crit(11), reason: 'near-tp' } as ServerMessage);
    await flush();
    const id = shown[0]!.id;
    expect(shown[0]!.buttons.map((b) => b.title)).toEqual(['SL → break-even', 'Snooze 1 h']);
    // A click Chrome delivers twice: the first acts and takes the notification down, the second finds it gone.
    await Promise.all([bg.notificationButton(id, 0), bg.notificationButton(id, 0)]);
    expect(acts.map((a) => a.action)).toEqual([{ kind: 'sl-break-even' }]);
    expect(acts[0]).toMatchObject({ symbol: 'BTCUSDT', side: 'long', idempotencyKey: expect.stringMatching(/^nb-/) });
    expect(cleared).toContain(id);
    expect(shown.at(-1)!.title).toMatch(/break-even not done/);
    expect(shown.at(-1)!.message).toMatch(/not passed break-even/);
  });

  it('near the SL there is no one-click action: the buttons snooze and mute', async () => {
    const acts: PositionActionMessage[] = [];
    const { bg, shown } = rig({
      act: async (m: PositionActionMessage) => {
        acts.push(m);
        return { ok: false, error: 'x' };
      },
    });
    bg.inject(snapshot());
    bg.inject(crit(11));
    await flush();
    expect(shown[0]!.buttons.map((b) => b.title)).toEqual(['Snooze 1 h', 'Mute this position']);
    await bg.notificationButton(shown[0]!.id, 0);
    expect(acts).toEqual([]);
  });
});

/** A worker on a fake socket it opens itself, with timers that run when `advance` passes them. */
function liveRig() {
  const clock = manualClock(1_000_000);
  const sockets: { url: string; sent: string[]; closed: boolean; s: SocketLike }[] = [];
  const bg = createBackground({
    socket: {
      createSocket: (url) => {
        const rec = { url, sent: [] as string[], closed: false, s: null as unknown as SocketLike };
        rec.s = {
          send: (d: string) => void rec.sent.push(d),
          close: () => {
            rec.closed = true;
          },
          onopen: null,
          onmessage: null,
          onclose: null,
          onerror: null,
        };
        sockets.push(rec);
        return rec.s;
      },
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
      now: clock.now,
      random: () => 0.5,
    },
    showToast: () => {},
    setBadge: () => {},
  });
  bg.configure({ baseUrl: 'http://127.0.0.1:8787', token: 'tok', prefs: DEFAULT_NOTIFICATION_PREFS });
  const server = (msg: unknown) => sockets.at(-1)!.s.onmessage?.({ data: JSON.stringify(msg) });
  sockets.at(-1)!.s.onopen?.({});
  return { bg, sockets, server, advance: clock.advance };
}

const view = (seq: number, markPrice: number): ServerMessage => ({
  type: 'positions-updated',
  seq,
  at: 2_000,
  positions: [],
  figures: [[positionKey(ref), markPrice, 12, 3.2, 1.1, 'URGENT']],
  removed: [],
  accounts: [],
});

describe('background: the stream is the view', () => {
  it('every applied positions-updated reaches an open popup at once; a stale one pushes nothing', () => {
    const r = liveRig();
    r.server(snapshot());
    const pushed: number[] = [];
    r.bg.subscribe((m) => pushed.push(m.stream?.positions['main:BTCUSDT:long']?.markPrice ?? -1));
    r.advance(1_000);
    r.server(view(10, 61_500));
    r.advance(0);
    expect(pushed).toEqual([61_000, 61_500]);
    r.server(view(9, 59_000)); // older than the state: superseded, nothing to push
    r.advance(1_000);
    expect(pushed).toEqual([61_000, 61_500]);
  });

  it('a sequence gap resumes on the open socket, without a new connection', () => {
    const r = liveRig();
    r.server({ type: 'hello', protocol: 1, serverVersion: 't', lastSeq: 10, instance: 'run-1' });
    r.server(snapshot());
    r.server(crit(12)); // 11 never came
    r.server(view(12, 61_000));
    expect(r.sockets).toHaveLength(1);
    expect(r.sockets[0]!.sent).toEqual(['{"type":"resume","lastSeq":10}']);
    r.server(crit(11));
    r.server(crit(12));
    expect(r.bg.state().stream?.seq).toBe(12);
    r.advance(10_000);
    expect(r.sockets).toHaveLength(1);
    expect(r.bg.state().socketsOpened).toBe(1);
  });

  it('the test hook drops one event frame, which the next event shows as a gap', () => {
    const r = liveRig();
    r.server(snapshot());
    r.bg.dropNextEvent();
    r.server(crit(11));
    r.server(crit(12));
    expect(r.bg.state().stream?.seq).toBe(10);
    expect(r.sockets[0]!.sent).toEqual(['{"type":"resume","lastSeq":10}']);
  });

  it('a popup opening on an old snapshot does not tear the open socket down', () => {
    const r = liveRig();
    r.server(snapshot());
    r.advance(40_000); // past the 30 s after which the popup used to force a fresh snapshot
    r.bg.handlePopup({ type: 'refresh' });
    expect(r.sockets).toHaveLength(1);
    expect(r.sockets[0]!.closed).toBe(false);
  });
});
