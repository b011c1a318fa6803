import type { GuardMode } from '@tierwatch/shared';
import type { Logger } from '../core/logger.ts';
import type { AccountState } from './accounts.ts';
import { type BudgetDecision, checkBudget } from './budget.ts';
import type { MonitorConfig } from './config.ts';
import type { PositionBook } from './position-book.ts';
import { selectProfile } from './profiles.ts';
import { type Plan, planTick, summarize } from './scheduler.ts';
import { planWithStreams } from './source.ts';
import type { StreamFeed } from './streams.ts';

/**
 * Each tick's plan from what the monitor holds now: the budget check (budget.ts) picks the intervals for
 * the current load, then the scheduler (scheduler.ts, or source.ts while streams serve) says what falls due.
 * Keeps the latest decision: the stats report its intervals and whether they were stretched.
 */
export class Planner {
  budget: BudgetDecision;

  constructor(
    private readonly config: MonitorConfig,
    private readonly log: Logger,
    private readonly book: PositionBook,
    private readonly accounts: Map<string, AccountState>,
    private readonly feed: StreamFeed | null,
  ) {
    this.budget = this.decide().decision;
  }

  plan(now: number, mode: GuardMode): Plan {
    const { load, decision } = this.decide();
    if (decision.stretched !== this.budget.stretched || decision.intervals.profile !== this.budget.intervals.profile) {
      this.log.info(
        { profile: decision.intervals.profile, stretched: decision.stretched, stretch: decision.intervals.stretch },
        'monitor intervals changed',
      );
    }
    this.budget = decision;
    const input = {
      now,
      mode,
      slackMs: this.config.slackMs,
      confirmMinGapMs: this.config.confirmMinGapMs,
      tickerScope: this.config.tickerScope,
      intervals: decision.intervals,
      entries: this.book.entries.values(),
      accounts: [...this.accounts.values()],
    };
    if (!this.feed) return planTick(input, load.byAccount);
    return planWithStreams({ ...input, entries: [...input.entries] }, load.byAccount, {
      publicStreaming: this.feed.publicStreaming(),
      publicPolledSince: this.feed.publicPolledSince(),
      streaming: this.feed.streamingAccounts(),
      reconcileMs: this.config.reconcileIntervalMs,
    });
  }

  private decide() {
    const load = summarize(this.book.entries.values(), [...this.accounts.keys()]);
    const profile = selectProfile(this.config.profiles, this.book.entries.size);
    return { load, decision: checkBudget(load, profile, this.config) };
  }
}
