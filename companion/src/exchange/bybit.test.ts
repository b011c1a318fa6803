import { describe, expect, it } from 'vitest';
import { createBybit } from './bybit.ts';

/** An account's baseUrl also locates its streams (same host, ws:// or wss://, Bybit's paths), overridable. */
describe('createBybit stream URLs', () => {
  const ws = (o: { baseUrl?: string; streamUrl?: string }) => {
    const api = createBybit({ ...o, timeoutMs: 1000 }).urls.api as unknown as {
      ws: { public: { linear: string }; private: { contract: string } };
    };
    return [api.ws.public.linear, api.ws.private.contract];
  };
  it.each([
    [{ baseUrl: 'http://127.0.0.1:9100' }, ['ws://127.0.0.1:9100/v5/public/linear', 'ws://127.0.0.1:9100/v5/private']],
    [
      { baseUrl: 'https://api.bytick.com/' },
      ['wss://api.bytick.com/v5/public/linear', 'wss://api.bytick.com/v5/private'],
    ],
    [
      { baseUrl: 'https://api.bybit.com', streamUrl: 'wss://stream.bybit.com' },
      ['wss://stream.bybit.com/v5/public/linear', 'wss://stream.bybit.com/v5/private'],
    ],
  ])('%o streams at %o', (o, want) => expect(ws(o)).toEqual(want));

  it("without a baseUrl, ccxt's own Bybit stream hosts", () => {
    const [pub] = ws({});
    // ccxt fills {hostname} in (bybit.com) when it connects.
    expect(pub).toBe('wss://stream.{hostname}/v5/public/linear');
  });
});
