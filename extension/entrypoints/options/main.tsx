import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { z } from 'zod';
import { createApi, type ProbeResult, probe } from '../../utils/api.ts';
import {
  companionUrl,
  loadSettings,
  type NotificationPrefs,
  normaliseCompanionUrl,
  notificationPrefs,
  pairingToken,
} from '../../utils/settings.ts';
import '../../assets/theme.css';
import { NotificationKinds } from './NotificationKinds.tsx';
import './style.css';

z.config({ jitless: true });

function Options() {
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [prefs, setPrefs] = useState<NotificationPrefs | null>(null);
  const [test, setTest] = useState<TestState>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [urlError, setUrlError] = useState<string | null>(null);

  useEffect(() => {
    void loadSettings().then((s) => {
      setUrl(s.baseUrl);
      setToken(s.token);
      setPrefs(s.prefs);
    });
  }, []);

  const checkedUrl = () => {
    const r = normaliseCompanionUrl(url);
    setUrlError(r.ok ? null : r.message);
    return r.ok ? r.url : null;
  };

  const runTest = async () => {
    const base = checkedUrl();
    if (!base) return;
    setTest({ state: 'testing' });
    setTest(await probe(createApi({ baseUrl: base, token: token.trim(), timeoutMs: 5000 })));
  };

  const save = async () => {
    const base = checkedUrl();
    if (!base || !prefs) return;
    await Promise.all([
      companionUrl.setValue(base),
      pairingToken.setValue(token.trim()),
      notificationPrefs.setValue(prefs),
    ]);
    setUrl(base);
    setSaved(`Saved ${new Date().toLocaleTimeString()}. The extension reconnects with these settings.`);
  };

  const pref: SetPref = (k, v) => {
    if (prefs) setPrefs({ ...prefs, [k]: v });
  };

  return (
    <main class="options">
      <h1>Tierwatch</h1>
      <CompanionFields
        url={url}
        setUrl={setUrl}
        urlError={urlError}
        token={token}
        setToken={setToken}
        test={test}
        runTest={runTest}
      />
      {prefs && <NotificationSettings prefs={prefs} pref={pref} />}
      <div class="row">
        <button type="button" class="primary" onClick={save} data-testid="opt-save">
          Save
        </button>
        {saved && (
          <span class="muted" data-testid="opt-saved">
            {saved}
          </span>
        )}
      </div>
    </main>
  );
}

type TestState = ProbeResult | { state: 'testing' } | null;

/** The companion's address and the pairing token, with a connection test. */
function CompanionFields(p: {
  url: string;
  setUrl(v: string): void;
  urlError: string | null;
  token: string;
  setToken(v: string): void;
  test: TestState;
  runTest(): void;
}) {
  const [show, setShow] = useState(false);
  return (
    <section>
      <h2>Companion</h2>
      <label>
        Address
        <input
          value={p.url}
          onInput={(e) => p.setUrl((e.target as HTMLInputElement).value)}
          placeholder="http://127.0.0.1:8787"
          data-testid="opt-url"
        />
      </label>
      {p.urlError && (
        <span class="err" data-testid="opt-url-error">
          {p.urlError}
        </span>
      )}
      <label>
        Pairing token
        <span class="row">
          <input
            type={show ? 'text' : 'password'}
            value={p.token}
            onInput={(e) => p.setToken((e.target as HTMLInputElement).value)}
            placeholder="paste the token `pnpm start` printed"
            autoComplete="off"
            data-testid="opt-token"
          />
          <button type="button" onClick={() => setShow(!show)}>
            {show ? 'Hide' : 'Show'}
          </button>
        </span>
      </label>
      <p class="muted small">
        The token only lets this browser talk to your local companion. Exchange keys stay in the companion and never
        reach the extension.
      </p>
      <div class="row">
        <button type="button" onClick={p.runTest} data-testid="opt-test">
          Test connection
        </button>
        <TestResult test={p.test} />
      </div>
    </section>
  );
}

type SetPref = <K extends keyof NotificationPrefs>(k: K, v: NotificationPrefs[K]) => void;

function NotificationSettings({ prefs, pref }: { prefs: NotificationPrefs; pref: SetPref }) {
  return (
    <section>
      <h2>Notifications</h2>
      <label class="check">
        <input
          type="checkbox"
          checked={prefs.enabled}
          onChange={(e) => pref('enabled', (e.target as HTMLInputElement).checked)}
          data-testid="opt-notify"
        />{' '}
        Desktop notifications
      </label>
      <NotificationKinds prefs={prefs} set={pref} />
      <label>
        CRITICAL notifications per minute before the rest are summed up (SL and TP hits never are)
        <input
          type="number"
          min={1}
          max={60}
          value={prefs.maxPerMinute}
          onInput={(e) => pref('maxPerMinute', clamp((e.target as HTMLInputElement).valueAsNumber, 1, 60, 6))}
        />
      </label>
      <label>
        Quiet period per position and kind (minutes): leaving CRITICAL and coming back within it stays quiet
        <input
          type="number"
          min={1}
          max={240}
          value={prefs.dedupeMinutes}
          onInput={(e) => pref('dedupeMinutes', clamp((e.target as HTMLInputElement).valueAsNumber, 1, 240, 10))}
        />
      </label>
    </section>
  );
}

const clamp = (n: number, lo: number, hi: number, dflt: number) =>
  Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.round(n))) : dflt;

function TestResult({ test }: { test: TestState }) {
  if (!test) return null;
  switch (test.state) {
    case 'testing':
      return (
        <span class="muted" data-testid="opt-test-result" data-state="testing">
          Testing…
        </span>
      );
    case 'ok':
      return (
        <span class="ok" data-testid="opt-test-result" data-state="ok">
          Connected to companion {test.version}; the token is accepted.
        </span>
      );
    case 'unpaired':
      return (
        <span class="err" data-testid="opt-test-result" data-state="unpaired">
          The companion runs, but refused the token ({test.message}). Paste the token `pnpm start` printed.
        </span>
      );
    case 'down':
      return (
        <span class="err" data-testid="opt-test-result" data-state="down">
          Not reachable: {test.message}. Is `pnpm start` running?
        </span>
      );
    default:
      return (
        <span class="err" data-testid="opt-test-result" data-state="error">
          {test.message}
        </span>
      );
  }
}

render(<Options />, document.getElementById('app')!);
