import type { KeyFacts } from '../exchange/key-check.ts';

/**
 * What the companion makes of an account's API key, pure: the facts read from the exchange in
 * (exchange/key-check.ts reads them), a verdict out. `refuse` stops start-up (exit 2, the account named) and
 * `accounts add`; `warn` runs with the findings logged; a key that cannot trade is monitored only.
 */

/** Bybit's Wallet permissions that move money out of the account: the one kind of key never to hold. */
export const MONEY_MOVING = ['Withdraw', 'AccountTransfer', 'SubMemberTransfer'] as const;

export type Level = 'error' | 'warn' | 'info';
export interface Finding {
  level: Level;
  /** Stable, for the popup and tests: withdraw, transfer, read-only, no-ip-whitelist, expires, ... */
  code: string;
  text: string;
}

export interface Assessment {
  verdict: 'refuse' | 'warn' | 'ok';
  /** False: monitoring only, every execution and action on the account is refused. */
  canTrade: boolean;
  findings: Finding[];
  /** The key's expiry (epoch ms), for the running warning; null when it does not expire or is unknown. */
  expiresAt: number | null;
}

export interface AssessOptions {
  now: number;
  /** The loudly named override of accounts[i].allowWithdrawalKey: a money-moving key runs, flagged as an error. */
  allowWithdrawalKey: boolean;
  /** Bybit's receive window (ms): a request older than this is refused. Default 5000. */
  recvWindowMs?: number;
  /** Warn from this many days before the key expires. Default 7. */
  expiryWarnDays?: number;
}

const DAY = 86_400_000;
/** Bybit refuses a request stamped 1 s or more ahead of its clock. */
const AHEAD_LIMIT_MS = 1000;
/** Below this the clock is simply fine; above, it is worth saying before it reaches a limit. */
const SKEW_NOTE_MS = 500;

function skewText(ms: number): string {
  return `the clock is ${Math.abs(Math.round(ms))} ms ${ms >= 0 ? 'ahead of' : 'behind'} the exchange's`;
}

type Add = (level: Level, code: string, text: string) => void;
type KeyInfo = NonNullable<KeyFacts['key']>;

/** The clock against the exchange's: true when Bybit would refuse every request. */
function checkClock(skewMs: number, recvWindow: number, add: Add): boolean {
  if (skewMs >= AHEAD_LIMIT_MS || -skewMs >= recvWindow) {
    add(
      'error',
      'clock-skew',
      `${skewText(skewMs)}: Bybit refuses requests stamped ${AHEAD_LIMIT_MS} ms ahead or ${recvWindow} ms behind (the receive window); set the system clock (NTP)`,
    );
    return true;
  }
  if (Math.abs(skewMs) >= SKEW_NOTE_MS)
    add(
      'warn',
      'clock-skew',
      `${skewText(skewMs)} (Bybit refuses ${AHEAD_LIMIT_MS} ms ahead or ${recvWindow} ms behind)`,
    );
  else add('info', 'clock', `${skewText(skewMs)}`);
  return false;
}

/** What the key may do: money out refuses it (unless overridden), no orders makes it monitoring only. */
function checkPermissions(key: KeyInfo, allowWithdrawalKey: boolean, add: Add): { refuse: boolean; canTrade: boolean } {
  let refuse = false;
  let canTrade = true;
  const moving = key.wallet.filter((p) => (MONEY_MOVING as readonly string[]).includes(p));
  if (moving.length > 0) {
    const what = moving.includes('Withdraw') ? 'withdraw' : 'transfer';
    if (allowWithdrawalKey) {
      add(
        'error',
        what,
        `KEY CAN MOVE MONEY OUT (Wallet: ${moving.join(', ')}), running only because allowWithdrawalKey is set; replace it with a trade-only key`,
      );
    } else {
      refuse = true;
      add(
        'error',
        what,
        `the key can ${what} funds (Wallet: ${moving.join(', ')}); create a key with no Wallet permissions (Contract: Orders and Positions only)`,
      );
    }
  }
  if (key.readOnly || !key.contractTrade.includes('Order')) {
    canTrade = false;
    add(
      'warn',
      'read-only',
      key.readOnly
        ? 'read-only key: monitoring only, executions and actions on this account are refused'
        : 'the key cannot place orders (no Contract Orders permission): monitoring only',
    );
  } else if (!key.contractTrade.includes('Position')) {
    add('warn', 'no-position-permission', 'the key cannot set TP/SL or leverage (no Contract Positions permission)');
  }
  if (key.ips.length === 0 || key.ips.includes('*')) {
    add('warn', 'no-ip-whitelist', 'the key is not bound to IP addresses; anyone holding it can use it from anywhere');
  }
  return { refuse, canTrade };
}

/** The key's expiry: true when it has expired. */
function checkExpiry(expiresAt: number | null, opts: AssessOptions, add: Add): boolean {
  if (expiresAt === null) {
    add('info', 'expires', 'the key does not expire');
    return false;
  }
  const days = (expiresAt - opts.now) / DAY;
  const when = new Date(expiresAt).toISOString();
  if (days <= 0) {
    add('error', 'expired', `the key expired at ${when}; create a new one`);
    return true;
  }
  if (days <= (opts.expiryWarnDays ?? 7))
    add('warn', 'expires', `the key expires at ${when}, in ${days.toFixed(1)} days; renew it before then`);
  else add('info', 'expires', `the key expires at ${when}, in ${Math.floor(days)} days`);
  return false;
}

export function assessKey(facts: KeyFacts, opts: AssessOptions): Assessment {
  const findings: Finding[] = [];
  const add: Add = (level, code, text) => findings.push({ level, code, text });
  if (facts.unreachable !== null) {
    // Not refused: the monitor retries and shows the account's errors; the key is checked again next start.
    add('error', 'unreachable', `exchange not reachable (${facts.unreachable}); the key could not be checked`);
    return { verdict: 'warn', canTrade: false, findings, expiresAt: null };
  }
  let refuse = facts.skewMs !== null && checkClock(facts.skewMs, opts.recvWindowMs ?? 5000, add);
  if (facts.refused !== null) {
    add('error', 'key-refused', `the exchange refused the key (${facts.refused})`);
    return { verdict: 'refuse', canTrade: false, findings, expiresAt: null };
  }
  const key = facts.key;
  if (!key) {
    add('error', 'no-key-info', 'the key permissions could not be read (/v5/user/query-api)');
    return { verdict: 'refuse', canTrade: false, findings, expiresAt: null };
  }
  const permissions = checkPermissions(key, opts.allowWithdrawalKey, add);
  refuse ||= permissions.refuse;
  refuse = checkExpiry(key.expiresAt, opts, add) || refuse;
  if (!key.unified) add('warn', 'not-unified', 'not a unified trading account (UTA); the companion trades UTA only');
  else add('info', 'unified', 'unified trading account');
  if (facts.hedgeMode === true) {
    refuse = true;
    add(
      'error',
      'hedge-mode',
      'the account is in hedge mode (positionIdx 1/2), which the companion does not support yet; switch USDT perpetuals to one-way mode',
    );
  }
  const verdict = refuse ? 'refuse' : findings.some((f) => f.level !== 'info') ? 'warn' : 'ok';
  return { verdict, canTrade: permissions.canTrade && !refuse, findings, expiresAt: key.expiresAt };
}

/** One line per finding, the account named, for the terminal and exit-2 messages. */
export function describeAssessment(account: string, a: Assessment, levels: Level[] = ['error', 'warn']): string[] {
  return a.findings.filter((f) => levels.includes(f.level)).map((f) => `account ${account}: ${f.text}`);
}
