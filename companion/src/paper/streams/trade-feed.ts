import type { Clock } from '../../core/clock.ts';
import type { PaperEngine } from '../engine/engine.ts';
import { BybitError } from '../engine/types.ts';
import type { PaperControl } from '../server/control.ts';
import { Params } from '../server/params.ts';
import { checkPermission } from '../server/route-kit.ts';
import { ROUTES } from '../server/routes.ts';
import type { StreamConnection } from './connection.ts';
import { checkAuth } from './private-feed.ts';

/**
 * /v5/trade: order entry over the socket. Each op runs the same handler as its REST endpoint (one set of
 * rules), after the header timestamp check and the same per-account budget as REST (order.create shares
 * /v5/order/create's 10/s). Answers in Bybit's trade shape: reqId, retCode, retMsg, op, data, header, connId.
 */

const OPS: Record<string, string> = {
  'order.create': '/v5/order/create',
  'order.amend': '/v5/order/amend',
  'order.cancel': '/v5/order/cancel',
};

let traceSeq = 0;

export class TradeFeed {
  constructor(
    private readonly engine: PaperEngine,
    private readonly control: PaperControl,
    private readonly wallClock: Clock,
    private readonly leverage: number,
  ) {}

  auth(conn: StreamConnection, args: unknown): void {
    const verdict = checkAuth(args, this.engine, this.wallClock.now());
    if (!verdict.ok) {
      this.control.streamStats.authFailures++;
      conn.send({ retCode: 10004, retMsg: verdict.retMsg, op: 'auth', connId: conn.connId }, 'auth');
      return;
    }
    if (this.control.isRefused(verdict.account.name)) {
      this.control.streamStats.refused.fault++;
      conn.drop();
      return;
    }
    conn.account = verdict.account;
    conn.send({ retCode: 0, retMsg: 'OK', op: 'auth', connId: conn.connId }, 'auth');
  }

  handle(conn: StreamConnection, msg: Record<string, unknown>) {
    const op = String(msg.op);
    const reqId = msg.reqId === undefined ? '' : String(msg.reqId);
    const wallNow = this.wallClock.now();
    const header: Record<string, string> = {
      Traceid: `paper${(++traceSeq).toString(16).padStart(12, '0')}`,
      Timenow: String(wallNow),
    };
    const answer = (retCode: number, retMsg: string, data: unknown = {}) =>
      conn.send({ reqId, retCode, retMsg, op, data, retExtInfo: {}, header, connId: conn.connId }, 'trade');
    const endpoint = OPS[op];
    if (!endpoint) return answer(10001, `params error: unknown op ${op}`);
    if (!conn.account) return answer(10003, 'Request not authorized');
    const h = (msg.header ?? {}) as Record<string, unknown>;
    const ts = Number(h['X-BAPI-TIMESTAMP']);
    const recvWindow = h['X-BAPI-RECV-WINDOW'] === undefined ? 5000 : Number(h['X-BAPI-RECV-WINDOW']);
    if (!Number.isFinite(ts) || ts < wallNow - recvWindow || ts >= wallNow + 1000)
      return answer(
        10002,
        `invalid request, please check your server timestamp or recv_window param. req_timestamp[${h['X-BAPI-TIMESTAMP']}],server_timestamp[${wallNow}],recv_window[${recvWindow}]`,
      );
    const args = Array.isArray(msg.args) ? msg.args : [];
    if (args.length !== 1 || typeof args[0] !== 'object' || args[0] === null)
      return answer(10001, 'params error: args must hold one request');
    this.control.recordCall(`ws:${op}`, conn.account.name);
    const v = this.control.hitAccount(conn.account.name, endpoint);
    if (v) {
      header['X-Bapi-Limit'] = String(v.limit);
      header['X-Bapi-Limit-Status'] = String(v.remaining);
      header['X-Bapi-Limit-Reset-Timestamp'] = String(v.resetAt);
      if (!v.allowed) return answer(10006, 'Too many visits!');
    }
    const route = ROUTES[endpoint];
    if (!route) return answer(10001, `params error: ${op} is not supported`);
    try {
      this.engine.sync();
      const permissions = this.control.permissionsOf(conn.account.name);
      checkPermission(route, permissions);
      const p = new Params(args[0] as Record<string, unknown>);
      const data = route.handle({
        engine: this.engine,
        p,
        acc: conn.account,
        leverage: this.leverage,
        permissions,
        positionMode: this.control.positionModeOf(conn.account.name),
      });
      return answer(0, 'OK', data);
    } catch (e) {
      if (e instanceof BybitError) return answer(e.retCode, e.message);
      return answer(10016, 'Internal error, please try again later.');
    }
  }
}
