import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { btcLong, fakeExchange } from '../../test-support/execution.ts';
import { AppError } from '../core/app-error.ts';
import { EventBus } from '../core/bus.ts';
import { systemClock } from '../core/clock.ts';
import type { ExecutionConfigInput } from './config.ts';
import { ExecutionConfig } from './config.ts';
import { ExecutionService } from './service.ts';

// The service over journals a disk or a crash damaged: a full disk, lines of the wrong shape.

const open: ExecutionService[] = [];
const mounts: string[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  for (const m of mounts.splice(0)) execFileSync('umount', [m]);
});

async function start(dataDir: string, ex = fakeExchange(), config: ExecutionConfigInput = {}) {
  const service = await ExecutionService.open({
    accounts: ex.accounts,
    clients: ex.clients,
    market: ex.market,
    monitor: { setMode: () => {} },
    bus: new EventBus(),
    clock: systemClock,
    dataDir,
    config: ExecutionConfig.parse({ settleMs: 20, ...config }),
  });
  open.push(service);
  return { service, ex, places: () => [...ex.clients.values()].map((c) => c.calls.placeOrder) };
}

const rejectionOf = async (p: Promise<unknown>): Promise<AppError> => {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (e instanceof AppError) return e;
  throw new Error(`expected an AppError, got ${String(e)}`);
};

/** A 64 KiB tmpfs: a disk that really fills (root only; skipped elsewhere). */
function smallDisk(): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'tw-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return null;
  }
  mounts.push(dir);
  return dir;
}
const canMount = (() => {
  const d = smallDisk();
  if (d) execFileSync('umount', [mounts.pop()!]);
  return d !== null;
})();

/**
 * Leaves `free` bytes on the tmpfs at `dir`, all of them in the journal's last page (tmpfs allocates whole
 * pages): the journal is padded with a blank line to put its end there, then a filler takes every free page.
 * Call with the journal closed (it writes at its own end).
 */
function fill(dir: string, free: number): () => void {
  const journal = join(dir, 'executions.jsonl');
  let pad = ((4096 - (statSync(journal).size % 4096)) % 4096) - free;
  if (pad < 0) pad += 4096;
  if (pad > 0) appendFileSync(journal, `${' '.repeat(pad - 1)}\n`);
  const avail = Number(execFileSync('df', ['--output=avail', '-B1', dir]).toString().trim().split('\n')[1]);
  const filler = join(dir, 'filler');
  writeFileSync(filler, Buffer.alloc(avail));
  return () => rmSync(filler);
}

describe('ExecutionService: the journal on a full disk', () => {
  it.skipIf(!canMount)(
    'an intent that does not fit places no order, answers 503, and leaves its key free',
    async () => {
      const dir = smallDisk()!;
      const first = await start(dir);
      await first.service.execute(btcLong({ idempotencyKey: 'before-full' }));
      await first.service.settled();
      await first.service.close();
      open.pop();
      const free = fill(dir, 300);
      const full = await start(dir);
      // ~900 bytes of intent, 300 free: write(2) takes 300 and refuses the rest.
      const err = await rejectionOf(full.service.execute(btcLong({ idempotencyKey: 'disk-full-1' })));
      expect(err.code).toBe('JOURNAL_UNAVAILABLE');
      expect(err.message).toMatch(/the disk is full.*nothing was placed/);
      expect(full.places()).toEqual([0, 0, 0]);
      free();
      // The key was not bound to a phantom: the same request now executes, once.
      const r = await full.service.execute(btcLong({ idempotencyKey: 'disk-full-1' }));
      expect(r.status).toBe('complete');
      expect(full.places()).toEqual([1, 1, 1]);
      await full.service.settled();
      await full.service.close();
      open.pop();
      const second = await start(dir);
      expect(second.service.get(r.executionId)?.status).toBe('complete');
      expect((await second.service.execute(btcLong({ idempotencyKey: 'disk-full-1' }))).executionId).toBe(
        r.executionId,
      );
      expect(second.places()).toEqual([0, 0, 0]);
    },
    20_000,
  );
});

describe('ExecutionService: journal lines of the wrong shape', () => {
  it('are skipped (named), the rest loads, and GET /executions answers', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tw-exec-shape-'));
    const first = await start(dataDir);
    const { executionId } = await first.service.execute(btcLong({ idempotencyKey: 'good-one-1' }));
    await first.service.settled();
    const done = first.service.get(executionId)!;
    await first.service.close();
    open.pop();
    const file = join(dataDir, 'executions.jsonl');
    appendFileSync(
      file,
      [
        'null',
        '[]',
        '{"v":1,"type":"leg","at":1,"executionId":"ex_gone"}',
        `{"v":1,"type":"leg","at":1,"executionId":"${done.executionId}"}`,
        '{"v":1,"type":"intent","at":5,"executionId":"ex_noresult","idempotencyKey":"no-result-1","requestHash":"abcdef0123456789","request":{"idempotencyKey":"no-result-1","symbol":"BTCUSDT","side":"long","orderType":"market","quantity":0.01}}',
        '{"v":1,"type":"finished","at":1,"executionId":"ex_gone","result":null}',
        '',
      ].join('\n'),
    );
    const second = await start(dataDir);
    expect(second.service.list().map((r) => r.executionId)).toEqual([done.executionId]);
    expect(second.service.get(done.executionId)).toEqual(done);
    expect(second.service.unfinished()).toEqual([]);
    // The intent without a result was skipped: nothing to recover, its key free.
    const r = await second.service.recover();
    expect(r).toEqual({ settled: [], stillPending: [] });
  });
});

describe('ExecutionService: executions of earlier runs, read from the journal on demand', () => {
  it('are listed newest first with this run’s, answered by id and key, and a damaged one is a 409, not a resend', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tw-exec-past-'));
    const first = await start(dataDir);
    const ids: string[] = [];
    for (const k of ['past-key-1', 'past-key-2', 'past-key-3']) {
      ids.push((await first.service.execute(btcLong({ idempotencyKey: k }))).executionId);
      await new Promise((r) => setTimeout(r, 3)); // distinct start times
    }
    await first.service.settled();
    const before = ids.map((id) => first.service.get(id));
    await first.service.close();
    open.pop();
    // Damage the second one's final record inside (its head intact).
    const file = join(dataDir, 'executions.jsonl');
    const text = readFileSync(file, 'utf8').split('\n');
    const i = text.findIndex((l) => l.includes('"type":"finished"') && l.includes(ids[1]!));
    text[i] = text[i]!.replace('"status":"complete"', '"status":"done"');
    writeFileSync(file, text.join('\n'));

    const second = await start(dataDir);
    const now = await second.service.execute(btcLong({ idempotencyKey: 'this-run-1' }));
    expect(second.service.list().map((r) => r.executionId)).toEqual([now.executionId, ids[2], ids[0]]);
    expect(second.service.get(ids[0]!)).toEqual(before[0]);
    expect(second.service.get(ids[1]!)).toBeUndefined();
    expect(await second.service.execute(btcLong({ idempotencyKey: 'past-key-3' }))).toEqual(before[2]);
    const err = await rejectionOf(second.service.execute(btcLong({ idempotencyKey: 'past-key-2' })));
    expect(err.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(err.message).toMatch(/cannot be read \(line \d+ of .*: result\.status/);
    expect(second.places()).toEqual([1, 1, 1]); // this run's execution only
  });
});
