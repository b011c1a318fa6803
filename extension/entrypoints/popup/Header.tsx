import { type GuardMode, TIERS, type Tier } from '@tierwatch/shared';
import { useEffect, useState } from 'preact/hooks';
import type { ConnectionStatus } from '../../utils/connection.ts';
import { formatAge, formatPnl } from '../../utils/display.ts';

/**
 * What a trader needs from the top line: is the glance live, and how old is what it shows. The monitor's
 * call figures and the execution guard's mode are for diagnosing the companion: Diagnostics.tsx.
 */
export function Header({
  status,
  dataAt,
  guardMode,
  onDiagnostics,
}: {
  status: ConnectionStatus;
  /** The newest data shown: the last event or snapshot, or the last read of the monitor's figures. */
  dataAt: number;
  guardMode: GuardMode;
  onDiagnostics: () => void;
}) {
  const now = useNow(1000);
  const age = Math.max(0, now - dataAt);
  const stale = status.state !== 'open' || age > 15_000;
  return (
    <header class="head">
      <span class={`conn ${status.state}`} data-testid="connection" data-state={status.state}>
        <span class="dot" aria-hidden="true" />
        {status.state === 'open' ? 'Live' : status.state}
      </span>
      <span class={`fresh${stale ? ' stale' : ''}`} data-testid="freshness" title="time of the newest data">
        data {formatAge(age)}
      </span>
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

/** Re-render every `ms` so ages count up between state pushes. */
export function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
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

/** Unrealised PnL per account, the line a trader compares against the exchange's own totals. */
export function AccountTotals({ totals }: { totals: { account: string; pnl: number; positions: number }[] }) {
  if (totals.length === 0) return null;
  return (
    <p class="totals" data-testid="account-totals">
      {totals.map((t, i) => (
        <span key={t.account}>
          {i > 0 && ' · '}
          {t.account} <span class={t.pnl >= 0 ? 'up' : 'down'}>{formatPnl(t.pnl)}</span>
          <span class="muted"> ({t.positions})</span>
        </span>
      ))}
    </p>
  );
}
