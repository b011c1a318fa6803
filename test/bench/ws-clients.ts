// Worker for the ws benchmark: N real WebSocket clients in their own thread (as the extension is in its own
// process), reporting receive times on the shared high-resolution timeline (timeOrigin + now()).
import { parentPort, workerData } from 'node:worker_threads';
import { isEvent, TestClient } from '../../companion/test-support/hub.ts';

const { urls, events } = workerData as { urls: string[]; events: number };
const now = () => performance.timeOrigin + performance.now();
const received: Float64Array[] = urls.map(() => new Float64Array(events + 1));
const clients = await Promise.all(urls.map((u) => TestClient.open(u)));
await Promise.all(clients.map((c) => c.waitFor((f) => f.type === 'snapshot')));
clients.forEach((c, i) => {
  c.onFrame = (f) => {
    if (isEvent(f) && f.seq <= events) received[i]![f.seq] = now();
  };
});
parentPort!.postMessage({ ready: true });
await Promise.all(clients.map((c) => c.waitForSeq(events, 30_000)));
parentPort!.postMessage({ received });
for (const c of clients) c.terminate();
