import { createHmac } from 'node:crypto';
import { WebSocket } from 'ws';

/** A bare Bybit v5 WebSocket client for tests of the paper exchange's streams: every message kept, awaited by predicate. */

// biome-ignore lint/suspicious/noExplicitAny: Bybit's messages, read field by field
export type Msg = Record<string, any>;

export class RawBybitSocket {
  readonly got: Msg[] = [];
  private waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  closed = false;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as Msg;
      this.got.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(m)) return true;
        w.resolve(m);
        return false;
      });
    });
    ws.on('close', () => {
      this.closed = true;
    });
  }
  static open(url: string): Promise<RawBybitSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const r = new RawBybitSocket(ws);
      ws.once('open', () => resolve(r));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }
  send(m: Msg): void {
    this.ws.send(JSON.stringify(m));
  }
  next(pred: (m: Msg) => boolean, ms = 2000): Promise<Msg> {
    const seen = this.got.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`no matching message in ${ms} ms; got ${JSON.stringify(this.got.slice(-5))}`)),
        ms,
      );
      this.waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(t);
          resolve(m);
        },
      });
    });
  }
  take(pred: (m: Msg) => boolean): Msg[] {
    return this.got.filter(pred);
  }
  closedSoon(ms = 2000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('still open')), ms);
      this.ws.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

/** The args of Bybit's private `auth` op: apiKey, expires, hex HMAC-SHA256(secret, "GET/realtime" + expires). */
export const bybitWsAuthArgs = (acc: { apiKey: string; secret: string }, expires: number) => [
  acc.apiKey,
  String(expires),
  createHmac('sha256', acc.secret).update(`GET/realtime${expires}`).digest('hex'),
];
