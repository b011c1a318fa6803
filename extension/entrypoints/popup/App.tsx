import { useEffect, useState } from 'preact/hooks';
import { browser } from '#imports';
import { pendingFocus } from '../../utils/settings.ts';
import { AlertCtx } from './alert-context.ts';
import { Loading, StaleBanner, Unpaired, Unreachable } from './ConnectionStates.tsx';
import { Monitor } from './Monitor.tsx';
import { type Tab, TabBar } from './TabBar.tsx';
import { Trade } from './Trade.tsx';
import { useBackgroundState } from './useBackgroundState.ts';

const openOptions = () => void browser.runtime.openOptionsPage();

/** The position to bring into view: from the page's ?focus= or left by a notification click. */
function useFocus() {
  const [focus, setFocus] = useState<string | null>(() => new URLSearchParams(location.search).get('focus'));
  useEffect(() => {
    // A notification click leaves the position to show here (the popup cannot take arguments).
    void pendingFocus.getValue().then((key) => {
      if (!key) return;
      setFocus(key);
      void pendingFocus.setValue(null);
    });
  }, []);
  return [focus, setFocus] as const;
}

export function App() {
  const { state, send } = useBackgroundState();
  const [tab, setTab] = useState<Tab>('monitor');
  const [focus, setFocus] = useFocus();

  if (!state) return <Loading text="Loading…" />;
  const { status, stream } = state;
  const reconnect = () => send({ type: 'reconnect' });
  if (status.state === 'unconfigured' || status.state === 'unpaired')
    return <Unpaired detail={status.detail} onOptions={openOptions} />;
  if (!stream) {
    if (status.state === 'disconnected')
      return <Unreachable status={status} onRetry={reconnect} onOptions={openOptions} />;
    return <Loading text="Connecting to the companion…" />;
  }

  return (
    <main class="app">
      <TabBar tab={tab} onTab={setTab} onOptions={openOptions} />
      {status.state !== 'open' && <StaleBanner status={status} at={stream.at} onRetry={reconnect} />}
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
