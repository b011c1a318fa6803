import type { Alert, Order, StreamState, TieredPosition } from '@tierwatch/shared';
import type { ComponentType } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { createApi } from '../../utils/api.ts';
import { appendMark, type ChartLevel, chartLevels, type MarkPoint } from '../../utils/chart-data.ts';
import { formatAge, formatPct, formatPnl, formatPrice, formatQty } from '../../utils/display.ts';
import { liquidationDistancePct, markValue, roiPct } from '../../utils/metrics.ts';
import { loadSettings } from '../../utils/settings.ts';
import { flagNotes } from '../../utils/view.ts';

/**
 * One position in full: its levels with their distances, a chart of the marks seen while the view is open
 * with entry, TP, SL and liquidation drawn over them, its open orders and its recent alerts.
 *
 * The companion has no candle route, so the chart draws the marks the stream brings while the view is open
 * (every positions-updated that moved this position's mark).
 * Open orders are read once on opening (and on "refresh") and shown read-only: a cancel is a money action, and the companion's one guarded money path
 * (execution) has no cancel yet (issue 18); a second, unguarded path is not added here.
 */

type ChartProps = { points: MarkPoint[]; levels: ChartLevel[] };

export function Detail({ stream, keyOf, onBack }: { stream: StreamState; keyOf: string; onBack: () => void }) {
  const fromStream = stream.positions[keyOf];
  const [points, setPoints] = useState<MarkPoint[]>(() =>
    fromStream ? appendMark([], stream.at, fromStream.markPrice) : [],
  );
  const [orders, setOrders] = useState<Order[] | null>(null);
  const [ordersError, setOrdersError] = useState<string | null>(null);
  const [Chart, setChart] = useState<ComponentType<ChartProps> | null>(null);
  const account = fromStream?.account ?? keyOf.split(':')[0] ?? '';

  // The chart's code loads only here, in its own chunk.
  useEffect(() => {
    let gone = false;
    void import('./Chart.tsx').then((m) => {
      if (!gone) setChart(() => m.default);
    });
    return () => {
      gone = true;
    };
  }, []);

  // The chart's line: each mark the stream brings (the background pushes every positions-updated here).
  const mark = fromStream?.markPrice;
  useEffect(() => {
    if (mark !== undefined) setPoints((pts) => appendMark(pts, stream.at, mark));
  }, [mark, stream.at]);

  // Open orders once on opening and on demand: a cached orders read may cost the exchange a call.
  const [ordersAsk, setOrdersAsk] = useState(0);
  useEffect(() => {
    let gone = false;
    setOrders(null);
    void loadSettings().then(async (s) => {
      try {
        const res = await createApi({ baseUrl: s.baseUrl, token: s.token }).orders({
          account_name: account,
          use_cache: true,
        });
        if (gone) return;
        const symbol = keyOf.split(':')[1];
        setOrders(res.data.filter((o) => o.symbol === symbol));
        setOrdersError(null);
      } catch (err) {
        if (!gone) setOrdersError(err instanceof Error ? err.message : String(err));
      }
    });
    return () => {
      gone = true;
    };
  }, [keyOf, account, ordersAsk]);

  const p = fromStream ?? null;
  const levels = useMemo(
    () => (p ? chartLevels(p) : []),
    [p?.entryPrice, p?.takeProfit, p?.stopLoss, p?.liquidationPrice],
  );
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
      )}
      <h3>
        Open orders{' '}
        <button
          type="button"
          class="link small"
          onClick={() => setOrdersAsk((n) => n + 1)}
          data-testid="orders-refresh"
        >
          refresh
        </button>
      </h3>
      <Orders orders={orders} error={ordersError} />
      <h3>Recent alerts</h3>
      <AlertList alerts={alerts} />
    </section>
  );
}

function Levels({ p }: { p: TieredPosition }) {
  const roi = roiPct(p);
  const value = markValue(p);
  const liqFirst = p.flags.includes('LIQ_BEFORE_SL');
  const rows: [string, string, string][] = [
    ['size', formatQty(p.size), ''],
    ['entry', formatPrice(p.entryPrice), ''],
    ['mark', formatPrice(p.markPrice), ''],
    ['take-profit', formatPrice(p.takeProfit), formatPct(p.distanceToTpPct)],
    ['stop-loss', formatPrice(p.stopLoss), formatPct(p.distanceToSlPct)],
    ['liquidation', formatPrice(p.liquidationPrice), formatPct(liquidationDistancePct(p))],
    ['value (USDT)', value === null ? '—' : formatPnl(value).replace('+', ''), ''],
    ['unrealised PnL', formatPnl(p.unrealisedPnl), roi === null ? '' : `ROI ${roi.toFixed(2)}%`],
  ];
  return (
    <table class="levels" data-testid="detail-levels">
      <caption class="sr-only">Levels and figures</caption>
      <tbody>
        {rows.map(([name, v, d]) => (
          <tr key={name} class={name === 'liquidation' && liqFirst ? 'bad' : ''}>
            <th scope="row">{name}</th>
            <td>{v}</td>
            <td>{d}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Orders({ orders, error }: { orders: Order[] | null; error: string | null }) {
  if (error) return <p class="err">Open orders could not be read: {error}</p>;
  if (!orders) return <p class="muted">Reading open orders…</p>;
  return (
    <>
      {orders.length === 0 ? (
        <p class="muted" data-testid="detail-orders-none">
          No open orders on this symbol.
        </p>
      ) : (
        <table class="legs" data-testid="detail-orders">
          <thead>
            <tr>
              <th scope="col">side</th>
              <th scope="col">type</th>
              <th scope="col">qty</th>
              <th scope="col">price</th>
              <th scope="col">status</th>
            </tr>
          </thead>
          <tbody>
            {orders.map((o) => (
              <tr key={o.id}>
                <td>{o.side}</td>
                <td>
                  {o.type}
                  {o.reduceOnly ? ' (reduce)' : ''}
                </td>
                <td>{formatQty(o.qty)}</td>
                <td>{formatPrice(o.price)}</td>
                <td>{o.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted small">Read-only: cancelling goes through the execution guard, which has no cancel yet.</p>
    </>
  );
}

function AlertList({ alerts }: { alerts: Alert[] }) {
  if (alerts.length === 0) return <p class="muted">No alerts for this position.</p>;
  return (
    <ul class="alerts" data-testid="detail-alerts">
      {alerts.slice(0, 10).map((a) => (
        <li key={a.seq} class={`alert ${a.severity}`}>
          {a.message} <span class="muted">· {formatAge(Math.max(0, Date.now() - a.at))}</span>
        </li>
      ))}
    </ul>
  );
}
