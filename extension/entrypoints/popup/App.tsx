import { useEffect, useState } from 'preact/hooks';
import { browser } from '#imports';
import { formatAge } from '../../utils/display.ts';
import { pendingFocus } from '../../utils/settings.ts';
import { AlertCtx } from './alert-context.ts';
import { Monitor } from './Monitor.tsx';
import { Trade } from './Trade.tsx';
import { useBackgroundState } from './useBackgroundState.ts';

type Tab = 'monitor' | 'trade';

/** Which page this is: the toolbar popup or Chrome's side panel (same UI; the html element says). */
const surface = document.documentElement.dataset.surface === 'sidepanel' ? 'sidepanel' : 'popup';

type SidePanelApi = { open(o: { windowId: number }): Promise<void> };
/** chrome.sidePanel where the browser has it (Chrome 114+; open() from 116). */
const sidePanel = (): SidePanelApi | null =>
  (globalThis as unknown as { chrome?: { sidePanel?: SidePanelApi } }).chrome?.sidePanel ?? null;

/** From the popup's click (a user gesture, which sidePanel.open needs); the popup then closes itself. */
async function openSidePanel() {
  const win = await browser.windows.getCurrent();
  if (win.id === undefined) return;
  await sidePanel()?.open({ windowId: win.id });
  window.close();
}

export function App() {
  const { state, send } = useBackgroundState();
  const [tab, setTab] = useState<Tab>('monitor');
  const [focus, setFocus] = useState<string | null>(() => new URLSearchParams(location.search).get('focus'));

  useEffect(() => {
    // A notification click leaves the position to show here (the popup cannot take arguments).
    void pendingFocus.getValue().then((key) => {
      if (!key) return;
      setFocus(key);
      void pendingFocus.setValue(null);
    });
  }, []);

  if (!state) {
    return (
      <main class="state" data-testid="state-loading">
        <p>Loading…</p>
      </main>
    );
  }
  const { status, stream } = state;
  const openOptions = () => void browser.runtime.openOptionsPage();

  if (status.state === 'unconfigured' || status.state === 'unpaired') {
    return (
      <main class="state" data-testid="state-unpaired">
        <h1>Not paired with the companion</h1>
        <p>
          Run <code>pnpm start</code> in the Tierwatch folder. It prints a pairing token: paste it in Options, then
          press <em>Test connection</em>.
        </p>
        {status.detail && (
          <p class="muted" data-testid="unpaired-detail">
            {status.detail}
          </p>
        )}
        <button type="button" class="primary" onClick={openOptions} data-testid="open-options">
          Open options
        </button>
      </main>
    );
  }

  if (!stream) {
    if (status.state === 'disconnected') {
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
            <button type="button" class="primary" onClick={() => send({ type: 'reconnect' })} data-testid="retry">
              Retry now
            </button>
            <button type="button" onClick={openOptions}>
              Options
            </button>
          </div>
        </main>
      );
    }
    return (
      <main class="state" data-testid="state-loading">
        <p>Connecting to the companion…</p>
      </main>
    );
  }

  return (
    <main class="app">
      <div class="tabs">
        <div role="tablist" class="tablist">
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'monitor'}
            onClick={() => setTab('monitor')}
            data-testid="tab-monitor"
          >
            Positions
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'trade'}
            onClick={() => setTab('trade')}
            data-testid="tab-trade"
          >
            Trade
          </button>
        </div>
        {surface === 'popup' && sidePanel() && (
          <button
            type="button"
            class="icon"
            title="Open in the side panel (stays open while you browse)"
            aria-label="Open in the side panel"
            onClick={openSidePanel}
            data-testid="open-side-panel"
          >
            ◨
          </button>
        )}
        <button
          type="button"
          class={surface === 'popup' && sidePanel() ? 'icon next' : 'icon'}
          title="Options"
          aria-label="Options"
          onClick={openOptions}
        >
          ⚙
        </button>
      </div>
      {status.state !== 'open' && (
        <div class="banner warn" data-testid="state-stale">
          {status.state === 'connecting' ? 'Reconnecting…' : 'Disconnected from the companion'} — showing data from{' '}
          {formatAge(Date.now() - stream.at)}.{' '}
          <button type="button" class="link" onClick={() => send({ type: 'reconnect' })}>
            Retry now
          </button>
        </div>
      )}
      {tab === 'monitor' ? (
        <AlertCtx.Provider value={{ silence: state.silence, send, focus: setFocus, now: Date.now }}>
          <Monitor status={status} stream={stream} focus={focus} />
        </AlertCtx.Provider>
      ) : (
        <Trade stream={stream} status={status.state} onDone={() => setTab('monitor')} />
      )}
    </main>
  );
}
