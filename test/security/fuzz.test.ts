import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCompanion } from '../../companion/src/runtime.ts';
import { startTrio } from '../execution/support.ts';
import { type FuzzReport, runFuzz } from './fuzz.ts';

/**
 * Hostile input over every HTTP route and WebSocket message (cases in fuzz.ts; figures in `pnpm bench fuzz`):
 * never a 5xx or a dropped connection, every refusal in the protocol's error shape, no order from invalid
 * input, no prototype pollution, and the companion still serving afterwards.
 */
let c: RunningCompanion;
let report: FuzzReport;

beforeAll(async () => {
  c = await startTrio({ paper: { positionsPerAccount: 10 } });
  await new Promise((r) => setTimeout(r, 1000));
  report = await runFuzz(c, 1);
  console.log(
    JSON.stringify({
      fuzzCases: report.fuzzCases,
      serverErrors: report.serverErrors,
      ordersPlaced: report.ordersPlaced,
    }),
  );
}, 90_000);
afterAll(async () => {
  await c?.close();
});

describe('fuzz: every route and WebSocket message', () => {
  it('ran hundreds of cases over HTTP and WebSocket', () => {
    expect(report.httpCases).toBeGreaterThan(500);
    expect(report.wsCases).toBeGreaterThan(50);
  });
  it('no server error, no dropped connection', () => {
    expect(report.serverErrorSamples).toEqual([]);
    expect(report.serverErrors).toBe(0);
  });
  it('every refusal says why, in the protocol error shape', () => {
    expect(report.malformedSamples).toEqual([]);
  });
  it('oversized bodies are refused with 413 on every route and method (chunked too)', () => {
    expect(report.statuses['413']).toBeGreaterThanOrEqual(40);
  });
  it('no order reached the exchange from invalid input', () => {
    expect(report.ordersPlaced).toBe(0);
  });
  it('every hostile WebSocket frame got an error frame; oversized frames close 1009; the socket still answers ping', () => {
    expect(report.wsErrorFrames).toBeGreaterThanOrEqual(report.wsCases - 1);
    expect(Object.keys(report.wsClosedBy).every((code) => code === '1009')).toBe(true);
  });
  it('no prototype pollution; the companion still serves', () => {
    expect(report.prototypePolluted).toBe(false);
    expect(report.healthyAfter).toBe(true);
  });
});
