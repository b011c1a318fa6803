import { type AlertEntry, alertGroup, familyKey, MAX_ALERTS, positionKey, type StreamState } from '@tierwatch/shared';
import { useMemo, useState } from 'preact/hooks';
import { useAlertContext } from './alert-context.ts';
import './alerts.css';

/**
 * The alert list: SL / TP hits and liquidations in their own list, above CRITICAL and other alerts
 * (one entry per family each, with how often it came), timestamped, each clickable to its position.
 * Near-SL reads red, near-TP green: the same tier, opposite news.
 */
const FIRST = 3;

export function AlertList({ stream }: { stream: StreamState }) {
  const hits = stream.alerts.filter((a) => alertGroup(a.kind) === 'hit');
  const rest = stream.alerts.filter(
    (a) => alertGroup(a.kind) !== 'hit' && (a.severity !== 'info' || a.kind === 'critical'),
  );
  // Families in CRITICAL now: a CRITICAL entry for any other is history (dimmed, marked resolved).
  const critical = useMemo(
    () =>
      new Set(
        Object.values(stream.positions)
          .filter((p) => p.tier === 'CRITICAL')
          .map((p) => familyKey(p, stream.accounts)),
      ),
    [stream.positions, stream.accounts],
  );
  if (hits.length === 0 && rest.length === 0) return null;
  return (
    <div class="alert-lists" data-testid="alert-list">
      <Section title="SL / TP hits" items={hits} testid="alert-hits" critical={critical} />
      <Section title="Alerts" items={rest} testid="alert-rest" critical={critical} />
    </div>
  );
}

function Section({
  title,
  items,
  testid,
  critical,
}: {
  title: string;
  items: AlertEntry[];
  testid: string;
  critical: ReadonlySet<string>;
}) {
  const [all, setAll] = useState(false);
  const { focus } = useAlertContext();
  if (items.length === 0) return null;
  const shown = all ? items.slice(0, MAX_ALERTS) : items.slice(0, FIRST);
  return (
    <section class="alert-section" data-testid={testid}>
      <h3>{title}</h3>
      <ul class="alerts">
        {shown.map((a) => {
          const target =
            a.family ??
            (a.account && a.symbol && a.side
              ? positionKey({ account: a.account, symbol: a.symbol, side: a.side })
              : null);
          const resolved = a.kind === 'critical' && a.family !== null && !critical.has(a.family);
          return (
            <li
              key={`${a.kind}|${a.family ?? a.seq}`}
              class={`alert ${a.severity} k-${tone(a)}${resolved ? ' resolved' : ''}`}
              data-testid="alert"
              data-kind={a.kind}
              data-family={a.family ?? ''}
            >
              <button
                type="button"
                class="alert-open"
                disabled={!target}
                onClick={() => target && focus(target)}
                title={target ? 'Show the position' : ''}
              >
                <time dateTime={new Date(a.at).toISOString()}>{clock(a.at)}</time> <span class="msg">{a.message}</span>
                {a.count > 1 && (
                  <span class="times" title={`${a.count} alerts for this position and its mirrors; the newest shown`}>
                    {' '}
                    ×{a.count}
                  </span>
                )}
                {resolved && <span class="times"> · resolved</span>}
              </button>
            </li>
          );
        })}
        {items.length > FIRST && (
          <li>
            <button type="button" class="link" onClick={() => setAll(!all)}>
              {all ? 'fewer' : `${items.length - FIRST} more`}
            </button>
          </li>
        )}
      </ul>
    </section>
  );
}

/** Loss-side red, profit-side green, the rest by severity. */
function tone(a: AlertEntry): 'loss' | 'profit' | 'plain' {
  if (a.kind === 'sl-hit' || a.kind === 'liquidation' || (a.kind === 'critical' && a.severity === 'critical'))
    return 'loss';
  if (a.kind === 'tp-hit' || a.kind === 'critical') return 'profit';
  return 'plain';
}

const pad = (n: number) => String(n).padStart(2, '0');
function clock(at: number): string {
  const d = new Date(at);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
