import type { ExchangeMode } from '@tierwatch/shared';
import type { CompanionConfig } from '../config/index.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { readKeyFacts } from '../exchange/key-check.ts';
import { type Assessment, assessKey, describeAssessment } from './assess.ts';

/**
 * The account check as start-up and `accounts check` run it: read each account's key facts (in parallel),
 * assess them, log every finding at its level. Paper accounts of the embedded exchange are not checked:
 * the companion made their keys itself.
 */

export interface CheckTarget {
  account: string;
  /** Its index in the config's accounts, to name the override setting. */
  index: number;
  mode: ExchangeMode;
  baseUrl?: string;
  apiKey: string;
  secret: string;
  allowWithdrawalKey: boolean;
}

export interface AccountCheck {
  account: string;
  index: number;
  assessment: Assessment;
}

export async function checkAccounts(
  targets: readonly CheckTarget[],
  opts: { clock: Clock; timeoutMs: number; logger?: Logger; expiryWarnDays?: number },
): Promise<AccountCheck[]> {
  return Promise.all(
    targets.map(async (t) => {
      const facts = await readKeyFacts({ ...t, timeoutMs: opts.timeoutMs }, opts.clock);
      const assessment = assessKey(facts, {
        now: opts.clock.now(),
        allowWithdrawalKey: t.allowWithdrawalKey,
        expiryWarnDays: opts.expiryWarnDays,
      });
      for (const f of assessment.findings) opts.logger?.[f.level]({ account: t.account, check: f.code }, f.text);
      return { account: t.account, index: t.index, assessment };
    }),
  );
}

/** The exit-2 message for the refused accounts, each named with why and what to do; null when none is. */
export function refusalMessage(checks: readonly AccountCheck[]): string | null {
  const refused = checks.filter((c) => c.assessment.verdict === 'refuse');
  if (refused.length === 0) return null;
  const lines = refused.flatMap((c) => {
    const out = describeAssessment(c.account, {
      ...c.assessment,
      findings: c.assessment.findings.filter((f) => f.level === 'error'),
    });
    if (c.assessment.findings.some((f) => f.code === 'withdraw' || f.code === 'transfer'))
      out.push(
        `  (to run with it anyway, set accounts.${c.index}.allowWithdrawalKey = true; every start will say so as an error)`,
      );
    return out;
  });
  return `refused ${refused.map((c) => c.account).join(', ')}:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

/** The accounts whose keys the trader gave (every one but the embedded paper exchange's). */
export function checkTargets(
  config: CompanionConfig,
  setups: readonly { account: { name: string }; credentials: { apiKey: string; secret: string } }[],
): CheckTarget[] {
  return setups.flatMap((s, index) => {
    const cfg = config.accounts[index]!;
    if (cfg.mode === 'paper' && !cfg.baseUrl) return [];
    return [
      {
        account: s.account.name,
        index,
        mode: cfg.mode,
        baseUrl: cfg.baseUrl,
        apiKey: s.credentials.apiKey,
        secret: s.credentials.secret,
        allowWithdrawalKey: cfg.allowWithdrawalKey,
      },
    ];
  });
}
