import type { ActionRequestInput, ExecuteResult, TieredPosition } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { type Api, ApiError } from './api.ts';
import { actionMessage, confirmsByDefault, previewAction, runPositionAction } from './position-actions.ts';

const leg = (account: string, size: number) =>
  ({ account, symbol: 'BTCUSDT', side: 'long', size, entryPrice: 50_000, stopLoss: 48_000 }) as TieredPosition;

describe('runPositionAction: the background message', () => {
  it('sends the action with its key, once, and replies with the result', async () => {
    const sent: ActionRequestInput[] = [];
    const api = {
      act: async (req: ActionRequestInput) => {
        sent.push(req);
        return { status: 'complete' } as ExecuteResult;
      },
    } as unknown as Api;
    const msg = actionMessage({ symbol: 'BTCUSDT', side: 'long' }, { kind: 'close', percent: 100 }, 'key-00000001');
    expect(await runPositionAction(api, msg)).toEqual({ ok: true, result: { status: 'complete' } });
    expect(sent).toEqual([
      { idempotencyKey: 'key-00000001', symbol: 'BTCUSDT', side: 'long', action: { kind: 'close', percent: 100 } },
    ]);
  });
  it.each([
    [
      'an unknown action',
      {
        type: 'position-action',
        symbol: 'BTCUSDT',
        side: 'long',
        action: { kind: 'open' },
        idempotencyKey: 'key-00000001',
      },
    ],
    ['no key', { type: 'position-action', symbol: 'BTCUSDT', side: 'long', action: { kind: 'close' } }],
    [
      'a flip side',
      {
        type: 'position-action',
        symbol: 'BTCUSDT',
        side: 'both',
        action: { kind: 'close' },
        idempotencyKey: 'key-00000001',
      },
    ],
  ])('refuses %s without calling the companion', async (_, msg) => {
    let calls = 0;
    const api = { act: async () => calls++ } as unknown as Api;
    expect((await runPositionAction(api, msg)).ok).toBe(false);
    expect(calls).toBe(0);
  });
  it("names the companion's refusal", async () => {
    const api = {
      act: async () => {
        throw new ApiError('NOT_FOUND', 'no long BTCUSDT position', 404);
      },
    } as unknown as Api;
    const r = await runPositionAction(
      api,
      actionMessage({ symbol: 'BTCUSDT', side: 'long' }, { kind: 'sl-break-even' }),
    );
    expect(r).toEqual({ ok: false, error: 'NOT_FOUND: no long BTCUSDT position' });
  });
});

describe('previewAction: what each account will see', () => {
  it('close 50 % on each leg its own size', () => {
    expect(previewAction([leg('main', 0.1), leg('mirror1', 0.05)], { kind: 'close', percent: 50 })).toEqual([
      'main: close 50 % ≈ 0.05 of 0.1 at market (reduce-only)',
      'mirror1: close 50 % ≈ 0.025 of 0.05 at market (reduce-only)',
    ]);
  });
  it.each([
    [{ kind: 'close', percent: 100 }, true],
    [{ kind: 'cancel-orders' }, true],
    [{ kind: 'sl-break-even' }, false],
    [{ kind: 'trailing', distance: 10 }, false],
  ] as const)('%o confirms by default: %s', (a, expected) => {
    expect(confirmsByDefault(a)).toBe(expected);
  });
});
