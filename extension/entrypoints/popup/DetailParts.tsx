import type { Alert, Order, TieredPosition } from '@tierwatch/shared';
import { formatAge, formatPct, formatPnl, formatPrice, formatQty } from '../../utils/display.ts';
import { liquidationDistancePct, markValue, roiPct } from '../../utils/metrics.ts';

// The parts of a position's detail view below its chart: levels, open orders, recent alerts.

export function Levels({ p }: { p: TieredPosition }) {
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

export function Orders({ orders, error }: { orders: Order[] | null; error: string | null }) {
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

export function AlertList({ alerts }: { alerts: Alert[] }) {
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
