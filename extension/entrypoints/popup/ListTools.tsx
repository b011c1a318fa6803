import type { Filter, SortKey } from '../../utils/view.ts';
import { SORT_LABELS } from '../../utils/view.ts';

/** Above the list: the text filter and the sort within each tier. */
export function ListTools({
  filter,
  onText,
  sort,
  onSort,
}: {
  filter: Filter;
  onText: (text: string) => void;
  sort: SortKey;
  onSort: (sort: SortKey) => void;
}) {
  return (
    <div class="tools">
      <input
        class="filter"
        type="search"
        placeholder="Filter: symbol, account, side…"
        aria-label="Filter positions"
        value={filter.text}
        onInput={(e) => onText((e.target as HTMLInputElement).value)}
        data-testid="filter"
      />
      <label class="sort">
        <span class="sr-only">Sort each tier by</span>
        <select
          value={sort}
          onChange={(e) => onSort((e.target as HTMLSelectElement).value as SortKey)}
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
  );
}
