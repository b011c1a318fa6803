import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { StartGate } from './start-gate.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function gated(gate: StartGate, handler: () => (req: Request) => Response): Promise<number> {
  const server = serve({ fetch: gate.fetch(handler), hostname: '127.0.0.1', port: 0 }) as unknown as Server;
  gate.holdUpgrades(server);
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return (server.address() as AddressInfo).port;
}

/** A settled flag for a promise, to see that it is still waiting. */
function track<T>(p: Promise<T>) {
  const t = { done: false, value: undefined as T | undefined };
  void p.then((v) => {
    t.done = true;
    t.value = v;
  });
  return t;
}
const tick = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('StartGate', () => {
  it('holds a request made before open and answers it with the handler known at open', async () => {
    const gate = new StartGate();
    let handler: ((req: Request) => Response) | undefined;
    const port = await gated(gate, () => handler!);
    const answer = track(fetch(`http://127.0.0.1:${port}/x`).then((r) => r.text()));
    await tick();
    expect(answer.done).toBe(false);
    handler = (req) => new Response(`ready: ${new URL(req.url).pathname}`);
    gate.open();
    await expect(fetch(`http://127.0.0.1:${port}/y`).then((r) => r.text())).resolves.toBe('ready: /y');
    await tick();
    expect(answer.value).toBe('ready: /x');
  });

  it('holds an upgrade made before open and replays it to the listener injected at open', async () => {
    const gate = new StartGate();
    const port = await gated(gate, () => () => new Response('no'));
    const wss = new WebSocketServer({ noServer: true });
    wss.on('connection', (ws) => ws.send('hello'));
    const client = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const first = track(new Promise<string>((resolve) => client.once('message', (d) => resolve(String(d)))));
    await tick();
    expect(client.readyState).toBe(WebSocket.CONNECTING);
    gate.open(() =>
      servers[0]!.on('upgrade', (req, socket, head) =>
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)),
      ),
    );
    await tick();
    expect(first.value).toBe('hello');
    client.terminate();
    wss.close();
  });

  it('a start that failed answers held requests 503 and drops held upgrades', async () => {
    const gate = new StartGate();
    const port = await gated(gate, () => () => new Response('never'));
    const answer = fetch(`http://127.0.0.1:${port}/x`);
    const client = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const closed = new Promise<void>((resolve) => client.once('error', () => resolve()));
    await tick();
    gate.fail();
    expect((await answer).status).toBe(503);
    await closed;
  });
});
