import { TIERS, type Tier, type TieredPosition } from '@tierwatch/shared';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ConnectionStatus } from '../../utils/connection.ts';
import { formatPct, formatPnl, formatPrice, formatQty, formatRate, formatReduction } from '../../utils/format.ts';
import { healthWarnings } from '../../utils/health.ts';
import { positionKey } from '../../utils/keys.ts';
import type { StreamState } from '../../utils/stream.ts';
import {
  DEFAULT_OPEN,
  type Family,
  type Filter,
  flagNotes,
  gaugePosition,
  groupByTier,
  PAGE_SIZE,
} from '../../utils/view.ts';
import { AlertControls } from './AlertControls.tsx';
import { AlertList } from './AlertList.tsx';

interface Props {
  status: ConnectionStatus;
  stream: StreamState;
  focus: string | null;
}

export function Monitor({ status, stream, focus }: Props) {
  const [filter, setFilter] = useState<Filter>({ text: '', tier: null });
  const [open, setOpen] = useState<Set<Tier>>(() => new Set(DEFAULT_OPEN));
  const [limits, setLimits] = useState<Partial<Record<Tier, number>>>({});
  const positions = useMemo(() => Object.values(stream.positions), [stream.positions]);
  const groups = useMemo(() => groupByTier(positions, stream.accounts, filter), [positions, stream.accounts, filter]);
  const ratios = useMemo(() => new Map(stream.accounts.map((a) => [a.name, a.mirrorRatio])), [stream.accounts]);
  const searching = filter.text.trim() !== '' || filter.tier !== null;

  // Focus from a notification: open its group, lift the row cap, scroll to it.
  const focusTier = focus
    ? groups.find((g) => g.families.some((f) => f.key === focus || f.mirrors.some((m) => positionKey(m) === focus)))
        ?.tier
    : undefined;
  useEffect(() => {
    if (!focus || !focusTier) return;
    setOpen((s) => new Set([...s, focusTier]));
    setLimits((l) => ({ ...l, [focusTier]: Number.POSITIVE_INFINITY }));
    requestAnimationFrame(() =>
      document.querySelector(`[data-key="${CSS.escape(focus)}"]`)?.scrollIntoView({ block: 'center' }),
    );
  }, [focus, focusTier]);

  const toggle = (tier: Tier) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(tier)) next.delete(tier);
      else next.add(tier);
      return next;
    });

  return (
    <>
      <Header status={status} stream={stream} />
      <TierBar
        counts={stream.tierCounts}
        active={filter.tier}
        onPick={(tier) => setFilter((f) => ({ ...f, tier: f.tier === tier ? null : tier }))}
      />
      <AccountHealth stream={stream} />
      <AlertList stream={stream} />
      <input
        class="filter"
        type="search"
        placeholder="Filter: symbol, account, side…"
        value={filter.text}
        onInput={(e) => setFilter((f) => ({ ...f, text: (e.target as HTMLInputElement).value }))}
        data-testid="filter"
      />
      {positions.length === 0 ? (
        <div class="state small" data-testid="state-empty">
          <p>
            No open positions on {stream.accounts.map((a) => a.name).join(', ') || 'any account'}. Open one from the{' '}
            <em>Trade</em> tab or on the exchange; it shows up here with its tier.
          </p>
        </div>
      ) : (
        <div class="groups" data-testid="tier-groups">
          {groups.map((g) => {
            if (g.families.length === 0) return null;
            const isOpen = searching || open.has(g.tier);
            const limit = limits[g.tier] ?? PAGE_SIZE;
            const shown = isOpen ? g.families.slice(0, limit) : [];
            return (
              <section class={`group t-${g.tier}`} key={g.tier} data-testid="tier-group" data-tier={g.tier}>
                <button type="button" class="group-head" aria-expanded={isOpen} onClick={() => toggle(g.tier)}>
                  <span class="tier-name">{g.tier}</span>
                  <span class="count" data-testid="tier-group-count">
                    {g.positions}
                  </span>
                  <span class="chev">{isOpen ? '▾' : '▸'}</span>
                </button>
                {shown.map((f) => (
                  <FamilyRows key={f.key} family={f} ratios={ratios} focus={focus} />
                ))}
                {isOpen && g.families.length > shown.length && (
                  <button
                    type="button"
                    class="show-more"
                    data-testid="show-more"
                    onClick={() => setLimits((l) => ({ ...l, [g.tier]: limit + PAGE_SIZE * 2 }))}
                  >
                    Show {Math.min(PAGE_SIZE * 2, g.families.length - shown.length)} more of{' '}
                    {g.families.length - shown.length}
                  </button>
                )}
              </section>
            );
          })}
          {searching && groups.every((g) => g.families.length === 0) && (
            <p class="muted pad" data-testid="no-match">
              Nothing matches the filter.
            </p>
          )}
        </div>
      )}
    </>
  );
}

function Header({ status, stream }: { status: ConnectionStatus; stream: StreamState }) {
  const s = stream.stats;
  return (
    <header class="head">
      <span class={`conn ${status.state}`} data-testid="connection" data-state={status.state}>
        <span class="dot" />
        {status.state === 'open' ? 'Live' : status.state}
      </span>
      <span
        class={`guard ${stream.guardMode}`}
        data-testid="guard-mode"
        data-mode={stream.guardMode}
        title="Execution guard"
      >
        {stream.guardMode === 'normal' ? 'guard: normal' : 'guard: CRITICAL-ONLY'}
      </span>
      <span class="stats" data-testid="stats" title={s ? `naive: ${formatRate(s.naiveCallsPerSec)} calls/s` : ''}>
        {s ? (
          <>
            <b>{formatRate(s.callsPerSec)}</b> calls/s · <b>{formatReduction(s.reductionVsNaive)}</b> fewer than naive
          </>
        ) : (
          'no monitor stats yet'
        )}
      </span>
    </header>
  );
}

function TierBar({
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
    <fieldset class="tierbar" data-testid="tier-bar" aria-label="Positions per tier">
      {TIERS.map((t) => (
        <button
          type="button"
          key={t}
          class={`seg t-${t}${active === t ? ' active' : ''}${counts[t] === 0 ? ' zero' : ''}`}
          style={{ flexGrow: total ? Math.max(counts[t], total * 0.06) : 1 }}
          title={`${t}: ${counts[t]} — click to filter`}
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

/** Accounts whose reads are failing: their rows are only as fresh as the last good read. */
function AccountHealth({ stream }: { stream: StreamState }) {
  const warnings = healthWarnings(stream.stats, Date.now());
  if (warnings.length === 0) return null;
  return (
    <ul class="alerts" data-testid="account-health">
      {warnings.map((w) => (
        <li key={w.message} class={`alert ${w.severity}`} data-account={w.account}>
          {w.message}
        </li>
      ))}
    </ul>
  );
}

function FamilyRows({ family, ratios, focus }: { family: Family; ratios: Map<string, number>; focus: string | null }) {
  return (
    <div class="family">
      <Row p={family.main} focus={focus} />
      <AlertControls family={family.key} />
      {family.mirrors.map((m) => (
        <Row key={m.account} p={m} focus={focus} mirrorRatio={ratios.get(m.account) ?? null} />
      ))}
    </div>
  );
}

function Row({ p, focus, mirrorRatio }: { p: TieredPosition; focus: string | null; mirrorRatio?: number | null }) {
  const key = positionKey(p);
  const mirror = mirrorRatio !== undefined;
  const notes = flagNotes(p);
  return (
    <div
      class={`pos t-${p.tier}${mirror ? ' mirror' : ''}${focus === key ? ' focused' : ''}`}
      data-testid="position-row"
      data-key={key}
      data-tier={p.tier}
    >
      <div class="line">
        <span class="sym">{mirror ? `↳ ${p.account}` : p.symbol}</span>
        <span class={`side ${p.side}`}>{p.side}</span>
        <span class="size" title="size">
          {formatQty(p.size)}
        </span>
        <span class={`pnl ${p.unrealisedPnl >= 0 ? 'up' : 'down'}`} title="unrealised PnL">
          {formatPnl(p.unrealisedPnl)}
        </span>
        <span class="acct" title="account">
          {mirror ? `×${mirrorRatio ?? '?'}` : p.account}
        </span>
      </div>
      <Gauge p={p} />
      {notes.length > 0 && (
        <div class="flags" data-testid="position-flags">
          {notes.join(' · ')}
        </div>
      )}
    </div>
  );
}

function Gauge({ p }: { p: TieredPosition }) {
  const at = gaugePosition(p);
  return (
    <div
      class="gauge"
      title={`mark ${formatPrice(p.markPrice)} · SL ${formatPrice(p.stopLoss)} · TP ${formatPrice(p.takeProfit)}`}
    >
      <span class="gl sl">{p.stopLoss === null ? 'no SL' : `SL ${formatPct(p.distanceToSlPct)}`}</span>
      <span class={`bar${at === null ? ' none' : ''}`}>
        {at !== null && <i style={{ left: `${(at * 100).toFixed(1)}%` }} />}
      </span>
      <span class="gl tp">{p.takeProfit === null ? 'no TP' : `TP ${formatPct(p.distanceToTpPct)}`}</span>
    </div>
  );
}
