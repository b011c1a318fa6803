import type { Account, KeyHealth } from '@tierwatch/shared';
import { KeyWatch } from './accounts/watch.ts';
import { ResourceCache } from './cache/index.ts';
import {
  type CompanionConfig,
  loadSecrets,
  portSettingError,
  resolveDataDir,
  toProtocolAccount,
} from './config/index.ts';
import { EventBus } from './core/bus.ts';
import { type Clock, systemClock } from './core/clock.ts';
import { createLogger, type Logger } from './core/logger.ts';
import { lockDataDir } from './data-dir/index.ts';
import { type AccountSetup, createExchangeLayer, type ExchangeLayer } from './exchange/index.ts';
import { ExecutionService } from './execution/index.ts';
import { createApp } from './http/app.ts';
import { listen } from './http/listen.ts';
import { Monitor } from './monitor/index.ts';
import { PairingStore } from './pairing/index.ts';
import type { PaperExchange } from './paper/index.ts';
import { ReadModel } from './read-model/index.ts';
import { checkKeys, type KeyChecks, setupAccounts } from './start-accounts.ts';
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
  /** The account's key health (checked at start, watched since); null for the embedded paper exchange's. */
  keyHealth(account: string): KeyHealth | null;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
}

type Closers = (() => Promise<void> | void)[];

interface Wiring {
  config: CompanionConfig;
  accounts: Account[];
  setups: AccountSetup[];
  keyChecks: KeyChecks;
  dataDir: string;
  clock: Clock;
  logger: Logger;
  closers: Closers;
}

/** The exchange layer, the bus, the API's cache and the monitor on them (not started yet). */
async function startMonitoring(w: Wiring) {
  const { config, clock, logger } = w;
  const exchange = await createExchangeLayer({
    setups: w.setups,
    config: config.exchange,
    clock,
    logger: logger.child({ module: 'exchange' }),
  });
  const bus = new EventBus((err, event) => logger.error({ err, type: event.type }, 'event subscriber failed'));
  const cache = new ResourceCache(config.cache, clock);
  // Made once the hub is subscribed (its first check publishes), so a key already expiring is announced to
  // the first clients too; the monitor serves no key health until then.
  let keyWatch: KeyWatch | undefined;
  const watchKeys = () => {
    keyWatch = new KeyWatch(w.keyChecks, {
      clock,
      publish: (e) => bus.publish(e),
      refusedNow: (account) => exchange.accounts.get(account)?.stoppedBy?.message ?? null,
      logger: logger.child({ module: 'key-watch' }),
    });
    return keyWatch;
  };
  const monitor = new Monitor({
    clients: [...exchange.accounts.values()],
    market: exchange.market,
    streams: exchange.streams,
    bus,
    clock,
    config: config.monitor,
    logger,
    // The API serves what the monitor already read: the two never fetch the same thing twice.
    onPositions: (account, positions, fetchedAt) => cache.put(account, 'positions', positions, fetchedAt),
    onOrders: (account, orders, fetchedAt) => cache.put(account, 'orders', orders, fetchedAt),
    keyHealth: (account) => keyWatch?.of(account) ?? null,
  });
  // Started once the WebSocket hub is subscribed, so the first scan's events (missing SL...) get a seq.
  w.closers.push(() => monitor.stop());
  const readModel = new ReadModel({
    monitor,
    accounts: w.accounts,
    streams: () => exchange.streams?.status() ?? [],
    keyRefused: (account) => exchange.accounts.get(account)?.stoppedBy != null,
    clock,
    // Silent past the slowest cadence that still reads it (discovery, or the streams' REST reconcile), twice.
    staleAfterMs: 2 * Math.max(monitor.config.discoveryIntervalMs, monitor.config.reconcileIntervalMs),
  });
  return { exchange, bus, cache, watchKeys, monitor, readModel };
}

/** The pairing token, the execution service (recovering in the background), the HTTP app and the hub. */
async function startServing(w: Wiring, m: Awaited<ReturnType<typeof startMonitoring>>) {
  const { config, accounts, clock, logger } = w;
  const { exchange, bus, cache, monitor, readModel } = m;
  const cannotTrade = new Set(w.keyChecks.filter((c) => !c.assessment.canTrade).map((c) => c.account));
  const pairing = await PairingStore.open({ dataDir: w.dataDir, logger });
  const execution = await ExecutionService.open({
    accounts,
    clients: exchange.accounts,
    market: exchange.market,
    monitor,
    bus,
    clock,
    dataDir: w.dataDir,
    config: config.execution,
    logger,
    cache,
    tradingRefusal: (account) =>
      cannotTrade.has(account) ? 'its API key cannot trade (read-only, or the key check failed at start)' : null,
  });
  w.closers.push(() => execution.close());
  // Unfinished executions from a previous run are settled in the background; their results are
  // readable (pending) meanwhile, and each is published as execution-finished once settled.
  void execution.recover().catch((err) => logger.error({ err }, 'execution recovery failed'));
  // Every event on the bus (a position opened, resized, closed, a tier changed) is a change of the book:
  // /positions never serves a held answer from before an event the WebSocket already pushed.
  let busEvents = 0;
  bus.subscribe(() => {
    busEvents++;
  });
  const app = createApp({
    version: VERSION,
    clock,
    startedAt: clock.now(),
    logger,
    http: config.http,
    pairing,
    trading: {
      clients: [...exchange.accounts.values()],
      market: exchange.market,
      cache,
      classify: (p) => monitor.classifyNow(p),
      // /positions is the read model's book, as the WebSocket's snapshot and positions-updated are.
      book: {
        positions: (account) => readModel.positions(account),
        freshness: () => readModel.freshness(),
        refresh: (account) => monitor.refreshAccount(account),
        changes: () => busEvents,
      },
    },
    execution,
    monitor: { positions: (a) => monitor.positions(a), accountNames: () => accounts.map((a) => a.name) },
  });
  const hub = createWsHub({
    app,
    bus,
    clock,
    logger,
    version: VERSION,
    config: config.ws,
    snapshot: () => readModel.book(),
    view: () => ({ positions: readModel.positions(), freshness: readModel.freshness() }),
  });
  return { pairing, execution, app, hub };
}

/** Composes the companion from its config: exchange, monitor, cache, execution guard, HTTP and WebSocket. */
export async function startCompanion(config: CompanionConfig, opts: StartOptions = {}): Promise<RunningCompanion> {
  const logger = opts.logger ?? createLogger({ level: config.log.level, format: config.log.format });
  const clock = opts.clock ?? systemClock;
  const env = opts.env ?? process.env;
  const accounts = config.accounts.map((a) => toProtocolAccount(config, a));
  const closers: Closers = [];
  // Last started, first stopped; once, however often it is called (a signal and a test may both ask).
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      for (const c of [...closers].reverse()) await c();
    })();
    return closing;
  };

  try {
    // Start-up order: whatever a setting can make impossible fails first, in milliseconds and naming the
    // setting, before any exchange is read: the secrets (secretsFile), the data dir and its lock (dataDir),
    // the port (server.port). Then the exchange, the monitor's first read, and only then answers.
    const secrets = loadSecrets(
      accounts.map((a) => a.name),
      { file: config.secretsFile, env },
    );
    const dataDir = resolveDataDir(config, env);
    // Released last, after the journal is closed: the next companion may only start on a quiet dir.
    const lock = lockDataDir(dataDir, { logger });
    closers.push(() => lock.release());
    // Bound now, answering once every account has been read once (`open` below).
    const listening = await listen(config.server.port, config.http, logger).catch((err: unknown) => {
      throw portSettingError(config.server.port, err);
    });
    // For a start that fails before the hub exists; afterwards the hub's closer stops the server first.
    closers.push(() => listening.close());

    const { setups, paper } = await setupAccounts(config, accounts, secrets, { clock, logger });
    if (paper) closers.push(() => paper.close());
    const keyChecks = await checkKeys(config, setups, logger);
    const wiring: Wiring = { config, accounts, setups, keyChecks, dataDir, clock, logger, closers };
    const monitoring = await startMonitoring(wiring);
    const { monitor } = monitoring;
    const { pairing, execution, app, hub } = await startServing(wiring, monitoring);
    // Stopping starts here: no request reaches the execution service as it closes. The hub closes before the
    // server (upgraded sockets would hold server.close open).
    closers.push(async () => {
      await hub.close();
      await listening.close();
    });
    const keyWatch = monitoring.watchKeys();
    keyWatch.start();
    closers.push(() => keyWatch.close());
    monitor.start();
    // Answer once every account has been read (or has failed) once: the first snapshot has the positions.
    // A slow exchange delays this by its timeout at most.
    await monitor.firstRead(config.exchange.timeoutMs);
    listening.open(app, hub);
    logger.info({ url: listening.url, accounts: accounts.map((a) => a.name) }, 'companion listening');
    const { exchange, bus, cache } = monitoring;
    return {
      url: listening.url,
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
      keyHealth: (account) => keyWatch.of(account),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
