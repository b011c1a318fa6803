import type { StreamState, TieredPosition } from '@tierwatch/shared';
import type { ComponentType } from 'preact';
import { useMemo } from 'preact/hooks';
import { chartLevels, type MarkPoint } from '../../utils/chart-data.ts';
import { flagNotes } from '../../utils/view.ts';
import { AlertList, Levels, Orders } from './DetailParts.tsx';
import { type ChartProps, useChartComponent, useMarks, useOpenOrders } from './useDetailData.ts';

/**
 * One position in full: its levels with their distances, a chart of the marks seen while the view is open
 * with entry, TP, SL and liquidation drawn over them, its open orders and its recent alerts.
 *
 * The companion has no candle route, so the chart draws the marks the stream brings while the view is open
 * (every positions-updated that moved this position's mark).
 * Open orders are read once on opening (and on "refresh") and shown read-only: a cancel is a money action, and the companion's one guarded money path
 * (execution) has no cancel yet (issue 18); a second, unguarded path is not added here.
 */
export function Detail({ stream, keyOf, onBack }: { stream: StreamState; keyOf: string; onBack: () => void }) {
  const fromStream = stream.positions[keyOf];
  const points = useMarks(stream, fromStream);
  const Chart = useChartComponent();
  const account = fromStream?.account ?? keyOf.split(':')[0] ?? '';
  const { orders, error, refresh } = useOpenOrders(keyOf, account);
  const p = fromStream ?? null;
  const alerts = stream.alerts.filter(
    (a) => p && a.symbol === p.symbol && (a.account === null || a.account === p.account),
  );

  return (
    <section class="detail" data-testid="detail" data-key={keyOf}>
      <div class="view-head">
        <button type="button" onClick={onBack} data-testid="detail-back">
          ← Positions
        </button>
        <h2>{p ? `${p.symbol} ${p.side}${p.leverage !== null ? ` ${p.leverage}×` : ''} on ${p.account}` : keyOf}</h2>
      </div>
      {!p ? (
        <p class="muted" data-testid="detail-gone">
          This position is no longer open.
        </p>
      ) : (
        <PositionFigures p={p} points={points} Chart={Chart} />
      )}
      <h3>
        Open orders{' '}
        <button type="button" class="link small" onClick={refresh} data-testid="orders-refresh">
          refresh
        </button>
      </h3>
      <Orders orders={orders} error={error} />
      <h3>Recent alerts</h3>
      <AlertList alerts={alerts} />
    </section>
  );
}

/** An open position's flags, levels and chart. */
function PositionFigures({
  p,
  points,
  Chart,
}: {
  p: TieredPosition;
  points: MarkPoint[];
  Chart: ComponentType<ChartProps> | null;
}) {
  const levels = useMemo(() => chartLevels(p), [p.entryPrice, p.takeProfit, p.stopLoss, p.liquidationPrice]);
  return (
    <>
      {flagNotes(p).length > 0 && (
        <p class="banner error" data-testid="detail-flags">
          ⚠ {flagNotes(p).join(' · ')}
        </p>
      )}
      <Levels p={p} />
      <div class="chart-box">
        {Chart ? <Chart points={points} levels={levels} /> : <p class="muted">Loading the chart…</p>}
        <p class="muted small">
          Marks seen since this view opened ({points.length}); no candle history from the companion yet.
        </p>
      </div>
    </>
  );
}
