import { setMaxListeners } from 'node:events';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { silentLogger } from '../core/logger.ts';
import { streamUrls } from '../exchange/stream-urls.ts';
import { PaperEngine } from './engine/engine.ts';
import { PaperOptions, type PaperOptionsInput } from './options.ts';
import { createPaperApp } from './server/app.ts';
import { PaperControl } from './server/control.ts';
import { StreamServer } from './streams/server.ts';

/**
 * The paper exchange: Bybit v5 REST on 127.0.0.1, reached through ccxt's unmodified `bybit` class with only
 * its URLs pointed here (see `paperCcxtConfig`). The companion embeds it when no exchange keys are set;
 * tests and benchmarks start one per run and read its counters through `control`.
 */

export interface PaperAccountCredentials {
  name: string;
  apiKey: string;
  secret: string;
}

export interface PaperExchange {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  accounts: PaperAccountCredentials[];
  /** In-process control: prices, time, latency, faults, counters. Also served under `${url}/sim/`. */
  control: PaperControl;
  engine: PaperEngine;
  /** The Bybit v5 WebSocket side on the same port (/v5/public/linear, /v5/private, /v5/trade). */
  streams: StreamServer;
  close(): Promise<void>;
}

export async function startPaperExchange(input: PaperOptionsInput = {}): Promise<PaperExchange> {
  const opts = PaperOptions.parse(input);
  const logger = opts.logger ?? silentLogger;
  const engine = new PaperEngine(opts, opts.clock);
  const control = new PaperControl(engine, opts);
  const closing = new AbortController();
  // Every request held in latency or an injected timeout listens on this one signal: dozens at once is normal.
  setMaxListeners(0, closing.signal);
  const app = createPaperApp({
    control,
    clock: opts.clock,
    wallClock: opts.wallClock,
    logger,
    leverage: opts.leverage,
    closing: closing.signal,
    ipOf: (c) => {
      try {
        return getConnInfo(c).remote.address ?? '127.0.0.1';
      } catch {
        return '127.0.0.1';
      }
    },
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: opts.port }, () => resolve(s));
    s.once('error', reject);
  });
  const streams = new StreamServer({
    engine,
    control,
    clock: opts.clock,
    wallClock: opts.wallClock,
    logger,
    leverage: opts.leverage,
    options: opts.streams,
    closing: closing.signal,
  });
  streams.attach(server as unknown as HttpServer);
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  logger.info(
    { url, accounts: engine.accounts.length, positionsPerAccount: opts.positionsPerAccount },
    'paper exchange listening',
  );
  let closed: Promise<void> | null = null;
  return {
    url,
    port,
    accounts: engine.accounts.map(({ name, apiKey, secret }) => ({ name, apiKey, secret })),
    control,
    engine,
    streams,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        closing.abort(new Error('paper exchange closing'));
        streams.close();
        server.close(() => resolve());
        // Keep-alive sockets (ccxt's agent) would hold close() open: end them.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      return closed;
    },
  };
}

/**
 * The ccxt `bybit` constructor config that talks to a paper exchange. Only URLs differ from the real
 * exchange; the other options skip calls that are pure overhead (currencies, non-linear markets) and
 * state what the paper account is (unified trading account), so no detection calls are needed.
 */
export function paperCcxtConfig(creds: { apiKey: string; secret: string }) {
  return {
    apiKey: creds.apiKey,
    secret: creds.secret,
    enableRateLimit: true,
    has: { fetchCurrencies: false },
    options: {
      defaultType: 'swap',
      defaultSubType: 'linear',
      defaultSettle: 'USDT',
      fetchMarkets: { types: ['linear'] },
      enableUnifiedAccount: true,
      enableUnifiedMargin: false,
    },
  };
}

/** Points every API entry of a ccxt exchange at `url` (ccxt joins entry + '/' + 'v5/...'). */
export function pointCcxtAt(exchange: { urls: Record<string, unknown> }, url: string): void {
  const api = exchange.urls.api as Record<string, unknown>;
  for (const k of Object.keys(api)) if (k !== 'ws') api[k] = url;
}

/**
 * Points ccxt pro's bybit WebSocket URLs at a paper exchange (the shape ccxt reads, `trade` without
 * `{hostname}`). ccxt refuses plain ws:// until `await exchange.loadHttpProxyAgent()` has run once.
 */
export function pointCcxtProAt(exchange: { urls: Record<string, unknown> }, url: string): void {
  const ws = url.replace(/^http/, 'ws');
  const api = exchange.urls.api as Record<string, unknown>;
  api.ws = streamUrls(ws);
}

export type { PaperEngine } from './engine/engine.ts';
export type { Faults, Latency, Limits, TimeWindow } from './options.ts';
export { BYBIT_ACCOUNT_LIMITS, PaperOptions, type PaperOptionsInput } from './options.ts';
export { signHeaders } from './server/auth.ts';
export type { PaperControl, PositionRowFault, PositionView } from './server/control.ts';
export type { PaperStats } from './server/stats.ts';
