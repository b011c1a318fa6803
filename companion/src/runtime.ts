import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Account } from '@tierwatch/shared';
import { ResourceCache } from './cache/index.ts';
import {
  type ApiCredentials,
  type CompanionConfig,
  ConfigError,
  loadSecrets,
  resolveDataDir,
  toProtocolAccount,
} from './config/index.ts';
import { EventBus } from './core/bus.ts';
import { type Clock, systemClock } from './core/clock.ts';
import { createLogger, type Logger } from './core/logger.ts';
import { type AccountSetup, createExchangeLayer, type ExchangeLayer } from './exchange/index.ts';
import { ExecutionService } from './execution/index.ts';
import { createApp } from './http/app.ts';
import { applyServerLimits } from './http/server-limits.ts';
import { Monitor } from './monitor/index.ts';
import { PairingStore } from './pairing/index.ts';
import { type PaperExchange, startPaperExchange } from './paper/index.ts';
import { VERSION } from './version.ts';
import { createWsHub, type WsHub } from './ws/index.ts';

export interface RunningCompanion {
  url: string;
  token: string;
  paperExchangeUrl: string | null;
  /** The embedded paper exchange, when one runs (tests and benchmarks steer it through `control`). */
  paper: PaperExchange | null;
  accounts: Account[];
  exchange: ExchangeLayer;
  monitor: Monitor;
  /** The WebSocket event hub on /ws (same port, same front door). */
  hub: WsHub;
  execution: ExecutionService;
  bus: EventBus;
  cache: ResourceCache;
  logger: Logger;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
}

/**
 * Accounts in paper mode without a base URL run on a paper exchange the companion starts itself, with
 * credentials it generates; every other account needs credentials from the environment or secrets file.
 */
async function setupAccounts(
  config: CompanionConfig,
  accounts: Account[],
  opts: { clock: Clock; logger: Logger; env: NodeJS.ProcessEnv },
): Promise<{ setups: AccountSetup[]; paper: PaperExchange | null }> {
  const secrets = loadSecrets(
    accounts.map((a) => a.name),
    { file: config.secretsFile, env: opts.env },
  );
  const embedded = config.accounts.filter((a) => a.mode === 'paper' && !a.baseUrl).map((a) => a.name);
  let paper: PaperExchange | null = null;
  if (embedded.length > 0) {
    paper = await startPaperExchange({
      accounts: embedded,
      positionsPerAccount: config.paper.positionsPerAccount,
      symbols: Math.max(config.paper.symbols, config.paper.positionsPerAccount),
      seed: config.paper.seed,
      latency: { fixedMs: config.paper.latencyMs },
      clock: opts.clock,
      logger: opts.logger.child({ module: 'paper' }),
    });
  }
  const setups = accounts.map((account, i): AccountSetup => {
    const cfg = config.accounts[i]!;
    const fromPaper =
      paper && !cfg.baseUrl && cfg.mode === 'paper' ? paper.accounts.find((p) => p.name === account.name) : undefined;
    const credentials: ApiCredentials | undefined = fromPaper ?? secrets.get(account.name);
    if (!credentials) {
      const env = account.name.toUpperCase().replace(/-/g, '_');
      throw new ConfigError(
        `account ${account.name} (${account.mode}) needs credentials: set COMPANION_SECRET__${env}__API_KEY and COMPANION_SECRET__${env}__SECRET, or use secretsFile`,
      );
    }
    return { account, credentials, baseUrl: fromPaper ? paper!.url : cfg.baseUrl };
  });
  return { setups, paper };
}

/** Composes the companion from its config: exchange, monitor, cache, execution guard, HTTP and WebSocket. */
export async function startCompanion(config: CompanionConfig, opts: StartOptions = {}): Promise<RunningCompanion> {
  const logger = opts.logger ?? createLogger({ level: config.log.level });
  const clock = opts.clock ?? systemClock;
  const env = opts.env ?? process.env;
  const accounts = config.accounts.map((a) => toProtocolAccount(config, a));
  const closers: (() => Promise<void> | void)[] = [];
  // Last started, first stopped; once, however often it is called (a signal and a test may both ask).
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      for (const c of [...closers].reverse()) await c();
    })();
    return closing;
  };

  try {
    const { setups, paper } = await setupAccounts(config, accounts, { clock, logger, env });
    if (paper) closers.push(() => paper.close());

    const exchange = await createExchangeLayer({
      setups,
      config: config.exchange,
      clock,
      logger: logger.child({ module: 'exchange' }),
    });
    const bus = new EventBus((err, event) => logger.error({ err, type: event.type }, 'event subscriber failed'));
    const cache = new ResourceCache(config.cache, clock);
    const clients = [...exchange.accounts.values()];
    const monitor = new Monitor({
      clients,
      market: exchange.market,
      bus,
      clock,
      config: config.monitor,
      logger,
      // The API serves what the monitor already read: the two never fetch the same thing twice.
      onPositions: (account, positions, fetchedAt) => cache.put(account, 'positions', positions, fetchedAt),
      onOrders: (account, orders, fetchedAt) => cache.put(account, 'orders', orders, fetchedAt),
    });
    // Started once the WebSocket hub is subscribed, so the first scan's events (missing SL...) get a seq.
    closers.push(() => monitor.stop());

    const pairing = await PairingStore.open({ dataDir: resolveDataDir(config, env), logger });
    const execution = await ExecutionService.open({
      accounts,
      clients: exchange.accounts,
      market: exchange.market,
      monitor,
      bus,
      clock,
      dataDir: resolveDataDir(config, env),
      config: config.execution,
      logger,
      cache,
    });
    closers.push(() => execution.close());
    // Unfinished executions from a previous run are settled in the background; their results are
    // readable (pending) meanwhile, and each is published as execution-finished once settled.
    void execution.recover().catch((err) => logger.error({ err }, 'execution recovery failed'));
    const app = createApp({
      version: VERSION,
      clock,
      startedAt: clock.now(),
      logger,
      http: config.http,
      pairing,
      trading: { clients, market: exchange.market, cache, classify: (p) => monitor.classifyNow(p) },
      execution,
    });

    const hub = createWsHub({
      app,
      bus,
      clock,
      logger,
      version: VERSION,
      config: config.ws,
      snapshot: () => ({
        accounts,
        positions: monitor.positions(),
        tierCounts: monitor.tierCounts(),
        stats: monitor.latest(),
        guardMode: monitor.mode,
      }),
    });
    let server: ReturnType<typeof serve> | undefined;
    // The hub closes before the server (upgraded sockets would hold server.close open). Registered before the
    // listen, so a start that fails there (port taken) still stops the hub's keepalive loop.
    closers.push(async () => {
      await hub.close();
      const s = server;
      if (s === undefined) return;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        (s as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    });
    monitor.start();
    // Open the port once every account has been read (or has failed) once: the first snapshot has the
    // positions. A slow exchange delays this by its timeout at most.
    await monitor.firstRead(config.exchange.timeoutMs);

    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: config.server.port });
    applyServerLimits(server as Parameters<typeof applyServerLimits>[0], config.http, { logger });
    hub.injectWebSocket(server as Parameters<WsHub['injectWebSocket']>[0]);
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once('listening', resolve);
      listening.once('error', reject);
    });
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    logger.info({ url, accounts: accounts.map((a) => a.name) }, 'companion listening');
    return {
      url,
      token: pairing.reveal(),
      paperExchangeUrl: paper?.url ?? null,
      paper,
      accounts,
      exchange,
      monitor,
      hub,
      execution,
      bus,
      cache,
      logger,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
