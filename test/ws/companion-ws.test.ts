import { connect } from 'node:net';
import { EXTENSION_ID, ServerMessage } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { isEvent, refusedStatus, TestClient } from '../../companion/test-support/hub.ts';
import { startCompanionProcess } from '../support/companion-process.ts';

describe('the companion serves /ws (real CLI, embedded paper exchange)', () => {
  it('hello, a snapshot of the monitor’s tiered positions, then seq-stamped events; no token, no socket', async () => {
    // A short header timeout: the server's limits are applied (an idle socket goes), WebSockets stay.
    await using companion = await startCompanionProcess({ env: { COMPANION__HTTP__HEADERS_TIMEOUT_MS: '500' } });
    const base = companion.ready.url.replace(/^http/, 'ws');
    const { port } = new URL(companion.ready.url);
    const idle = connect(Number(port), '127.0.0.1');
    idle.on('error', () => {});
    const idleClosed = new Promise((resolve) => idle.once('close', resolve));
    expect(await refusedStatus(`${base}/ws`)).toBe(401);

    const c = await TestClient.open(`${base}/ws?token=${companion.ready.token}`, `chrome-extension://${EXTENSION_ID}`);
    const snapshot = await c.waitFor((f) => f.type === 'snapshot', 15_000);
    expect(c.frames[0]).toMatchObject({ type: 'hello', protocol: 1 });
    expect(snapshot.accounts.length).toBeGreaterThan(0);
    // Events follow the snapshot's seq without a gap (stats come every few seconds at the latest).
    const first = await c.waitFor(isEvent, 15_000);
    expect(first.seq).toBe(snapshot.seq + 1);
    for (const f of c.frames) expect(ServerMessage.safeParse(f).success).toBe(true);

    const timedOut = await Promise.race([idleClosed.then(() => true), new Promise((r) => setTimeout(r, 5_000, false))]);
    expect(timedOut).toBe(true);
    await new Promise((r) => setTimeout(r, 1_000)); // past the header timeout for the WebSocket too
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    c.terminate();
  }, 40_000);
});
