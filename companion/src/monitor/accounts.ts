import type { AccountHealth } from '@tierwatch/shared';
import type { AccountClient } from '../exchange/types.ts';
import type { SchedAccount } from './scheduler.ts';

/** What the read API says about one account's reads: a failing account is visible here and in stats. */
export type { AccountHealth };

/** The monitor's per-account bookkeeping: scheduling marks, health, pending mirror checks. */
export interface AccountState extends SchedAccount, AccountHealth {
  client: AccountClient;
  /** Mirror checks waiting for a read of this (mirror) account that started after `since`. */
  mirrorChecks: { main: string; symbol: string; side: 'long' | 'short'; since: number }[];
}

export function newAccountState(client: AccountClient): AccountState {
  const name = client.account.name;
  return {
    client,
    name,
    account: name,
    stateReqAt: Number.NEGATIVE_INFINITY,
    ordersReqAt: Number.NEGATIVE_INFINITY,
    stateInFlight: false,
    ordersInFlight: false,
    confirm: false,
    lastReadAt: null,
    failures: 0,
    consecutiveFailures: 0,
    lastError: null,
    mirrorChecks: [],
  };
}

export const health = ({
  account,
  lastReadAt,
  failures,
  consecutiveFailures,
  lastError,
}: AccountState): AccountHealth => ({
  account,
  lastReadAt,
  failures,
  consecutiveFailures,
  lastError,
});
