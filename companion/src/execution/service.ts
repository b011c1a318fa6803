import { join } from 'node:path';
import type { Account, ActionRequest, ExecuteRequest, ExecuteResult, GuardMode } from '@tierwatch/shared';
import type { ResourceCache } from '../cache/index.ts';
import { AppError } from '../core/app-error.ts';
import type { EventBus } from '../core/bus.ts';
import type { Clock } from '../core/clock.ts';
import { InFlight } from '../core/in-flight.ts';
import { type Logger, silentLogger } from '../core/logger.ts';
import { Semaphore } from '../core/semaphore.ts';
import type { AccountClient, MarketData } from '../exchange/types.ts';
import { ExecutionBook, view } from './book.ts';
import { ExecutionConfig } from './config.ts';
import { confirmFills } from './fills.ts';
import { ExecutionGuard } from './guard.ts';
import { requestHash } from './ids.ts';
import { type Journal, type OpenJournalFile, openJournal } from './journal/index.ts';
import type { LegDeps } from './legs.ts';
import { appendOrLog, beginExecution, finishExecution, type LifecycleDeps, placeLegs } from './lifecycle.ts';
import { type PlanningDeps, type Prepared, prepareAction, prepareExecution } from './prepared.ts';
import { type RecoveryReport, reconcile } from './recovery.ts';
import { settleInBackground } from './settle-unknown.ts';

export interface ExecutionServiceDeps {
  accounts: readonly Account[];
  clients: ReadonlyMap<string, AccountClient>;
  market: MarketData;
  monitor: {
    setMode(mode: GuardMode): void;
    refreshAccount?(account: string): void;
    markOf?(symbol: string): { price: number; at: number } | null;
  };
  bus: EventBus;
  clock: Clock;
  /** The data dir: the journal lives here as `config.journalFile`. */
  dataDir: string;
  /** Parsed ExecutionConfig (the config's `execution:` section); defaults when absent. */
  config?: ExecutionConfig;
  logger?: Logger;
  /**
   * The API's cache. Given, the pre-check takes balances and the mark price from it while they are younger
   * than `balanceMaxAgeMs` / `markMaxAgeMs` (the trade form reads both when the trader reviews the order),
   * and an execution drops the accounts' cached balances, positions and orders once its legs are out.
   */
  cache?: ResourceCache;
  /** Why an account may not trade (a read-only key), or null: an execution naming it is refused, 403. */
  tradingRefusal?: (account: string) => string | null;
  /** The journal's file layer (tests fill the disk with it); default node:fs. */
  openJournalFile?: OpenJournalFile;
}

const RECOVERED_LATER =
  'the companion stopped during this execution; on restart the exchange did not answer at first, and later lookups settled it';

/**
 * Executes orders exactly once. Per idempotency key, one execution: concurrent and later requests with the
 * same key and body get its result (a different body: 409). Each execution is validated (nothing sent on
 * a 400), journaled durably, then placed on every account at once under the guard; see journal.ts for the
 * file and recovery.ts for what happens to an execution the companion did not see finish.
 */
export class ExecutionService {
  readonly config: ExecutionConfig;
  readonly guard: ExecutionGuard;
  private readonly sem: Semaphore;
  private readonly log: Logger;
  /** Every execution known, by id and key; `byId` is its live entries, which the money path updates. */
  private readonly book: ExecutionBook;
  private readonly byId: ExecutionBook['entries'];
  private readonly work = new InFlight();
  private readonly write: ReturnType<typeof appendOrLog>;
  /** What an execution's start and end need (lifecycle.ts). */
  private readonly ends: LifecycleDeps;
  /** What planning an execution or an action reads with (prepared.ts). */
  private readonly planning: PlanningDeps;
  private readonly closing = new AbortController();

  private constructor(
    private readonly deps: ExecutionServiceDeps,
    private readonly journal: Journal,
    config: ExecutionConfig,
    book: ExecutionBook,
  ) {
    this.config = config;
    this.book = book;
    this.byId = book.entries;
    this.log = (deps.logger ?? silentLogger).child({ module: 'execution' });
    this.write = appendOrLog(journal, this.log);
    const refreshAccount = deps.monitor.refreshAccount?.bind(deps.monitor);
    this.ends = {
      journal,
      entries: this.byId,
      bus: deps.bus,
      clock: deps.clock,
      log: this.log,
      write: this.write,
      refreshAccount,
    };
    this.sem = new Semaphore(config.concurrency);
    this.planning = {
      ...deps,
      sem: this.sem,
      config,
      signal: this.closing.signal,
      positionsMaxAgeMs: config.markMaxAgeMs,
      markOf: deps.monitor.markOf?.bind(deps.monitor),
      feeRates: new Map(),
      fallbackFeeRate: config.feeRate,
    };
    this.guard = new ExecutionGuard({
      monitor: deps.monitor,
      bus: deps.bus,
      clock: deps.clock,
      timeoutMs: config.timeoutMs,
      logger: this.log,
    });
  }

  /**
   * Reads the journal (every past execution stays answerable by id and key, within the retention), compacts
   * it if much of it is dead, and opens it for appending.
   */
  static async open(deps: ExecutionServiceDeps): Promise<ExecutionService> {
    const config = deps.config ?? ExecutionConfig.parse({});
    const file = join(deps.dataDir, config.journalFile);
    const { journal, loaded } = await openJournal(file, {
      now: deps.clock.now(),
      retentionMs: config.journalRetentionDays * 86_400_000,
      openFile: deps.openJournalFile,
      log: (deps.logger ?? silentLogger).child({ module: 'execution' }),
    });
    return new ExecutionService(deps, journal, config, ExecutionBook.fromJournal(loaded));
  }

  get(executionId: string): ExecuteResult | undefined {
    return this.book.get(executionId);
  }

  /** Newest first (see ExecutionBook.list). */
  list(limit = 50): ExecuteResult[] {
    return this.book.list(limit);
  }

  /** The execution an idempotency key is bound to; a read, never a send. */
  byIdempotencyKey(key: string): ExecuteResult | undefined {
    return this.book.byIdempotencyKey(key);
  }

  /** Executions the journal holds without a final record (the companion stopped during them). */
  unfinished(): string[] {
    return this.book.unfinished();
  }

  execute(req: ExecuteRequest): Promise<ExecuteResult> {
    return this.submit(req, () => prepareExecution(req, this.planning));
  }

  /**
   * An action on a held position family (close, TP/SL, break-even, trailing, cancel orders): the same money
   * path as execute (key, guard, journal, legs, recovery), planned from each account's position read now.
   */
  act(req: ActionRequest): Promise<ExecuteResult> {
    return this.submit(req, () => prepareAction(req, this.planning));
  }

  private async submit(req: ExecuteRequest | ActionRequest, prepare: () => Promise<Prepared>): Promise<ExecuteResult> {
    const hash = requestHash(req);
    const known = this.book.bound(req.idempotencyKey, hash);
    if (known) return known;
    // Bound before anything awaits: a concurrent request with this key joins this execution.
    const done = this.work.track(this.run(req, hash, prepare));
    this.book.bind(req.idempotencyKey, hash, done);
    try {
      return view(this.byId.get(await done)!);
    } catch (err) {
      // Failed before the intent was journaled: nothing was sent, so the key is free for a corrected request.
      this.book.unbind(req.idempotencyKey, done);
      throw err;
    }
  }

  /**
   * Settles every unfinished execution from the journal; see recovery.ts. Resolves after one pass; the
   * executions it leaves pending go on being looked up in the background (settle-unknown.ts).
   */
  async recover(): Promise<RecoveryReport> {
    const report = await this.work.track(
      reconcile({
        ids: this.unfinished(),
        entries: this.byId,
        legDeps: (account) => this.legDeps(account),
        settleFrom: this.deps.clock.now(),
        append: this.write,
        finish: (id, note) => this.finish(id, note),
        clock: this.deps.clock,
        signal: this.closing.signal,
        log: this.log,
      }),
    );
    for (const id of report.stillPending) this.settleLater(id, RECOVERED_LATER);
    return report;
  }

  /**
   * Stops: waits up to `waitMs` (wall clock) for running executions to record their outcomes, aborting
   * their queued calls; whatever is still unsettled then is settled by the next start's recovery.
   */
  async close(waitMs = 5000): Promise<void> {
    this.closing.abort(new Error('companion stopping'));
    await this.work.drain(waitMs);
    this.guard.releaseAll();
    await this.journal.close();
  }

  /** Resolves once the work in flight (executions, fill read-backs) has finished. */
  settled(): Promise<void> {
    return this.work.settled();
  }

  private legDeps(account: string): LegDeps {
    const client = this.deps.clients.get(account);
    if (!client) throw new AppError('UNKNOWN_ACCOUNT', `no client for account ${account}`);
    return {
      client,
      sem: this.sem,
      clock: this.deps.clock,
      settleMs: this.config.settleMs,
      signal: this.closing.signal,
    };
  }

  private async run(
    req: ExecuteRequest | ActionRequest,
    hash: string,
    prepare: () => Promise<Prepared>,
  ): Promise<string> {
    const release = this.guard.enter(req.idempotencyKey);
    let ok = false;
    try {
      const plan = await prepare();
      const id = await beginExecution(this.ends, req, hash, plan);
      // From here orders may be out: whatever fails, the request answers with the execution as it stands and
      // its key stays bound to it (an error would free the key and invite a second order under a new one).
      try {
        await placeLegs(this.byId.get(id)!, plan, {
          legDeps: (account) => this.legDeps(account),
          cache: this.deps.cache,
          clock: this.deps.clock,
          write: this.write,
        });
        await this.finish(id, null);
        this.settleLater(id, null);
        ok = true;
        void this.work.track(
          confirmFills(this.byId.get(id)?.result, {
            ...this.deps,
            sem: this.sem,
            signal: this.closing.signal,
            append: this.write,
            log: this.log,
          }),
        );
      } catch (err) {
        this.log.error({ err, executionId: id }, 'execution interrupted after its intent was journaled');
      }
      return id;
    } finally {
      release(ok ? 'execution-finished' : 'error');
    }
  }

  /**
   * Legs still unknown (lookups gave up) go on being looked up in the background until the exchange
   * answers; then the execution is finished and published like any other. A no-op when nothing is unknown.
   */
  private settleLater(executionId: string, note: string | null): void {
    const entry = this.byId.get(executionId);
    const settling =
      entry &&
      settleInBackground(entry, {
        legDeps: (account) => this.legDeps(account),
        append: this.write,
        bus: this.deps.bus,
        clock: this.deps.clock,
        signal: this.closing.signal,
        log: this.log,
        backoff: this.config.relookup,
        finish: () => this.finish(executionId, note),
      });
    if (!settling) return;
    void this.work.track(settling).catch((err) => {
      if (!this.closing.signal.aborted) this.log.error({ err, executionId }, 'settling unknown legs failed');
    });
  }

  /** Final status, journaled, published (lifecycle.ts). */
  private finish(executionId: string, note: string | null): Promise<void> {
    return finishExecution(this.ends, executionId, note);
  }
}
