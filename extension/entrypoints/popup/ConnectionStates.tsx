import type { ConnectionStatus } from '../../utils/connection.ts';
import { formatAge } from '../../utils/display.ts';

/** The whole-popup screens shown instead of the tabs while there is no data: loading, unpaired, unreachable. */

export function Loading({ text }: { text: string }) {
  return (
    <main class="state" data-testid="state-loading">
      <p>{text}</p>
    </main>
  );
}

export function Unpaired({ detail, onOptions }: { detail: string | null; onOptions: () => void }) {
  return (
    <main class="state" data-testid="state-unpaired">
      <h1>Not paired with the companion</h1>
      <p>
        Run <code>pnpm start</code> in the Tierwatch folder. It prints a pairing token: paste it in Options, then press{' '}
        <em>Test connection</em>.
      </p>
      {detail && (
        <p class="muted" data-testid="unpaired-detail">
          {detail}
        </p>
      )}
      <button type="button" class="primary" onClick={onOptions} data-testid="open-options">
        Open options
      </button>
    </main>
  );
}

export function Unreachable({
  status,
  onRetry,
  onOptions,
}: {
  status: ConnectionStatus;
  onRetry: () => void;
  onOptions: () => void;
}) {
  const retryIn = status.retryAt ? Math.max(0, Math.ceil((status.retryAt - Date.now()) / 1000)) : null;
  return (
    <main class="state" data-testid="state-disconnected">
      <h1>Companion not reachable</h1>
      <p>
        Start it with <code>pnpm start</code> in the Tierwatch folder (it listens on 127.0.0.1). The extension
        reconnects by itself{retryIn !== null ? `; next try in ${retryIn}s` : ''}.
      </p>
      {status.detail && <p class="muted">{status.detail}</p>}
      <div class="row">
        <button type="button" class="primary" onClick={onRetry} data-testid="retry">
          Retry now
        </button>
        <button type="button" onClick={onOptions}>
          Options
        </button>
      </div>
    </main>
  );
}

/** Over the tabs while the socket is down: the data shown is as old as the last message. */
export function StaleBanner({ status, at, onRetry }: { status: ConnectionStatus; at: number; onRetry: () => void }) {
  return (
    <div class="banner warn" data-testid="state-stale">
      {status.state === 'connecting' ? 'Reconnecting…' : 'Disconnected from the companion'} — showing data from{' '}
      {formatAge(Date.now() - at)}.{' '}
      <button type="button" class="link" onClick={onRetry}>
        Retry now
      </button>
    </div>
  );
}
