import { describe, expect, it } from 'vitest';
import { Connection, type ConnectionStatus, type SocketLike } from './connection.ts';
import { backoffMs } from './reconnect-policy.ts';

class FakeSocket implements SocketLike {
  sent: string[] = [];
  closed: { code?: number; reason?: string } | null = null;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(data);
  }
  close(code?: number, reason?: string) {
    this.closed = { code, reason };
  }
  serverOpen() {
    this.onopen?.({});
  }
  serverSend(msg: unknown) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  serverClose(code = 1006, reason = '') {
    this.onclose?.({ code, reason });
  }
}

/** Fake time: timers run when `advance` passes them. */
function harness(opts: { probe?: 'ok' | 'down' | 'unpaired'; resumeSeq?: number | null } = {}) {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const sockets: FakeSocket[] = [];
  const messages: unknown[] = [];
  const statuses: ConnectionStatus[] = [];
  let seq: number | null = opts.resumeSeq ?? null;
  const conn = new Connection({
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => timers.delete(id as number),
    now: () => now,
    random: () => 0.5,
    resumeSeq: () => seq,
    onMessage: (m) => messages.push(m),
    onStatus: (s) => statuses.push(s),
    probe: async () => ({ state: opts.probe ?? 'down', message: opts.probe === 'unpaired' ? 'bad token' : 'refused' }),
  });
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].fn();
    }
    now = until;
  };
  return {
    conn,
    sockets,
    messages,
    statuses,
    advance,
    setSeq: (s: number | null) => (seq = s),
    last: () => sockets.at(-1)!,
  };
}

describe('backoffMs', () => {
  it.each([
    [1, 0, 250],
    [1, 1, 500],
    [2, 0.5, 750],
    [4, 0.5, 3000],
    [10, 0, 15_000],
    [10, 1, 30_000],
    [50, 1, 30_000],
  ])('attempt %s, random %s → %s ms', (attempt, r, ms) => expect(backoffMs(attempt, r)).toBe(ms));
});

describe('Connection', () => {
  it('stays idle without a token', () => {
    const h = harness();
    h.conn.configure('http://127.0.0.1:8787', '');
    expect(h.sockets).toHaveLength(0);
    expect(h.conn.current.state).toBe('unconfigured');
  });

  it('connects with the token, passes messages on, pings every 20 s', () => {
    const h = harness();
    h.conn.configure('http://127.0.0.1:8787', 'tok');
    expect(h.last().url).toBe('ws://127.0.0.1:8787/ws?token=tok');
    h.last().serverOpen();
    h.last().serverSend({ type: 'hello' });
    expect(h.messages).toEqual([{ type: 'hello' }]);
    expect(h.conn.current.state).toBe('open');
    h.advance(19_000);
    h.last().serverSend({ type: 'stats' });
    h.advance(1_000);
    expect(h.last().sent).toEqual(['{"type":"ping"}']);
  });

  it('reconnects with backoff and resumes from the last seq', async () => {
    const h = harness({ resumeSeq: 42 });
    h.conn.configure('http://127.0.0.1:8787', 'tok');
    h.last().serverOpen();
    h.last().serverSend({ type: 'hello' });
    h.last().serverClose(1006);
    expect(h.conn.current).toMatchObject({ state: 'disconnected', attempt: 1, retryAt: 375 });
    h.advance(374);
    expect(h.sockets).toHaveLength(1);
    h.advance(1);
    expect(h.sockets).toHaveLength(2);
    expect(h.last().url).toBe('ws://127.0.0.1:8787/ws?token=tok&lastSeq=42');
    // failing again without a message grows the delay
    h.last().serverClose(1006);
    expect(h.conn.current.attempt).toBe(2);
    expect(h.conn.current.retryAt! - 375).toBe(750);
  });

  it('a silent socket is dropped and replaced', () => {
    const h = harness();
    h.conn.configure('http://127.0.0.1:8787', 'tok');
    h.last().serverOpen();
    h.last().serverSend({ type: 'hello' });
    h.advance(50_000);
    expect(h.sockets[0]?.closed?.reason).toBe('silent');
    h.advance(1_000);
    expect(h.sockets).toHaveLength(2);
  });

  it('a refused handshake is diagnosed by the probe as unpaired', async () => {
    const h = harness({ probe: 'unpaired' });
    h.conn.configure('http://127.0.0.1:8787', 'wrong');
    h.last().serverClose(1006);
    await Promise.resolve();
    await Promise.resolve();
    expect(h.conn.current).toMatchObject({ state: 'unpaired', detail: 'bad token' });
  });

  it('resync closes and reconnects at once', () => {
    const h = harness({ resumeSeq: 7 });
    h.conn.configure('http://127.0.0.1:8787', 'tok');
    h.last().serverOpen();
    h.conn.resync();
    expect(h.sockets[0]?.closed).not.toBeNull();
    expect(h.sockets).toHaveLength(2);
    expect(h.last().url).toContain('lastSeq=7');
  });

  it('a gap resumes on the open socket: one resume frame per gap, no new connection', () => {
    const h = harness({ resumeSeq: 7 });
    h.conn.configure('http://127.0.0.1:8787', 'tok');
    h.last().serverOpen();
    h.last().serverSend({ type: 'hello' });
    h.conn.resume();
    // Later frames past the same gap ask again; the request in flight covers them.
    h.conn.resume();
    h.conn.resume();
    expect(h.sockets).toHaveLength(1);
    expect(h.last().closed).toBeNull();
    expect(h.last().sent).toEqual(['{"type":"resume","lastSeq":7}']);
    expect(h.conn.counts).toEqual({ socketsOpened: 1, resumesSent: 1 });
    // The replay arrived (the seq moved on): the next gap sends its own.
    h.setSeq(12);
    h.last().serverSend({ type: 'tier-changed' });
    h.conn.resume();
    expect(h.last().sent.at(-1)).toBe('{"type":"resume","lastSeq":12}');
  });

  it('a resume the hub never answered (the seq did not move) falls back to a reconnect with lastSeq', () => {
    const h = harness({ resumeSeq: 7 });
    h.conn.configure('http://127.0.0.1:8787', 'tok');
    h.last().serverOpen();
    h.last().serverSend({ type: 'hello' });
    h.conn.resume();
    h.advance(4_999);
    expect(h.sockets).toHaveLength(1);
    h.advance(1);
    expect(h.sockets[0]?.closed).not.toBeNull();
    expect(h.sockets).toHaveLength(2);
    expect(h.last().url).toContain('lastSeq=7');
  });

  it('a resume answered in time does not reconnect', () => {
    const h = harness({ resumeSeq: 7 });
    h.conn.configure('http://127.0.0.1:8787', 'tok');
    h.last().serverOpen();
    h.conn.resume();
    h.setSeq(9);
    h.advance(10_000);
    expect(h.sockets).toHaveLength(1);
  });

  it('without an open socket a resume is a reconnect with lastSeq', () => {
    const h = harness({ resumeSeq: 7 });
    h.conn.configure('http://127.0.0.1:8787', 'tok');
    h.conn.resume(); // still connecting
    expect(h.sockets).toHaveLength(2);
    expect(h.last().url).toContain('lastSeq=7');
  });

  it('without a seq to resume from (a fresh snapshot is needed) a resume reconnects', () => {
    const h = harness({ resumeSeq: null });
    h.conn.configure('http://127.0.0.1:8787', 'tok');
    h.last().serverOpen();
    h.conn.resume();
    expect(h.sockets).toHaveLength(2);
    expect(h.last().url).not.toContain('lastSeq');
  });
});
