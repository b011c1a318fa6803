import { type GuardMode, TIERS, type Tier } from '@tierwatch/shared';
import { useEffect, useState } from 'preact/hooks';
import type { ConnectionStatus } from '../../utils/connection.ts';
import { formatAge, formatPnl } from '../../utils/display.ts';
import { accountDelay, type Freshness, liveLine } from '../../utils/freshness.ts';

/**
 * What a trader needs from the top line: is the glance live (the socket up and every account's exchange
 * data live), and if not, how old what it shows is. The monitor's call figures, the raw errors and the
 * execution guard's mode are for diagnosing the companion: Diagnostics.tsx.
 */
export function Header({
  status,
  freshness,
  receivedAt,
  guardMode,
  onDiagnostics,
}: {
  status: ConnectionStatus;
  freshness: Freshness;
  /** Server time of the newest snapshot or event received: the age shown while the socket is down. */
  receivedAt: number;
  guardMode: GuardMode;
  onDiagnostics: () => void;
}) {
  const now = useNow(1000);
  const line = liveLine(status.state, freshness, now);
  return (
    <header class="head">
      <span
        class={`conn is-${line.tone}`}
        data-testid="connection"
        data-state={status.state}
        data-live={line.live}
        title={line.live ? 'Connected, and every account’s exchange data is live' : undefined}
      >
        <span class="dot" aria-hidden="true" />
        {line.label}
      </span>
      {status.state !== 'open' && (
        <span class="fresh stale" data-testid="freshness" title="time of the newest data shown">
          data {formatAge(Math.max(0, now - receivedAt))}
        </span>
      )}
      {guardMode === 'critical-only' && (
        <span class="guard critical-only" data-testid="guard-busy" title="An execution is running">
          executing…
        </span>
      )}
      <button type="button" class="link diag" onClick={onDiagnostics} data-testid="open-diagnostics">
        Diagnostics
      </button>
    </header>
  );
}

/** Re-render every `ms` so ages count up between state pushes (null: no ticking, nothing counts up). */
export function useNow(ms: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (ms === null) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return ms === null ? Date.now() : now;
}

export function TierBar({
  counts,
  active,
  onPick,
}: {
  counts: Record<Tier, number>;
  active: Tier | null;
  onPick: (t: Tier) => void;
}) {
  const total = TIERS.reduce((n, t) => n + counts[t], 0);
  return (
    <fieldset class="tierbar" data-testid="tier-bar">
      <legend class="sr-only">Positions per tier</legend>
      {TIERS.map((t) => (
        <button
          type="button"
          key={t}
          class={`seg t-${t}${active === t ? ' active' : ''}${counts[t] === 0 ? ' zero' : ''}`}
          style={{ flexGrow: total ? Math.max(counts[t], total * 0.1) : 1 }}
          title={`${t}: ${counts[t]} — click to filter`}
          aria-pressed={active === t}
          onClick={() => onPick(t)}
          data-testid={`tier-count-${t}`}
          data-count={counts[t]}
        >
          <span class="n">{counts[t]}</span>
          <span class="l">{t.slice(0, 4)}</span>
        </button>
      ))}
    </fieldset>
  );
}

/**
 * Unrealised PnL per account, the line a trader compares against the exchange's own totals, with the age
 * of an account's data when it is not live (its PnL is as old as that).
 */
export function AccountTotals({
  totals,
  freshness,
  now,
}: {
  totals: { account: string; pnl: number; positions: number }[];
  freshness: Freshness;
  now: number;
}) {
  if (totals.length === 0) return null;
  return (
    <p class="totals" data-testid="account-totals">
      {totals.map((t, i) => {
        const delay = accountDelay(freshness[t.account], now);
        return (
          <span key={t.account} data-account={t.account} data-stale={delay !== null}>
            {i > 0 && ' · '}
            {t.account} <span class={t.pnl >= 0 ? 'up' : 'down'}>{formatPnl(t.pnl)}</span>
            <span class="muted"> ({t.positions})</span>
            {delay !== null && (
              <span class="acct-age" data-testid="account-age" title="age of this account’s data">
                {' '}
                {delay === 'no data yet' ? 'no data yet' : `${delay} old`}
              </span>
            )}
          </span>
        );
      })}
    </p>
  );
}
