import { z } from 'zod';

const Ttl = z.number().int().min(0).max(3_600_000);

/** How long each resource may be served from memory before a read goes to the exchange again. */
export const CacheTtlConfig = z
  .object({
    positions: Ttl.default(1_000),
    orders: Ttl.default(1_000),
    balances: Ttl.default(2_000),
    accounts: Ttl.default(60_000),
    /** Public tickers (instrument mark prices), shared by every account. */
    tickers: Ttl.default(1_000),
  })
  .strict();

export const CacheConfig = z
  .object({
    ttlMs: CacheTtlConfig.default(CacheTtlConfig.parse({})),
    /**
     * A `use_cache=false` read accepts data whose exchange call was issued at most this long before the
     * request arrived, so a burst of "fresh" requests joins the one call already in flight instead of each
     * starting its own. About one exchange round-trip: data from such a call is as of (roughly) the moment the
     * request arrived anyway.
     */
    freshJoinMs: z.number().int().min(0).max(5_000).default(250),
    /**
     * Refresh-ahead: a cached read of an entry whose remaining TTL is under this many times the recent exchange
     * calls' duration for it (a decaying peak) starts the next call in the background (at most half the TTL ahead), so a client
     * polling faster than the TTL is never held up by an expiry (an entry only the monitor
     * filled, with no timed call yet, refreshes from half its TTL). The data served stays within its TTL. 0: off.
     */
    refreshAheadFactor: z.number().min(0).max(10).default(1.5),
    /** Bound on cached (account, resource) slots; 50 accounts x 5 resources fit with room to spare. */
    maxEntries: z.number().int().min(16).max(100_000).default(1_000),
  })
  .strict();

export type CacheConfig = z.infer<typeof CacheConfig>;
export type CacheConfigInput = z.input<typeof CacheConfig>;
