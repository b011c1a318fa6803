import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecuteResult } from '@tierwatch/shared';
import { writeJournal } from '../../execution/journal-fixture.ts';
import { postExecute } from '../../execution/support.ts';
import { type CompanionProcess, startCompanionProcess } from '../../support/companion-process.ts';

/**
 * A start on a long journal: JOURNAL_EXECUTIONS (200k) finished executions in the companion's format
 * (~2.9 KB each, as in issue 13), then the real CLI on its embedded paper exchange with that data dir.
 * readyMs: spawn → ready line (an empty data dir's, emptyReadyMs, for comparison; journalReadMs, the
 * companion's own measure of reading the journal); rssMb: the companion's
 * resident memory once ready and after answering GET /executions, GET /executions/:id and retried keys for
 * a sample of old executions (all must answer right: checked, not just timed); peakRssMb: its high-water mark.
 */
const rss = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(/(\d+) kB/.exec(status.split('\n').find((l) => l.startsWith(k)) ?? '')?.[1] ?? NaN);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakRssMb: Math.round(kb('VmHWM') / 1024) };
};

async function timedStart(dataDir: string): Promise<{ c: CompanionProcess; readyMs: number }> {
  const t0 = performance.now();
  const c = await startCompanionProcess({ env: { COMPANION__DATA_DIR: dataDir }, timeoutMs: 120_000 });
  return { c, readyMs: Math.round(performance.now() - t0) };
}

export default async function run(): Promise<Record<string, unknown>> {
  const executions = Number(process.env.JOURNAL_EXECUTIONS ?? 200_000);
  const empty = await timedStart(mkdtempSync(join(tmpdir(), 'tw-journal-empty-')));
  await empty.c.kill();

  const dataDir = mkdtempSync(join(tmpdir(), 'tw-journal-big-'));
  const tw = performance.now();
  const { bytes, samples } = await writeJournal(join(dataDir, 'executions.jsonl'), {
    count: executions,
    now: Date.now(),
    spacingMs: 10_000, // 200k over 23 days: all inside the 30-day retention, nothing expires
    accounts: ['main', 'mirror1', 'mirror2'],
  });
  const writeMs = Math.round(performance.now() - tw);

  const { c, readyMs } = await timedStart(dataDir);
  try {
    const atReady = rss(c.child.pid!);
    const get = async <T>(path: string): Promise<T> => {
      const res = await fetch(`${c.ready.url}/api/v1/trading${path}`, {
        headers: { authorization: `Bearer ${c.ready.token}` },
      });
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    const list = (await get<{ data: ExecuteResult[] }>('/executions')).data;
    if (list.length !== 50 || list[0]!.startedAt < list[49]!.startedAt)
      throw new Error(`GET /executions: ${list.length} results, not newest first`);
    for (const s of samples) {
      const r = await get<ExecuteResult>(`/executions/${s.executionId}`);
      if (r.status !== 'complete' || r.legs.some((l) => l.status !== 'filled'))
        throw new Error(`${s.executionId}: ${r.status} ${r.legs.map((l) => l.status)}`);
      // A retried key answers the journaled result; a different body with it is a conflict. Nothing is sent.
      const again = await postExecute(c.ready, s.request);
      if (again.status !== 200 || again.body.executionId !== s.executionId)
        throw new Error(`retry of ${s.request.idempotencyKey}: ${again.status} ${JSON.stringify(again.body)}`);
      const other = await postExecute(c.ready, { ...s.request, quantity: 0.02 });
      if (other.status !== 409) throw new Error(`changed body under ${s.request.idempotencyKey}: ${other.status}`);
    }
    const after = rss(c.child.pid!);
    // The companion's own log of the read (load + compaction decision), to tell it from the rest of the start.
    const readLine = c
      .stderr()
      .split('\n')
      .find((l) => l.includes('"journal read"'));
    const journalReadMs = readLine ? (JSON.parse(readLine) as { ms: number }).ms : null;
    return {
      executions,
      journalMb: Math.round(bytes / 1024 / 1024),
      writeMs,
      emptyReadyMs: empty.readyMs,
      readyMs,
      journalReadMs,
      rssMb: Math.max(atReady.rssMb, after.rssMb),
      rssAtReadyMb: atReady.rssMb,
      peakRssMb: after.peakRssMb,
      checked: samples.length,
    };
  } finally {
    await c.kill();
    rmSync(dataDir, { recursive: true, force: true }); // ~800 MB
  }
}
