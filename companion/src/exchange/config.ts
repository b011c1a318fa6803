import { z } from 'zod';

const Limit = z.object({ max: z.number().int().positive(), windowMs: z.number().int().positive() }).strict();
const limit = (max: number, windowMs: number) => Limit.default({ max, windowMs });

/** The exchange layer's section of the companion config: Bybit's documented caps as defaults. */
export const ExchangeConfig = z
  .object({
    /** Fraction of the exchange's caps the companion uses (headroom for clock skew and other tools). */
    budgetShare: z.number().gt(0).max(1).default(0.9),
    /** Per IP, shared by every account (Bybit: 600 requests per 5 s). */
    ipLimit: limit(600, 5000),
    /** Per account and endpoint group (Bybit v5: 50/s reads, 10/s order create and trading-stop). */
    accountLimits: z
      .object({
        positionRead: limit(50, 1000),
        orderRead: limit(50, 1000),
        accountRead: limit(50, 1000),
        orderWrite: limit(10, 1000),
        tradingStop: limit(10, 1000),
      })
      .strict()
      .default({
        positionRead: { max: 50, windowMs: 1000 },
        orderRead: { max: 50, windowMs: 1000 },
        accountRead: { max: 50, windowMs: 1000 },
        orderWrite: { max: 10, windowMs: 1000 },
        tradingStop: { max: 10, windowMs: 1000 },
      }),
    maxInFlight: z.number().int().positive().max(1000).default(64),
    /** Per HTTP request to the exchange. */
    timeoutMs: z.number().int().positive().max(120_000).default(10_000),
    /** Retries for retryable reads (never for order placement without a lookup first). */
    retry: z
      .object({
        attempts: z.number().int().min(0).max(10).default(2),
        baseMs: z.number().int().positive().default(100),
        maxMs: z.number().int().positive().default(2000),
      })
      .strict()
      .default({ attempts: 2, baseMs: 100, maxMs: 2000 }),
    /** The WebSocket streams (ccxt pro): keep-alive, staleness, reconnect backoff. */
    streams: z
      .object({
        /** Ping interval; two missed pongs close the connection (then it reconnects). */
        pingMs: z.number().int().positive().default(250),
        /** No frame (push, ack, pong) for this long: the stream is stale and the monitor polls instead. */
        staleMs: z.number().int().positive().default(600),
        /** A new connection whose subscriptions are not confirmed this long after it opened is reopened. */
        subscribeTimeoutMs: z.number().int().positive().default(1500),
        backoffMinMs: z.number().int().positive().default(200),
        backoffMaxMs: z.number().int().positive().default(2000),
        /**
         * A fill heard without its position row for this long is a lost position push (stream-sequence.ts):
         * the account is reconciled by REST at once. Bybit sends both within milliseconds.
         */
        gapWaitMs: z.number().int().positive().default(400),
        /** Bybit's cap on one connection's subscription args, in characters. */
        maxArgsChars: z.number().int().positive().default(21_000),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type ExchangeConfig = z.infer<typeof ExchangeConfig>;
