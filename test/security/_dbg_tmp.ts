import { startTrio } from '../execution/support.ts';

const c = await startTrio({ paper: { positionsPerAccount: 10 } });
const h = { authorization: `Bearer ${c.token}` };
const g = async (p: string, init: RequestInit = {}) => {
  try {
    const r = await fetch(c.url + p, { headers: h, ...init });
    await r.text();
    return r.status;
  } catch (e) {
    return String((e as Error).cause ?? e);
  }
};
console.log(await g('/api/v1/trading/positions?use_cache='));
console.log(await g('/api/v1/trading/positions', { method: 'PUT', body: 'x'.repeat(200000) }));
console.log(await g('/api/v1/trading/positions?use_cache='));
console.log(await g('/api/v1/trading/positions?use_cache='));
console.log(
  await g('/api/v1/trading/execute', {
    method: 'POST',
    body: 'x'.repeat(200000),
    headers: { ...h, 'content-type': 'application/json' },
  }),
);
console.log(await g('/api/v1/trading/positions?use_cache='));
await c.close();
