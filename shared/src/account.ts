import { z } from 'zod';
import { AccountName } from './primitives.ts';

export const AccountRole = z.enum(['main', 'mirror']);
export const ExchangeMode = z.enum(['paper', 'testnet', 'demo', 'live']);

/** What the extension may know of an account: never keys or secrets. */
export const Account = z.object({
  name: AccountName,
  role: AccountRole,
  /** The main account a mirror follows; null for the main account. */
  mirrorOf: AccountName.nullable(),
  /** Size of a mirror leg relative to the main leg (main: 1). */
  mirrorRatio: z.number().positive().max(100),
  exchange: z.literal('bybit'),
  mode: ExchangeMode,
});
export type Account = z.infer<typeof Account>;
export type AccountRole = z.infer<typeof AccountRole>;
export type ExchangeMode = z.infer<typeof ExchangeMode>;
