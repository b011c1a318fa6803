import { type Alert, criticalSuffix, liquidationBeforeSlMessage, type StreamEvent } from '@tierwatch/shared';

/**
 * Which events a trader must still see after the fact, as the alerts a snapshot carries. Pure: one event
 * in, at most one alert out. Wording matches what the extension derives from the live events.
 */
export function alertFor(ev: StreamEvent): Alert | null {
  const make = (
    severity: Alert['severity'],
    kind: string,
    account: string | null,
    symbol: string | null,
    message: string,
  ): Alert => ({ seq: ev.seq, at: ev.at, severity, kind, account, symbol, message });
  const describe = (p: { account: string; symbol: string; side: string }) => `${p.symbol} ${p.side} on ${p.account}`;

  switch (ev.type) {
    case 'critical': {
      const near = ev.reason === 'near-sl' ? 'near its stop-loss' : 'near its take-profit';
      const p = ev.position;
      return make(
        'critical',
        'critical',
        p.account,
        p.symbol,
        `${describe(p)} is CRITICAL, ${near}${criticalSuffix(p)}`,
      );
    }
    case 'liquidation-before-sl': {
      const p = ev.position;
      return make('warning', 'liquidation-before-sl', p.account, p.symbol, liquidationBeforeSlMessage(p));
    }
    case 'sl-hit':
      return make('critical', 'sl-hit', ev.account, ev.symbol, `${describe(ev)} hit its stop-loss at ${ev.price}`);
    case 'tp-hit':
      return make('info', 'tp-hit', ev.account, ev.symbol, `${describe(ev)} hit its take-profit at ${ev.price}`);
    case 'missing-sl': {
      const text = {
        alerted: 'has no stop-loss',
        replaced: 'had no stop-loss; the companion placed one',
        'replace-failed': 'has no stop-loss and placing one FAILED',
      }[ev.action];
      const severity = ev.action === 'replace-failed' ? 'critical' : 'warning';
      return make(severity, 'missing-sl', ev.account, ev.symbol, `${describe(ev)} ${text}`);
    }
    case 'mirror-drift': {
      const text = {
        alerted: 'drifted from',
        closed: 'was closed to match',
        'close-failed': 'could not be closed to match',
      }[ev.action];
      const severity = ev.action === 'close-failed' ? 'critical' : 'warning';
      const message = `Mirror ${ev.mirror} ${ev.symbol} ${ev.side} ${text} ${ev.main}`;
      return make(severity, 'mirror-drift', ev.mirror, ev.symbol, message);
    }
    case 'execution-finished': {
      const r = ev.result;
      // A complete or still-pending execution is news, not an alert; a partial or failed one needs a look.
      if (r.status !== 'partial' && r.status !== 'failed') return null;
      const failed = r.legs.filter((l) => l.status === 'rejected' || l.status === 'unknown').map((l) => l.account);
      const which = failed.length > 0 ? ` (${failed.join(', ')})` : '';
      const severity = r.status === 'failed' ? 'critical' : 'warning';
      return make(severity, 'execution', null, r.symbol, `Execution ${r.symbol} ${r.side}: ${r.status}${which}`);
    }
    default:
      return null;
  }
}

/** The newest `limit` alerts, oldest first. */
export class AlertLog {
  private items: Alert[] = [];
  constructor(private readonly limit: number) {}

  note(ev: StreamEvent): void {
    const alert = alertFor(ev);
    if (!alert) return;
    this.items.push(alert);
    if (this.items.length > this.limit) this.items.splice(0, this.items.length - this.limit);
  }

  list(): Alert[] {
    return [...this.items];
  }
}
