import type { Tier } from '@tierwatch/shared';
import { formatPnl } from '../../utils/display.ts';
import { type TierGroup as Group, PAGE_SIZE } from '../../utils/view.ts';
import { FamilyRows } from './Rows.tsx';

/** One tier's section of the list: its head (count, PnL, open or not) and its first rows, with "show more". */
export function TierGroup({
  group: g,
  isOpen,
  limit,
  onToggle,
  onMore,
  ratios,
  focus,
  onOpen,
  staleOf,
}: {
  group: Group;
  isOpen: boolean;
  limit: number;
  onToggle: (tier: Tier) => void;
  onMore: (tier: Tier, limit: number) => void;
  ratios: Map<string, number>;
  focus: string | null;
  onOpen: (key: string) => void;
  staleOf: (account: string) => string | null;
}) {
  const shown = isOpen ? g.families.slice(0, limit) : [];
  return (
    <section class={`group t-${g.tier}`} data-testid="tier-group" data-tier={g.tier}>
      <button type="button" class="group-head" aria-expanded={isOpen} onClick={() => onToggle(g.tier)}>
        <span class="tier-name">{g.tier}</span>
        <span class="count" data-testid="tier-group-count">
          {g.positions}
        </span>
        <span class={`gpnl ${g.pnl >= 0 ? 'up' : 'down'}`} data-testid="tier-group-pnl" title="unrealised PnL">
          {formatPnl(g.pnl)}
        </span>
        <span class="chev" aria-hidden="true">
          {isOpen ? '▾' : '▸'}
        </span>
      </button>
      {shown.map((f) => (
        <FamilyRows key={f.key} family={f} ratios={ratios} focus={focus} onOpen={onOpen} staleOf={staleOf} />
      ))}
      {isOpen && g.families.length > shown.length && (
        <button
          type="button"
          class="show-more"
          data-testid="show-more"
          onClick={() => onMore(g.tier, limit + PAGE_SIZE * 2)}
        >
          Show {Math.min(PAGE_SIZE * 2, g.families.length - shown.length)} more of {g.families.length - shown.length}
        </button>
      )}
    </section>
  );
}
