import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTENSION_ID } from '@tierwatch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type PaperExchange, startPaperExchange } from '../../companion/src/paper/index.ts';
import { longOrder, postExecute } from '../execution/support.ts';
import {
  type CompanionProcess,
  onStandalonePaper,
  REPO_ROOT,
  startCompanionProcess,
} from '../support/companion-process.ts';
import { GET_ROUTES } from './fuzz.ts';

/**
 * The threat model of README.md ("Threat model"), attempt by attempt, against the real CLI on a paper exchange
 * whose account keys we know, so we can look for them everywhere: a web page in the same browser (foreign
 * Origin), a DNS-rebinding page (foreign Host), another local user (file modes), a leaked log (secrets in
 * stderr). The data dir is created 0755 beforehand, as a careless `mkdir` would leave it.
 */
const ACCOUNTS = ['main', 'mirror1'];
const EXT_ORIGIN = `chrome-extension://${EXTENSION_ID}`;
/** Another installed extension: refused like a web page, since only this product's id is admitted. */
const OTHER_EXTENSION = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
let paper: PaperExchange;
let c: CompanionProcess;
let dataDir: string;
let secrets: string[];
let base: string;
let token: string;
const seen: string[] = []; // every response body and WS frame, searched for secrets at the end

beforeAll(async () => {
  paper = await startPaperExchange({ accounts: ACCOUNTS, positionsPerAccount: 5, seed: 3 });
  const root = mkdtempSync(join(tmpdir(), 'tw-access-'));
  dataDir = join(root, 'state');
  mkdirSync(dataDir, { mode: 0o755 });
  const setup = onStandalonePaper(paper, { dataDir, configDir: root, logLevel: 'debug' });
  secrets = paper.accounts.flatMap((a) => [a.apiKey, a.secret]);
  c = await startCompanionProcess(setup);
  base = c.ready.url;
  token = c.ready.token;
  secrets.push(token);
  await new Promise((r) => setTimeout(r, 1500));
}, 60_000);
afterAll(async () => {
  await c?.kill();
  await paper?.close();
});

/** A raw HTTP request: fetch may not set Host or a forbidden Origin. */
function raw(
  path: string,
  headers: Record<string, string>,
  method = 'GET',
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        seen.push(text);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
const auth = () => ({ authorization: `Bearer ${token}` });

function wsAttempt(path: string, headers: Record<string, string> = {}): Promise<{ status: number; frames: string[] }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}${path}`, { headers });
    const frames: string[] = [];
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, frames });
      ws.terminate();
    });
    ws.on('message', (d) => {
      frames.push(String(d));
      seen.push(String(d));
      if (frames.length >= 2) {
        ws.close();
        resolve({ status: 101, frames });
      }
    });
    ws.on('error', () => {});
  });
}

describe('a web page in the same browser', () => {
  it('a request carrying a web Origin is refused (403), even with the token, and gets no CORS grant', async () => {
    for (const origin of [
      'https://evil.example',
      'http://127.0.0.1:8080',
      'null',
      'chrome-extension://evil',
      OTHER_EXTENSION,
    ]) {
      const r = await raw('/api/v1/trading/positions', { ...auth(), origin });
      expect(r.status, origin).toBe(403);
      expect(r.headers['access-control-allow-origin']).toBeUndefined();
    }
  });
  it('its CORS preflight is refused, so the browser never sends the real request', async () => {
    const r = await raw(
      '/api/v1/trading/execute',
      {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
      'OPTIONS',
    );
    expect(r.status).toBe(403);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });
  it('a "simple" cross-site POST (text/plain, no preflight) is refused before it executes anything', async () => {
    const creates = paper.control.getStats().byEndpoint['/v5/order/create'] ?? 0;
    const inst = paper.engine.instrument('BTCUSDT')!;
    const body = JSON.stringify(longOrder(inst, paper.control.price('BTCUSDT'), 'BTCUSDT', 'csrf-attempt-01'));
    const r = await raw(
      '/api/v1/trading/execute',
      { origin: 'https://evil.example', 'content-type': 'text/plain' },
      'POST',
      body,
    );
    expect(r.status).toBe(403);
    expect(paper.control.getStats().byEndpoint['/v5/order/create'] ?? 0).toBe(creates);
  });
  it('a WebSocket from a web Origin is refused before the upgrade (403), even with the token', async () => {
    const r = await wsAttempt(`/ws?token=${token}`, { origin: 'https://evil.example' });
    expect(r.status).toBe(403);
  });
  it('the extension origin with the token is let in (HTTP and WebSocket)', async () => {
    const r = await raw('/api/v1/trading/accounts', { ...auth(), origin: EXT_ORIGIN });
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe(EXT_ORIGIN);
    const w = await wsAttempt(`/ws?token=${token}`, { origin: EXT_ORIGIN });
    expect(w.status).toBe(101);
  });
});

describe('a DNS-rebinding page (same-origin to the browser, Host: attacker.example)', () => {
  it('every route refuses a foreign Host, with or without the token; /health too', async () => {
    for (const path of ['/api/v1/trading/positions', '/api/v1/trading/executions', '/health', '/ws']) {
      for (const host of ['attacker.example', 'attacker.example:8787', '127.0.0.1.attacker.example', 'localhost.']) {
        const r = await raw(path, { ...auth(), host });
        expect(r.status, `${path} Host ${host}`).toBe(403);
      }
    }
  });
  it('the WebSocket upgrade refuses a foreign Host', async () => {
    const r = await wsAttempt(`/ws?token=${token}`, { host: 'attacker.example' });
    expect(r.status).toBe(403);
  });
});

describe('no token, a wrong token, a token where it does not belong', () => {
  it('401 without a token, with a wrong one, or a malformed header', async () => {
    for (const h of [
      {} as Record<string, string>,
      { authorization: 'Bearer wrong-token-wrong-token-wrong-token-x' },
      { authorization: token },
      { authorization: `Basic ${token}` },
    ]) {
      const r = await raw('/api/v1/trading/positions', h);
      expect(r.status).toBe(401);
      expect(r.body).not.toContain(token);
    }
  });
  it('the token in the query string is refused on every route but /ws (URLs end up in history and logs)', async () => {
    for (const path of ['/api/v1/trading/positions', '/api/v1/trading/executions', '/api/v1/trading/accounts']) {
      const r = await raw(`${path}?token=${token}`, {});
      expect(r.status, path).toBe(401);
    }
    const post = await raw(
      `/api/v1/trading/execute?token=${token}`,
      { 'content-type': 'application/json' },
      'POST',
      '{}',
    );
    expect(post.status).toBe(401);
  });
  it('a WebSocket without a token or with a wrong one is refused (401)', async () => {
    expect((await wsAttempt('/ws')).status).toBe(401);
    expect((await wsAttempt('/ws?token=nope-nope-nope-nope-nope-nope-nope-nope')).status).toBe(401);
  });
  it('a refusal before the body was read closes the connection, so the next request on it is not lost', async () => {
    const r = await raw('/api/v1/trading/execute', { 'content-type': 'application/json' }, 'POST', 'x'.repeat(200_000));
    expect(r.status).toBe(401);
    expect(r.headers.connection).toBe('close');
    const big = await raw(
      '/api/v1/trading/execute',
      { ...auth(), 'content-type': 'application/json' },
      'POST',
      'x'.repeat(200_000),
    );
    expect(big.status).toBe(413);
    expect(big.headers.connection).toBe('close');
  });
});

describe('another local user', () => {
  it('the data dir is 0700 (narrowed from 0755) and the token and journal files are 0600', async () => {
    // One execution, so the journal exists.
    const inst = paper.engine.instrument('ETHUSDT')!;
    const r = await postExecute(c.ready, longOrder(inst, paper.control.price('ETHUSDT'), 'ETHUSDT', 'access-exec-01'));
    seen.push(JSON.stringify(r.body));
    expect(r.status).toBe(200);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dataDir);
    expect(files).toEqual(expect.arrayContaining(['pairing-token', 'executions.jsonl']));
    for (const f of files) expect((statSync(join(dataDir, f)).mode & 0o077).toString(8), f).toBe('0');
  });
});

describe('a leaked log, a captured response, the extension storage', () => {
  it('no secret (exchange keys, pairing token) in any response body or WebSocket frame', async () => {
    for (const path of ['/health', ...GET_ROUTES]) {
      const r = await raw(path, auth());
      expect(r.status, path).toBe(200);
    }
    const w = await wsAttempt(`/ws?token=${token}`, { origin: EXT_ORIGIN });
    expect(w.frames.some((f) => f.includes('"snapshot"'))).toBe(true);
    const all = seen.join('\n');
    expect(all.length).toBeGreaterThan(10_000);
    for (const s of secrets) expect(all.includes(s), `secret ${s.slice(0, 4)}… in a response`).toBe(false);
  });
  it('no secret in any line the companion logged (debug level, stderr)', () => {
    const log = c.stderr();
    expect(log.split('\n').length).toBeGreaterThan(5);
    for (const s of secrets) expect(log.includes(s), `secret ${s.slice(0, 4)}… in the log`).toBe(false);
    // The pairing token is never in the journal either.
    const journal = readFileSync(join(dataDir, 'executions.jsonl'), 'utf8');
    for (const s of secrets) expect(journal.includes(s)).toBe(false);
  });
  it('the extension stores its settings and the pairing token only (it never receives exchange secrets)', () => {
    const src = readFileSync(join(REPO_ROOT, 'extension/utils/settings.ts'), 'utf8');
    const items = [...src.matchAll(/defineItem<[^>]+>\('([^']+)'/g)].map((m) => m[1]);
    expect(items.sort()).toEqual([
      'local:alertSilence', // snoozed and muted position families: keys and times, nothing secret
      'local:companionUrl',
      'local:notificationPrefs',
      'local:pairingToken',
      'session:pendingFocus',
    ]);
    // Nothing else in the extension writes to storage directly.
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.name === 'node_modules' || e.name.startsWith('.') || e.name === 'dist'
          ? []
          : e.isDirectory()
            ? walk(join(dir, e.name))
            : /\.(ts|tsx)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)
              ? [join(dir, e.name)]
              : [],
      );
    for (const f of [...walk(join(REPO_ROOT, 'extension/utils')), ...walk(join(REPO_ROOT, 'extension/entrypoints'))]) {
      const text = readFileSync(f, 'utf8');
      expect(/chrome\.storage|browser\.storage|storage\.setItem|localStorage/.test(text), f).toBe(false);
    }
  });
});

describe('POST /actions: no action without the token or from a foreign Origin', () => {
  it('a close of a held position is refused in every such case, and the exchange sees no write', async () => {
    const held = paper.control.positions('main')[0]!;
    const body = JSON.stringify({
      idempotencyKey: 'access-action-01',
      symbol: held.symbol,
      side: held.side,
      action: { kind: 'close' },
    });
    const writes = () => {
      const by = paper.control.getStats().byEndpoint;
      return ['/v5/order/create', '/v5/position/trading-stop', '/v5/order/cancel-all'].map((e) => by[e] ?? 0);
    };
    const before = writes();
    const json = { 'content-type': 'application/json' };
    for (const [what, path, headers, status] of [
      ['no token', '/api/v1/trading/actions', json, 401],
      [
        'a wrong token',
        '/api/v1/trading/actions',
        { ...json, authorization: 'Bearer wrong-wrong-wrong-wrong-wrong-wrong' },
        401,
      ],
      ['the token in the query', `/api/v1/trading/actions?token=${token}`, json, 401],
      [
        'a web Origin with the token',
        '/api/v1/trading/actions',
        { ...json, ...auth(), origin: 'https://evil.example' },
        403,
      ],
      [
        'a simple cross-site POST',
        '/api/v1/trading/actions',
        { 'content-type': 'text/plain', origin: 'https://evil.example' },
        403,
      ],
      ['a foreign Host', '/api/v1/trading/actions', { ...json, ...auth(), host: 'attacker.example' }, 403],
    ] as const) {
      const r = await raw(path, headers as Record<string, string>, 'POST', body);
      expect(r.status, what).toBe(status);
    }
    expect(writes()).toEqual(before);
    expect(paper.control.positions('main').find((p) => p.symbol === held.symbol)?.size).toBe(held.size);
  });
});
