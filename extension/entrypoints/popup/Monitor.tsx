import { positionKey, type StreamState, type Tier } from '@tierwatch/shared';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ConnectionStatus } from '../../utils/connection.ts';
import { formatPnl } from '../../utils/display.ts';
import { accountProblems, type Freshness, staleMark } from '../../utils/freshness.ts';
import { healthWarnings } from '../../utils/health.ts';
import {
  DEFAULT_OPEN,
  type Filter,
  groupByTier,
  PAGE_SIZE,
  pnlByAccount,
  SORT_LABELS,
  type SortKey,
} from '../../utils/view.ts';
import { AlertList } from './AlertList.tsx';
import { CloseAllShown } from './CloseAllShown.tsx';
import { Detail } from './Detail.tsx';
import { Diagnostics } from './Diagnostics.tsx';
import { AccountTotals, Header, TierBar, useNow } from './Header.tsx';
import { FamilyRows } from './Rows.tsx';

interface Props {
  status: ConnectionStatus;
  stream: StreamState;
  focus: string | null;
}

type View = { kind: 'list' } | { kind: 'diagnostics' } | { kind: 'detail'; key: string };

export function Monitor({ status, stream, focus }: Props) {
  const [view, setView] = useState<View>({ kind: 'list' });
  const [sort, setSort] = useState<SortKey>('urgency');
  const [filter, setFilter] = useState<Filter>({ text: '', tier: null });
  const [open, setOpen] = useState<Set<Tier>>(() => new Set(DEFAULT_OPEN));
  const [limits, setLimits] = useState<Partial<Record<Tier, number>>>({});
  // The stream is the view: every positions-updated the background applied is pushed here as it comes.
  const positions = useMemo(() => Object.values(stream.positions), [stream.positions]);
  // Ages count up only while some account's data is not live (nothing else on the list moves by itself).
  const anyStale = Object.values(stream.freshness).some((f) => f.status !== 'live');
  const now = useNow(anyStale ? 1000 : null);
  const staleOf = (account: string) => staleMark(account, stream.freshness, now);
  const groups = useMemo(
    () => groupByTier(positions, stream.accounts, filter, sort),
    [positions, stream.accounts, filter, sort],
  );
  const totals = useMemo(() => pnlByAccount(positions), [positions]);
  const ratios = useMemo(() => new Map(stream.accounts.map((a) => [a.name, a.mirrorRatio])), [stream.accounts]);
  const searching = filter.text.trim() !== '' || filter.tier !== null;

  // Focus from a notification: open its group, lift the row cap, scroll to it.
  const focusTier = focus
    ? groups.find((g) => g.families.some((f) => f.key === focus || f.mirrors.some((m) => positionKey(m) === focus)))
        ?.tier
    : undefined;
  // A new focus (a notification's click) shows the list, wherever the trader was.
  useEffect(() => {
    if (focus) setView({ kind: 'list' });
  }, [focus]);
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

  const list = () => setView({ kind: 'list' });
  if (view.kind === 'diagnostics') return <Diagnostics stream={stream} onBack={list} />;
  if (view.kind === 'detail') return <Detail stream={stream} keyOf={view.key} onBack={list} />;
  const openDetail = (key: string) => setView({ kind: 'detail', key });

  return (
    <>
      <Header
        status={status}
        freshness={stream.freshness}
        receivedAt={stream.at}
        guardMode={stream.guardMode}
        onDiagnostics={() => setView({ kind: 'diagnostics' })}
      />
      <TierBar
        counts={stream.tierCounts}
        active={filter.tier}
        onPick={(tier) => setFilter((f) => ({ ...f, tier: f.tier === tier ? null : tier }))}
      />
      <AccountTotals totals={totals} freshness={stream.freshness} now={now} />
      <AccountHealth stream={stream} now={now} />
      <AlertList stream={stream} />
      <div class="tools">
        <input
          class="filter"
          type="search"
          placeholder="Filter: symbol, account, side…"
          aria-label="Filter positions"
          value={filter.text}
          onInput={(e) => setFilter((f) => ({ ...f, text: (e.target as HTMLInputElement).value }))}
          data-testid="filter"
        />
        <label class="sort">
          <span class="sr-only">Sort each tier by</span>
          <select
            value={sort}
            onChange={(e) => setSort((e.target as HTMLSelectElement).value as SortKey)}
            data-testid="sort"
          >
            {(Object.keys(SORT_LABELS) as SortKey[]).map((k) => (
              <option key={k} value={k}>
                {SORT_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {searching && <CloseAllShown families={groups.flatMap((g) => g.families)} />}
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
                  <span
                    class={`gpnl ${g.pnl >= 0 ? 'up' : 'down'}`}
                    data-testid="tier-group-pnl"
                    title="unrealised PnL"
                  >
                    {formatPnl(g.pnl)}
                  </span>
                  <span class="chev" aria-hidden="true">
                    {isOpen ? '▾' : '▸'}
                  </span>
                </button>
                {shown.map((f) => (
                  <FamilyRows
                    key={f.key}
                    family={f}
                    ratios={ratios}
                    focus={focus}
                    onOpen={openDetail}
                    staleOf={staleOf}
                  />
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

/**
 * Accounts whose data is not live, in the companion's words with the rows' age (freshness.ts), and key
 * warnings; the raw errors are in Diagnostics.
 */
function AccountHealth({ stream, now }: { stream: StreamState; now: number }) {
  const fresh: Freshness = stream.freshness;
  const warnings = [...accountProblems(fresh, now), ...healthWarnings(stream.stats, now, new Set(Object.keys(fresh)))];
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
