import { startTrio } from '../../execution/support.ts';
import { runFuzz } from '../../security/fuzz.ts';

/**
 * Hostile input over every HTTP route and WebSocket message (see test/security/fuzz.ts), against the
 * in-process companion on its paper exchange (main + 2 mirrors). `serverErrors` and `ordersPlaced` must be 0.
 */
export default async function run(): Promise<Record<string, unknown>> {
  const c = await startTrio({ paper: { positionsPerAccount: 10 } });
  try {
    await new Promise((r) => setTimeout(r, 1500)); // the monitor's first reads: the cache serves real data
    const t0 = performance.now();
    const r = await runFuzz(c, 1);
    return { ...r, seconds: Math.round((performance.now() - t0) / 100) / 10 };
  } finally {
    await c.close();
  }
}
