import type { StreamState } from '@tierwatch/shared';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ConnectionStatus } from '../../utils/connection.ts';
import { accountProblems, type Freshness, staleMark } from '../../utils/freshness.ts';
import { healthWarnings } from '../../utils/health.ts';
import {
  type Filter,
  groupByTier,
  PAGE_SIZE,
  pnlByAccount,
  type SortKey,
  type TierGroup as TierGroupT,
} from '../../utils/view.ts';
import { AlertList } from './AlertList.tsx';
import { CloseAllShown } from './CloseAllShown.tsx';
import { Detail } from './Detail.tsx';
import { Diagnostics } from './Diagnostics.tsx';
import { AccountTotals, Header, TierBar, useNow } from './Header.tsx';
import { ListTools } from './ListTools.tsx';
import { TierGroup } from './TierGroup.tsx';
import { useTierSections } from './useTierSections.ts';

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
  // The stream is the view: every positions-updated the background applied is pushed here as it comes.
  const positions = useMemo(() => Object.values(stream.positions), [stream.positions]);
  // Ages count up only while some account's data is not live (nothing else on the list moves by itself).
  const anyStale = Object.values(stream.freshness).some((f) => f.status !== 'live');
  const now = useNow(anyStale ? 1000 : null);
  const groups = useMemo(
    () => groupByTier(positions, stream.accounts, filter, sort),
    [positions, stream.accounts, filter, sort],
  );
  const totals = useMemo(() => pnlByAccount(positions), [positions]);
  const searching = filter.text.trim() !== '' || filter.tier !== null;
  const sections = useTierSections(groups, focus);
  // A new focus (a notification's click) shows the list, wherever the trader was.
  useEffect(() => {
    if (focus) setView({ kind: 'list' });
  }, [focus]);

  const list = () => setView({ kind: 'list' });
  if (view.kind === 'diagnostics') return <Diagnostics stream={stream} onBack={list} />;
  if (view.kind === 'detail') return <Detail stream={stream} keyOf={view.key} onBack={list} />;

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
      <ListTools filter={filter} onText={(text) => setFilter((f) => ({ ...f, text }))} sort={sort} onSort={setSort} />
      {searching && <CloseAllShown families={groups.flatMap((g) => g.families)} />}
      {positions.length === 0 ? (
        <NoPositions stream={stream} />
      ) : (
        <div class="groups" data-testid="tier-groups">
          <Groups
            stream={stream}
            groups={groups}
            searching={searching}
            sections={sections}
            focus={focus}
            now={now}
            onOpen={(key) => setView({ kind: 'detail', key })}
          />
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

/** Each tier that has rows, open while searching or as the trader left it. */
function Groups(props: {
  stream: StreamState;
  groups: TierGroupT[];
  searching: boolean;
  sections: ReturnType<typeof useTierSections>;
  focus: string | null;
  now: number;
  onOpen: (key: string) => void;
}) {
  const { stream, sections, now } = props;
  const ratios = useMemo(() => new Map(stream.accounts.map((a) => [a.name, a.mirrorRatio])), [stream.accounts]);
  const staleOf = (account: string) => staleMark(account, stream.freshness, now);
  return (
    <>
      {props.groups.map((g) =>
        g.families.length === 0 ? null : (
          <TierGroup
            key={g.tier}
            group={g}
            isOpen={props.searching || sections.open.has(g.tier)}
            limit={sections.limits[g.tier] ?? PAGE_SIZE}
            onToggle={sections.toggle}
            onMore={sections.setLimit}
            ratios={ratios}
            focus={props.focus}
            onOpen={props.onOpen}
            staleOf={staleOf}
          />
        ),
      )}
    </>
  );
}

function NoPositions({ stream }: { stream: StreamState }) {
  return (
    <div class="state small" data-testid="state-empty">
      <p>
        No open positions on {stream.accounts.map((a) => a.name).join(', ') || 'any account'}. Open one from the{' '}
        <em>Trade</em> tab or on the exchange; it shows up here with its tier.
      </p>
    </div>
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
