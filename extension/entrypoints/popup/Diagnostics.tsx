import { type StreamState, TIERS } from '@tierwatch/shared';
import { formatAge, formatRate, formatReduction } from '../../utils/display.ts';

/** The companion's own figures: what it costs the exchange, how it keeps each tier's cadence, the guard. */
export function Diagnostics({ stream, onBack }: { stream: StreamState; onBack: () => void }) {
  const s = stream.stats;
  return (
    <section class="diagnostics" data-testid="diagnostics">
      <div class="view-head">
        <button type="button" onClick={onBack} data-testid="diagnostics-back">
          ← Positions
        </button>
        <h2>Diagnostics</h2>
      </div>
      <p data-testid="guard-mode" data-mode={stream.guardMode}>
        Execution guard: <b>{stream.guardMode === 'normal' ? 'normal' : 'CRITICAL-ONLY (an execution is running)'}</b>
      </p>
      {s ? (
        <>
          <p data-testid="stats" title={`naive: ${formatRate(s.naiveCallsPerSec)} calls/s`}>
            <b>{formatRate(s.callsPerSec)}</b> exchange calls/s · <b>{formatReduction(s.reductionVsNaive)}</b> fewer
            than polling every position every 5 s ({formatRate(s.naiveCallsPerSec)}/s)
          </p>
          <p>
            {s.positions} positions · profile <b>{s.profile}</b>
            {s.stretched ? ' · slower tiers stretched to fit the rate budget' : ''} · detection p99{' '}
            {s.detectionP99Ms === null ? '—' : `${Math.round(s.detectionP99Ms)} ms`}
          </p>
          <table class="legs">
            <caption class="sr-only">Cadence per tier</caption>
            <thead>
              <tr>
                <th scope="col">tier</th>
                <th scope="col">interval</th>
                <th scope="col">p50 gap</th>
                <th scope="col">p99 gap</th>
              </tr>
            </thead>
            <tbody>
              {TIERS.map((t) => (
                <tr key={t}>
                  <td>{t}</td>
                  <td>{ms(s.cadence[t].intervalMs)}</td>
                  <td>{ms(s.cadence[t].p50GapMs)}</td>
                  <td>{ms(s.cadence[t].p99GapMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ul class="plain" data-testid="diagnostics-accounts">
            {s.accounts.map((a) => {
              const f = stream.freshness[a.account];
              return (
                <li key={a.account} data-account={a.account}>
                  {a.account}: {f ? `data ${f.status}` : 'data'}, last read{' '}
                  {a.lastReadAt === null ? 'never' : formatAge(Math.max(0, s.at - a.lastReadAt))}, {a.failures}{' '}
                  {a.failures === 1 ? 'failure' : 'failures'}
                  {/* The raw error, as the exchange layer saw it: for diagnosing, never on the glance. */}
                  {a.lastError && (
                    <span class="muted small" data-testid="diagnostics-last-error">
                      {' '}
                      — last error: <code>{a.lastError}</code>
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        </>
      ) : (
        <p data-testid="stats">No monitor stats yet.</p>
      )}
    </section>
  );
}

const ms = (v: number | null) => (v === null ? '—' : v >= 10_000 ? `${Math.round(v / 1000)} s` : `${Math.round(v)} ms`);
