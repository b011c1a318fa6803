import { z } from 'zod';
import type { Clock } from '../core/clock.ts';
import { createBybit } from './bybit.ts';
import { classifyError } from './errors.ts';

/**
 * Reads what the account check needs from the exchange, with a ccxt instance of its own (so the check
 * touches no account client's budget or stopped state): the server time for the clock skew, the key's
 * permissions from /v5/user/query-api, and the positions' positionIdx for the position mode. Bybit has no
 * call that says the mode of a USDT-perpetual account outright; a position in slot 1 or 2 does.
 */

export interface KeyCheckTarget {
  account: string;
  mode: 'paper' | 'testnet' | 'demo' | 'live';
  baseUrl?: string;
  apiKey: string;
  secret: string;
  timeoutMs: number;
}

const Perms = z.array(z.string()).catch([]);
/** What the exchange says about the key (query-api), its clock (market/time) and its positions. */
export interface KeyFacts {
  /** Null when the exchange could not be reached at all: why (timeout, DNS, refused connection). */
  unreachable: string | null;
  /** The exchange refused the key itself (invalid, wrong signature, expired): its message. */
  refused: string | null;
  /** Local clock minus the exchange's, in ms (positive: ahead); null when the time could not be read. */
  skewMs: number | null;
  key: {
    readOnly: boolean;
    contractTrade: string[];
    wallet: string[];
    ips: string[];
    /** Epoch ms, or null for a key that does not expire. */
    expiresAt: number | null;
    /** A unified trading account (UTA), the only kind the companion trades. */
    unified: boolean;
  } | null;
  /** Hedge mode (positionIdx 1/2 seen on a position), false for one-way, null when no position tells. */
  hedgeMode: boolean | null;
}

/** The fields of Bybit's query-api answer the check reads; the rest is ignored. */
const QueryApi = z.object({
  readOnly: z.coerce.number(),
  permissions: z.object({ ContractTrade: Perms, Wallet: Perms }).passthrough(),
  ips: z.array(z.string()).catch([]),
  expiredAt: z.string().catch(''),
  uta: z.coerce.number().catch(0),
  unified: z.coerce.number().catch(0),
});

const TimeAnswer = z.object({ timeNano: z.string().optional(), timeSecond: z.string().optional() });

function serverMs(t: z.infer<typeof TimeAnswer>): number | null {
  if (t.timeNano && /^\d+$/.test(t.timeNano)) return Number(BigInt(t.timeNano) / 1_000_000n);
  if (t.timeSecond && /^\d+$/.test(t.timeSecond)) return Number(t.timeSecond) * 1000;
  return null;
}

export async function readKeyFacts(t: KeyCheckTarget, clock: Clock): Promise<KeyFacts> {
  const ex = createBybit({
    apiKey: t.apiKey,
    secret: t.secret,
    baseUrl: t.baseUrl,
    testnet: t.mode === 'testnet',
    demo: t.mode === 'demo',
    timeoutMs: t.timeoutMs,
  });
  const facts: KeyFacts = { unreachable: null, refused: null, skewMs: null, key: null, hedgeMode: null };
  const failure = (err: unknown) => classifyError(err, null, clock.now());

  try {
    const t0 = clock.now();
    const answer = (await ex.publicGetV5MarketTime()) as { result?: unknown };
    const t1 = clock.now();
    const server = serverMs(TimeAnswer.parse(answer.result ?? {}));
    // The answer was stamped somewhere between sending and receiving: the middle is the best guess.
    if (server !== null) facts.skewMs = Math.round((t0 + t1) / 2 - server);
  } catch (err) {
    const e = failure(err);
    if (e.action === 'retry') {
      facts.unreachable = e.message;
      return facts;
    }
  }
  try {
    const answer = (await ex.privateGetV5UserQueryApi()) as { result?: unknown };
    const q = QueryApi.parse(answer.result);
    const expires = q.expiredAt ? Date.parse(q.expiredAt) : Number.NaN;
    facts.key = {
      readOnly: q.readOnly === 1,
      contractTrade: q.permissions.ContractTrade,
      wallet: q.permissions.Wallet,
      ips: q.ips,
      expiresAt: Number.isFinite(expires) ? expires : null,
      unified: q.uta === 1 || q.unified === 1,
    };
  } catch (err) {
    const e = failure(err);
    if (e.action === 'retry') facts.unreachable = e.message;
    else facts.refused = e.message;
    return facts;
  }
  try {
    const answer = (await ex.privateGetV5PositionList({ category: 'linear', settleCoin: 'USDT', limit: 200 })) as {
      result?: { list?: { positionIdx?: unknown }[] };
    };
    const idx = (answer.result?.list ?? []).map((r) => Number(r.positionIdx));
    if (idx.length > 0) facts.hedgeMode = idx.some((i) => i === 1 || i === 2);
  } catch {
    // The mode stays unknown; the monitor's own reads report a failing position read.
  }
  return facts;
}
