import { z } from 'zod';

/** The execution guard's section of the companion config (`execution:`). Every field has a default. */
export const ExecutionConfig = z
  .object({
    /** Exchange calls one execution (or several together) may have in flight at once, on the top lane. */
    concurrency: z.number().int().min(1).max(500).default(50),
    /** Normal monitoring is restored after this long even if an execution hangs (the seed's 3 minutes). */
    timeoutMs: z.number().int().positive().max(3_600_000).default(180_000),
    /** The journal's file name inside the data dir. */
    journalFile: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, 'a plain file name (no directories)')
      .default('executions.jsonl'),
    /**
     * Finished executions older than this are dropped when the journal is compacted at start, and their
     * idempotency keys forgotten (a client retries a lost answer within seconds; this is the history kept).
     */
    journalRetentionDays: z.number().int().min(1).max(3650).default(30),
    /**
     * How long after an order was sent the exchange may still accept it: Bybit refuses a signed request
     * older than its recv_window (5 s) plus a margin. A lookup that finds nothing is only trusted after it.
     */
    settleMs: z.number().int().min(0).max(120_000).default(7_000),
    /**
     * A leg whose lookups gave up (the exchange did not answer them past the settle window) is looked up
     * again in the background, first after `firstMs`, the wait doubling up to `maxMs`, until it is known.
     */
    relookup: z
      .object({
        firstMs: z.number().int().min(1).max(600_000).default(1_000),
        maxMs: z.number().int().min(1).max(3_600_000).default(30_000),
      })
      .strict()
      .default({ firstMs: 1_000, maxMs: 30_000 }),
    /** Leverage assumed by the balance pre-check (margin = notional / leverage); the exchange has the last word. */
    leverage: z.number().min(1).max(125).default(10),
    /** Taker fee added to the margin the balance pre-check asks for. */
    feeRate: z.number().min(0).max(0.01).default(0.00055),
    /**
     * The pre-check may use balances the API read this recently (the trade form reads them when the trader
     * reviews the order) instead of a round trip; executions drop them, and the exchange has the last word.
     * 0 always reads fresh.
     */
    balanceMaxAgeMs: z.number().int().min(0).max(60_000).default(10_000),
    /** Likewise for the mark price used to check TP/SL sides and margin of a market order. */
    markMaxAgeMs: z.number().int().min(0).max(10_000).default(3_000),
  })
  .strict();
export type ExecutionConfig = z.infer<typeof ExecutionConfig>;
export type ExecutionConfigInput = z.input<typeof ExecutionConfig>;
