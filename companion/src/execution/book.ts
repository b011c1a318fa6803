import type { ActionRequest, ExecuteRequest, ExecuteResult } from '@tierwatch/shared';
import { AppError } from '../core/app-error.ts';
import type { LoadedJournal, PastExecutions } from './journal/index.ts';

/**
 * Every execution the companion knows, by id and by idempotency key: this run's and the unfinished ones in
 * full (`entries`, live objects the money path updates), earlier runs' finished ones through the journal
 * (`past`: their keys in memory, their results read on demand). Reads only; the service does the sending.
 */

export interface Entry {
  result: ExecuteResult;
  requestHash: string;
  finished: boolean;
  /** The limit price the legs were sent with (null for market): a lookup's found order must carry it. */
  limitPrice: number | null;
}

/** The price a request's legs were sent at: an execution's limit price, an action's close-limit price. */
export function limitPriceOf(req: ExecuteRequest | ActionRequest): number | null {
  if ('action' in req) return req.action.kind === 'close-limit' ? req.action.price : null;
  return req.orderType === 'limit' ? (req.price ?? null) : null;
}

/** The execution's state as clients see it: a copy, never the live object. */
export const view = (e: Entry): ExecuteResult => structuredClone(e.result);

const conflict = (why = 'a different request') =>
  new AppError(
    'IDEMPOTENCY_CONFLICT',
    `this idempotency key was already used for ${why}; use a new key for a new order`,
    ['idempotencyKey'],
  );

export class ExecutionBook {
  readonly entries = new Map<string, Entry>();
  private readonly byKey = new Map<string, { hash: string; done: Promise<string> }>();

  constructor(private readonly past: PastExecutions) {}

  /** The journal's unfinished executions join this run's: recovery settles them. */
  static fromJournal(loaded: LoadedJournal): ExecutionBook {
    const book = new ExecutionBook(loaded.past);
    for (const [id, e] of loaded.unfinished) {
      const limitPrice = limitPriceOf(e.intent.request);
      book.entries.set(id, { result: e.result, requestHash: e.intent.requestHash, finished: false, limitPrice });
      book.byKey.set(e.intent.idempotencyKey, { hash: e.intent.requestHash, done: Promise.resolve(id) });
    }
    return book;
  }

  get(executionId: string): ExecuteResult | undefined {
    const e = this.entries.get(executionId);
    return e ? view(e) : this.past.result(executionId);
  }

  /** Newest first: this run's and the unfinished ones, and the newest of the journal's finished ones. */
  list(limit = 50): ExecuteResult[] {
    const current = [...this.entries.values()]
      .sort((a, b) => b.result.startedAt - a.result.startedAt)
      .slice(0, limit)
      .map(view);
    return [...current, ...this.past.newest(limit)].sort((a, b) => b.startedAt - a.startedAt).slice(0, limit);
  }

  /** The execution an idempotency key is bound to, from this run or an earlier one; a read, never a send. */
  byIdempotencyKey(key: string): ExecuteResult | undefined {
    // This run's executions are few (earlier runs' are in `past`, indexed by key): a scan is fine.
    const current = this.byKey.has(key)
      ? [...this.entries.values()].find((e) => e.result.idempotencyKey === key)
      : undefined;
    if (current) return view(current);
    const past = this.past.binding(key);
    return past ? this.past.result(past.executionId) : undefined;
  }

  /** Executions the journal holds without a final record (the companion stopped during them). */
  unfinished(): string[] {
    return [...this.entries.entries()].filter(([, e]) => !e.finished).map(([id]) => id);
  }

  /**
   * What a key already stands for: the result of its execution (joining one still running), or undefined
   * when the key is new. The same key with another body is a conflict, never a second execution.
   * Synchronous up to the answer, so a caller that gets undefined can bind the key before anything awaits.
   */
  bound(key: string, hash: string): Promise<ExecuteResult> | undefined {
    const known = this.byKey.get(key);
    if (known) {
      if (known.hash !== hash) throw conflict();
      return known.done.then((id) => view(this.entries.get(id)!));
    }
    const past = this.past.binding(key);
    if (!past) return undefined;
    if (past.requestHash !== hash) throw conflict();
    const r = this.past.result(past.executionId);
    if (r) return Promise.resolve(r);
    throw conflict(
      `execution ${past.executionId}, whose journal record cannot be read (${this.past.whyUnreadable(past.executionId)}); nothing was sent`,
    );
  }

  /** Binds a new key to its execution before anything awaits: a concurrent request with it joins. */
  bind(key: string, hash: string, done: Promise<string>): void {
    this.byKey.set(key, { hash, done });
  }

  /** Frees a key whose execution failed before its intent was journaled (nothing was sent). */
  unbind(key: string, done: Promise<string>): void {
    if (this.byKey.get(key)?.done === done) this.byKey.delete(key);
  }
}
