import { EXTENSION_ID, ServerMessage } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { startCompanionProcess } from '../../../test/support/companion-process.ts';
import { refusedStatus, TestClient } from './testing.ts';

describe('the companion serves /ws (real CLI, embedded paper exchange)', () => {
  it('hello, a snapshot of the monitor’s tiered positions, then seq-stamped events; no token, no socket', async () => {
    await using companion = await startCompanionProcess();
    const base = companion.ready.url.replace(/^http/, 'ws');
    expect(await refusedStatus(`${base}/ws`)).toBe(401);

    const c = await TestClient.open(`${base}/ws?token=${companion.ready.token}`, `chrome-extension://${EXTENSION_ID}`);
    const snapshot = await c.waitFor((f) => f.type === 'snapshot', 15_000);
    expect(c.frames[0]).toMatchObject({ type: 'hello', protocol: 1 });
    expect(snapshot.accounts.length).toBeGreaterThan(0);
    // Events follow the snapshot's seq without a gap (stats come every few seconds at the latest).
    const first = await c.waitFor((f) => f.type !== 'snapshot' && typeof f.seq === 'number', 15_000);
    expect(first.seq).toBe(snapshot.seq + 1);
    for (const f of c.frames) expect(ServerMessage.safeParse(f).success).toBe(true);
    c.terminate();
  }, 40_000);
});
