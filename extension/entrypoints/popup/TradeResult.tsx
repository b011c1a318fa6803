import type { ExecuteResult } from '@tierwatch/shared';
import { formatPrice, formatQty } from '../../utils/display.ts';

/** The trade's last step: what happened on each account. */
export function TradeResult({
  result,
  onNew,
  onDone,
}: {
  result: ExecuteResult;
  onNew: () => void;
  onDone: () => void;
}) {
  return (
    <section class="result" data-testid="exec-result" data-status={result.status}>
      <h2>
        {result.symbol} {result.side}: <span class={`status ${result.status}`}>{result.status}</span>
      </h2>
      <table class="legs">
        <thead>
          <tr>
            <th>Account</th>
            <th>Status</th>
            <th>Qty</th>
            <th>Order</th>
          </tr>
        </thead>
        <tbody>
          {result.legs.map((l) => (
            <tr key={l.account} data-testid="exec-leg" data-account={l.account} data-status={l.status}>
              <td>{l.account}</td>
              <td class={`status ${l.status}`}>{l.status}</td>
              <td>
                {/* "0/qty" reads as a failure: a placed leg shows what was sent; a fill shows filled/qty @ price. */}
                {l.filledQty > 0 ? `${formatQty(l.filledQty)}/${formatQty(l.qty)}` : formatQty(l.qty)}
                {l.avgPrice ? ` @ ${formatPrice(l.avgPrice)}` : ''}
              </td>
              <td class="mono" title={l.orderId ?? l.clientOrderId}>
                {l.error ? (
                  <span class="err">
                    {l.error.code}: {l.error.message}
                  </span>
                ) : (
                  <span class="oid">{l.orderId ?? '—'}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.adjustments.length > 0 && (
        <ul class="notes">
          {result.adjustments.map((a) => (
            <li key={a}>{a}</li>
          ))}
        </ul>
      )}
      <p class="muted small mono">execution {result.executionId}</p>
      <div class="row">
        <button type="button" onClick={onNew} data-testid="exec-new">
          New order
        </button>
        <button type="button" class="primary" onClick={onDone}>
          Positions
        </button>
      </div>
    </section>
  );
}
