import { join } from 'node:path';
import type {
  Account,
  ActionRequest,
  ExecuteRequest,
  ExecuteResult,
  GuardMode,
  LegResult,
  PositionAction,
  PositionSide,
} from '@tierwatch/shared';
import type { ResourceCache } from '../cache/index.ts';
import { AppError } from '../core/app-error.ts';
import type { EventBus } from '../core/bus.ts';
import type { Clock } from '../core/clock.ts';
import { type Logger, silentLogger } from '../core/logger.ts';
import { Semaphore } from '../core/semaphore.ts';
import type { AccountClient, MarketData } from '../exchange/types.ts';
import { checkAction } from './action-check.ts';
import { placeActionLeg } from './action-legs.ts';
import { ExecutionBook, view } from './book.ts';
import { ExecutionConfig } from './config.ts';
import { readFillsBack } from './fills.ts';
import { ExecutionGuard } from './guard.ts';
import { clientOrderId, newExecutionId, requestHash } from './ids.ts';
import { type Journal, type OpenJournalFile, openJournal } from './journal/index.ts';
import { isPlaced, type LegDeps, pendingLeg, placeLeg, statusOf, TERMINAL } from './legs.ts';
import { preCheck } from './pre-check.ts';
import { type RecoveryReport, reconcile } from './recovery.ts';
import { settleUnknownLegs } from './settle-unknown.ts';
import type { ExecutionPlan } from './validate.ts';

export interface ExecutionServiceDeps {
  accounts: readonly Account[];
  clients: ReadonlyMap<string, AccountClient>;
  market: MarketData;
  monitor: { setMode(mode: GuardMode): void; refreshAccount?(account: string): void };
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

/** What an execution or an action sends, planned before its intent is journaled. */
interface Prepared {
  symbol: string;
  side: PositionSide;
  orderType: 'market' | 'limit';
  adjustments: string[];
  limitPrice: number | null;
  action?: PositionAction;
  /** The legs as journaled in the intent: pending, or rejected when nothing is to be sent on that account. */
  legs: LegResult[];
  place(deps: LegDeps, leg: LegResult): Promise<LegResult>;
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
  private readonly running = new Set<Promise<unknown>>();
  private readonly closing = new AbortController();
  /** The accounts' fee rates by symbol, for SL to break-even (action-check.ts). */
  private readonly feeRates = new Map<string, { rates: Map<string, number>; at: number }>();

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
    this.sem = new Semaphore(config.concurrency);
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
    return this.submit(req, async () => {
      const plan = await this.validate(req);
      return {
        symbol: plan.symbol,
        side: plan.side,
        orderType: plan.orderType,
        adjustments: plan.adjustments,
        limitPrice: plan.orderType === 'limit' ? plan.price : null,
        legs: plan.legs.map((l) => pendingLeg(l.account, clientOrderId(req.idempotencyKey, l.account), l.qty, plan)),
        place: (deps, leg) => placeLeg(deps, leg, plan),
      };
    });
  }

  /**
   * An action on a held position family (close, TP/SL, break-even, trailing, cancel orders): the same money
   * path as execute (key, guard, journal, legs, recovery), planned from each account's position read now.
   */
  act(req: ActionRequest): Promise<ExecuteResult> {
    return this.submit(req, async () => {
      const plan = await checkAction(req, {
        cache: this.deps.cache,
        clock: this.deps.clock,
        positionsMaxAgeMs: this.config.markMaxAgeMs,
        feeRates: this.feeRates,
        accounts: this.deps.accounts,
        clients: this.deps.clients,
        market: this.deps.market,
        sem: this.sem,
        fallbackFeeRate: this.config.feeRate,
        signal: this.closing.signal,
      });
      const terms = { ...plan, action: plan.action };
      return {
        symbol: plan.symbol,
        side: plan.side,
        orderType: plan.orderType,
        adjustments: plan.adjustments,
        limitPrice: plan.price,
        action: plan.action,
        legs: plan.legs.map(
          (l): LegResult => ({
            account: l.account,
            clientOrderId: clientOrderId(req.idempotencyKey, l.account, plan.kind),
            status: l.skip === null ? 'pending' : 'rejected',
            orderId: null,
            qty: l.qty,
            filledQty: 0,
            avgPrice: null,
            takeProfit: l.takeProfit,
            stopLoss: l.stopLoss,
            error: l.skip === null ? null : { code: 'INVALID_ORDER', message: `nothing sent: ${l.skip}` },
          }),
        ),
        place: (deps, leg) => placeActionLeg(deps, leg, terms),
      };
    });
  }

  private async submit(req: ExecuteRequest | ActionRequest, prepare: () => Promise<Prepared>): Promise<ExecuteResult> {
    const hash = requestHash(req);
    const known = this.book.bound(req.idempotencyKey, hash);
    if (known) return known;
    // Bound before anything awaits: a concurrent request with this key joins this execution.
    const done = this.track(this.run(req, hash, prepare));
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
    const report = await this.track(
      reconcile({
        ids: this.unfinished(),
        entries: this.byId,
        legDeps: (account) => this.legDeps(account),
        settleFrom: this.deps.clock.now(),
        append: (r) => this.write(r),
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
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running]),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
      }),
    ]);
    clearTimeout(timer);
    this.guard.releaseAll();
    await this.journal.close();
  }

  /** Resolves once the work in flight (executions, fill read-backs) has finished. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    const drop = () => this.running.delete(p);
    p.then(drop, drop);
    return p;
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
      const id = await this.begin(req, hash, plan);
      // From here orders may be out: whatever fails, the request answers with the execution as it stands and
      // its key stays bound to it (an error would free the key and invite a second order under a new one).
      try {
        const entry = this.byId.get(id)!;
        await Promise.all(
          entry.result.legs.map(async (leg, i) => {
            // A leg planned as nothing-to-send (an action's account without the position) is already settled.
            if (TERMINAL.has(leg.status)) return;
            const outcome = await plan.place(this.legDeps(leg.account), leg);
            entry.result.legs[i] = outcome;
            // Margin, positions and orders have changed: the next pre-check or API read must not see the old.
            this.deps.cache?.invalidate(leg.account);
            await this.write({ v: 1, type: 'leg', at: this.deps.clock.now(), executionId: id, leg: outcome });
          }),
        );
        await this.finish(id, null);
        this.settleLater(id, null);
        ok = true;
        void this.track(this.confirmFills(id));
      } catch (err) {
        this.log.error({ err, executionId: id }, 'execution interrupted after its intent was journaled');
      }
      return id;
    } finally {
      release(ok ? 'execution-finished' : 'error');
    }
  }

  /** Reads what validation needs (mark, balances) on the top lane, then the pure checks; see pre-check.ts. */
  private validate(req: ExecuteRequest): Promise<ExecutionPlan> {
    const { accounts, clients, market, cache, clock, tradingRefusal } = this.deps;
    (req.accounts ?? accounts.map((a) => a.name)).forEach((name, i) => {
      const why = tradingRefusal?.(name);
      if (why)
        throw new AppError(
          'FORBIDDEN',
          `account ${name}: ${why}; nothing was placed`,
          req.accounts ? ['accounts', i] : ['accounts'],
        );
    });
    return preCheck(req, {
      accounts,
      clients,
      market,
      cache,
      clock,
      sem: this.sem,
      config: this.config,
      signal: this.closing.signal,
    });
  }

  /** Journals the intent (fsynced) before anything is sent; only then does the execution exist. */
  private async begin(req: ExecuteRequest | ActionRequest, hash: string, plan: Prepared): Promise<string> {
    const executionId = newExecutionId();
    const now = this.deps.clock.now();
    const result: ExecuteResult = {
      executionId,
      idempotencyKey: req.idempotencyKey,
      status: 'pending',
      symbol: plan.symbol,
      side: plan.side,
      orderType: plan.orderType,
      startedAt: now,
      finishedAt: null,
      adjustments: plan.adjustments,
      legs: plan.legs,
      recovery: null,
      ...(plan.action ? { action: plan.action } : {}),
    };
    try {
      await this.journal.append({
        v: 1,
        type: 'intent',
        at: now,
        executionId,
        idempotencyKey: req.idempotencyKey,
        requestHash: hash,
        request: req,
        result,
      });
    } catch (err) {
      // The intent is not durable (a full disk): nothing may be sent, and the key stays free (execute()).
      this.log.error({ err: String(err) }, 'journal write failed; execution refused');
      throw new AppError(
        'JOURNAL_UNAVAILABLE',
        `${err instanceof Error ? err.message : String(err)}; nothing was placed, and the same key can be sent again once the journal can be written`,
      );
    }
    this.byId.set(executionId, {
      result: structuredClone(result),
      requestHash: hash,
      finished: false,
      limitPrice: plan.limitPrice,
    });
    this.deps.bus.publish({ type: 'execution-started', at: now, executionId, symbol: plan.symbol, side: plan.side });
    this.log.info(
      { executionId, symbol: plan.symbol, side: plan.side, action: plan.action?.kind, legs: plan.legs },
      'execution started',
    );
    return executionId;
  }

  /**
   * Legs still unknown (lookups gave up) go on being looked up in the background until the exchange
   * answers; then the execution is finished and published like any other. A no-op when nothing is unknown.
   */
  private settleLater(executionId: string, note: string | null): void {
    const entry = this.byId.get(executionId);
    if (!entry || entry.finished) return;
    this.log.warn({ executionId }, 'legs of unknown outcome: looking them up again in the background');
    const settling = settleUnknownLegs({
      result: entry.result,
      limitPrice: entry.limitPrice,
      legDeps: (account) => this.legDeps(account),
      append: (r) => this.write(r),
      progressed: () =>
        this.deps.bus.publish({ type: 'execution-updated', at: this.deps.clock.now(), result: view(entry) }),
      clock: this.deps.clock,
      signal: this.closing.signal,
      log: this.log,
      backoff: this.config.relookup,
    }).then(() => this.finish(executionId, note));
    void this.track(settling).catch((err) => {
      if (!this.closing.signal.aborted) this.log.error({ err, executionId }, 'settling unknown legs failed');
    });
  }

  /** Final status, journaled, published; an alert (warning log + the event's status) unless complete. */
  private async finish(executionId: string, note: string | null): Promise<void> {
    const entry = this.byId.get(executionId)!;
    const r = entry.result;
    r.status = statusOf(r);
    if (r.status === 'pending') {
      this.log.error({ executionId, legs: r.legs }, 'execution left with legs of unknown outcome');
      return;
    }
    r.finishedAt = this.deps.clock.now();
    if (note !== null) r.recovery = { at: r.finishedAt, note };
    entry.finished = true;
    await this.write({ v: 1, type: 'finished', at: r.finishedAt, executionId, result: r });
    this.deps.bus.publish({ type: 'execution-finished', at: r.finishedAt, result: structuredClone(r) });
    const summary = r.legs.map((l) => `${l.account}:${l.status}`).join(' ');
    if (r.status === 'complete')
      this.log.info({ executionId, summary, recovered: note !== null }, 'execution complete');
    else
      this.log.warn(
        { executionId, status: r.status, summary, errors: r.legs.map((l) => l.error) },
        `execution ${r.status}`,
      );
    for (const leg of r.legs) if (isPlaced(leg)) this.deps.monitor.refreshAccount?.(leg.account);
  }

  /** Reads a market execution's fills back once it is answered (fills.ts); publishes what changed. */
  private async confirmFills(executionId: string): Promise<void> {
    const r = this.byId.get(executionId)?.result;
    if (!r) return;
    const changed = await readFillsBack(r, {
      clients: this.deps.clients,
      sem: this.sem,
      signal: this.closing.signal,
      append: (record) => this.write({ ...record, at: this.deps.clock.now() }),
      log: this.log,
    });
    if (changed)
      this.deps.bus.publish({ type: 'execution-updated', at: this.deps.clock.now(), result: structuredClone(r) });
  }

  /** Journal writes after orders went out never fail the execution: the orders stand either way. */
  private async write(record: Parameters<Journal['append']>[0]): Promise<void> {
    try {
      await this.journal.append(record);
    } catch (err) {
      this.log.error({ err, type: record.type, executionId: record.executionId }, 'journal write failed');
    }
  }
}
