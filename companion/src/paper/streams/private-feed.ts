import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import type { PaperEngine } from '../engine/engine.ts';
import { marginInUse } from '../engine/ledger.ts';
import type { ChangeSet, Instrument, PaperAccount } from '../engine/types.ts';
import * as fmt from '../server/bybit-dialect.ts';
import type { PaperControl } from '../server/control.ts';
import type { StreamConnection } from './connection.ts';
import { ack, authRefused, PRIVATE_TOPICS, type PrivateTopic } from './messages.ts';

/**
 * /v5/private: the `auth` op signed as Bybit signs it (hex HMAC-SHA256 of "GET/realtime" + expires, expires
 * in the future on the wall clock), then position / order / execution / wallet. Every engine change set
 * becomes, per subscribed connection of that account, messages in this order: order (the order's current
 * state), execution (the fills), position (each touched symbol, a closed one as Bybit sends it: side "",
 * size "0"), wallet. One message per topic per change set, all its items in `data`.
 */

let pushSeq = 0;

export function checkAuth(
  args: unknown,
  engine: PaperEngine,
  wallNow: number,
): { ok: true; account: PaperAccount } | { ok: false; retMsg: string } {
  if (!Array.isArray(args) || args.length !== 3) return { ok: false, retMsg: 'error:params error' };
  const [apiKey, expires, signature] = args.map(String) as [string, string, string];
  const account = engine.accountByKey(apiKey);
  if (!account) return { ok: false, retMsg: 'error:Invalid apikey' };
  const exp = Number(expires);
  if (!/^\d{10,16}$/.test(expires) || exp <= wallNow) return { ok: false, retMsg: 'error:request expired' };
  const want = Buffer.from(createHmac('sha256', account.secret).update(`GET/realtime${expires}`).digest('hex'));
  const given = Buffer.from(signature);
  if (want.length !== given.length || !timingSafeEqual(want, given))
    return { ok: false, retMsg: 'error:signature verification failed' };
  return { ok: true, account };
}

export class PrivateFeed {
  private readonly byAccount = new Map<string, Set<StreamConnection>>();

  constructor(
    private readonly engine: PaperEngine,
    private readonly control: PaperControl,
    private readonly wallClock: Clock,
    private readonly leverage: number,
  ) {}

  /** Answers an auth op; false when refused (or the account's new connections are being refused). */
  auth(conn: StreamConnection, args: unknown, reqId: unknown): boolean {
    const verdict = checkAuth(args, this.engine, this.wallClock.now());
    if (!verdict.ok) {
      this.control.streamStats.authFailures++;
      conn.send({ ...authRefused(conn.connId, verdict.retMsg, args), ...reqIdOf(reqId) }, 'auth');
      return false;
    }
    if (this.control.isRefused(verdict.account.name)) {
      this.control.streamStats.refused.fault++;
      conn.drop();
      return false;
    }
    if (conn.account && conn.account !== verdict.account) {
      conn.send(ack('auth', conn.connId, reqId, false, 'error:already authorized as another key'), 'auth');
      return false;
    }
    conn.account = verdict.account;
    conn.send(ack('auth', conn.connId, reqId), 'auth');
    return true;
  }

  subscribe(conn: StreamConnection, args: unknown, reqId: unknown): void {
    if (!conn.account) {
      conn.send(ack('subscribe', conn.connId, reqId, false, 'Request not authorized'), 'ack');
      return;
    }
    const topics = Array.isArray(args) ? args : [];
    const bad = topics.find((t) => !(PRIVATE_TOPICS as readonly unknown[]).includes(t));
    if (topics.length === 0 || bad !== undefined) {
      conn.send(
        ack('subscribe', conn.connId, reqId, false, `error:handler not found,topic:${String(bad ?? '')}`),
        'ack',
      );
      return;
    }
    for (const t of topics as PrivateTopic[]) conn.topics.add(t);
    const set = this.byAccount.get(conn.account.name) ?? new Set();
    this.byAccount.set(conn.account.name, set);
    set.add(conn);
    conn.send(ack('subscribe', conn.connId, reqId), 'ack');
  }

  unsubscribe(conn: StreamConnection, args: unknown, reqId: unknown): void {
    for (const t of Array.isArray(args) ? args : []) conn.topics.delete(String(t));
    conn.send(ack('unsubscribe', conn.connId, reqId), 'ack');
  }

  disconnect(conn: StreamConnection): void {
    if (conn.account) this.byAccount.get(conn.account.name)?.delete(conn);
  }

  connections(scope: string): StreamConnection[] {
    return [...(this.byAccount.get(scope) ?? [])];
  }

  /** The engine's change listener. */
  push = (acc: PaperAccount, changes: ChangeSet): void => {
    const conns = this.byAccount.get(acc.name);
    if (!conns || conns.size === 0) return;
    const now = Math.floor(this.engine.now());
    const inst = (s: string) => this.engine.instrument(s) as Instrument;
    const lazy = <T>(f: () => T) => {
      let v: T | undefined;
      return () => (v ??= f());
    };
    const orders = lazy(() =>
      [...changes.orders.values()].map((o) => ({ category: 'linear', ...fmt.order(inst(o.symbol), o) })),
    );
    const execs = lazy(() =>
      changes.executions.map((e) => ({ category: 'linear', ...fmt.execution(inst(e.symbol), e) })),
    );
    const positions = lazy(() =>
      [...changes.positions].map((s) => {
        const p = acc.positions.get(s);
        const mark = this.engine.mark(s);
        return p
          ? {
              category: 'linear',
              ...fmt.position(inst(s), p, mark),
              entryPrice: fmt.position(inst(s), p, mark).avgPrice,
            }
          : { category: 'linear', ...fmt.closedPosition(inst(s), mark, this.leverage, now) };
      }),
    );
    const wallet = lazy(() => [fmt.wallet(acc, marginInUse(acc, this.engine.mark, this.leverage))]);
    const plan: [string, () => unknown[]][] = [];
    if (changes.orders.size > 0) plan.push(['order', orders]);
    if (changes.executions.length > 0) plan.push(['execution', execs]);
    if (changes.positions.size > 0) plan.push(['position', positions]);
    if (changes.wallet) plan.push(['wallet', wallet]);
    for (const conn of conns) {
      for (const [base, data] of plan) {
        const topic = conn.topics.has(base) ? base : conn.topics.has(`${base}.linear`) ? `${base}.linear` : null;
        if (!topic) continue;
        // A lost message (the gap fault): the connection stays up, the push never arrives.
        if (this.control.lostPushes.take(acc.name, base)) continue;
        conn.send({ id: `${acc.uid}-${now}-${++pushSeq}`, topic, creationTime: now, data: data() }, topic);
      }
    }
  };
}

const reqIdOf = (reqId: unknown) => (reqId !== undefined ? { req_id: String(reqId) } : {});
