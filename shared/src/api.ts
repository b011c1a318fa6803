import { z } from 'zod';
import { Account } from './account.ts';
import { ExecuteResult, ProtocolError } from './execute.ts';
import { AccountName, EpochMs } from './primitives.ts';
import { Balance, InstrumentInfo, Order, TieredPosition } from './trading.ts';

/** `use_cache` accepts true/false/1/0 in any case. */
export const BooleanParam = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0']))
  .transform((s) => s === 'true' || s === '1');

export const TradingQuery = z
  .object({
    account_name: AccountName.optional(),
    use_cache: BooleanParam.optional(),
  })
  .strict();
export type TradingQuery = z.infer<typeof TradingQuery>;

/** Per-account outcome of one fan-out read: which data is there, how fresh, or why it is missing. */
export const AccountFetch = z.object({
  account: AccountName,
  fetchedAt: EpochMs.nullable(),
  cached: z.boolean(),
  error: ProtocolError.nullable(),
});
export type AccountFetch = z.infer<typeof AccountFetch>;

const listResponse = <T extends z.ZodTypeAny>(item: T) =>
  z.object({
    /** The oldest data in the response. */
    fetchedAt: EpochMs,
    data: z.array(item),
    accounts: z.array(AccountFetch),
  });

export const AccountsResponse = z.object({ fetchedAt: EpochMs, data: z.array(Account) });
export const PositionsResponse = listResponse(TieredPosition);
export const OrdersResponse = listResponse(Order);
export const BalancesResponse = listResponse(Balance);
export const SnapshotResponse = z.object({
  fetchedAt: EpochMs,
  accounts: z.array(Account),
  positions: z.array(TieredPosition),
  orders: z.array(Order),
  balances: z.array(Balance),
  fetches: z.object({
    positions: z.array(AccountFetch),
    orders: z.array(AccountFetch),
    balances: z.array(AccountFetch),
  }),
});
export type AccountsResponse = z.infer<typeof AccountsResponse>;
export type PositionsResponse = z.infer<typeof PositionsResponse>;
export type OrdersResponse = z.infer<typeof OrdersResponse>;
export type BalancesResponse = z.infer<typeof BalancesResponse>;
export type SnapshotResponse = z.infer<typeof SnapshotResponse>;

/**
 * GET /api/v1/monitor/positions: the monitor's own picture, from memory (no exchange call): every held
 * position at the freshest mark the monitor has seen, with its tier. `at` is when it was served.
 */
export const MonitorPositionsResponse = z.object({ at: EpochMs, data: z.array(TieredPosition) });
export type MonitorPositionsResponse = z.infer<typeof MonitorPositionsResponse>;

/** Body of every error response. `path` names the offending field when there is one. */
export const ErrorBody = z.object({
  error: ProtocolError.extend({ path: z.array(z.union([z.string(), z.number()])).optional() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const HealthResponse = z.object({
  status: z.literal('ok'),
  version: z.string(),
  uptimeS: z.number().nonnegative(),
});
export type HealthResponse = z.infer<typeof HealthResponse>;

export const InstrumentsResponse = z.object({ fetchedAt: EpochMs, data: z.array(InstrumentInfo) });
export type InstrumentsResponse = z.infer<typeof InstrumentsResponse>;

/** GET /executions: newest first; `?key=` narrows it to the execution of one idempotency key (zero or one). */
export const ExecutionsResponse = z.object({ data: z.array(ExecuteResult) });
export type ExecutionsResponse = z.infer<typeof ExecutionsResponse>;
