import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  Account,
  ActionRequest,
  ClientMessage,
  describeIssues,
  ExecuteRequest,
  Order,
  POSITION_FLAG_TEXT,
  Position,
  PositionFlag,
  ServerMessage,
  StreamEvent,
  TieredPosition,
  TradingQuery,
} from './index.ts';

const position = {
  account: 'main',
  symbol: 'BTCUSDT',
  side: 'long',
  size: 0.5,
  entryPrice: 60_000,
  markPrice: 61_000,
  takeProfit: 65_000,
  stopLoss: 58_000,
  liquidationPrice: null,
  unrealisedPnl: 500,
  leverage: 10,
  positionValue: null,
  lastActivityAt: 1_700_000_000_000,
};
const tiered = { ...position, tier: 'ACTIVE', distanceToTpPct: 6.5, distanceToSlPct: 4.9, flags: [] };
const action = { idempotencyKey: 'action-key-1', symbol: 'BTCUSDT', side: 'long', action: { kind: 'close' } };
const execute = {
  idempotencyKey: 'key-00000001',
  symbol: 'BTCUSDT',
  side: 'long',
  orderType: 'market',
  quantity: 0.01,
  takeProfit: 70_000,
  stopLoss: 55_000,
};

/** Each row: a value that must be rejected, and the path its message must name. */
const rejected: [string, z.ZodType, unknown, string][] = [
  [
    'account name with a space',
    Account,
    { name: 'my acct', role: 'main', mirrorOf: null, mirrorRatio: 1, exchange: 'bybit', mode: 'paper' },
    'name',
  ],
  [
    'account role unknown',
    Account,
    { name: 'a', role: 'boss', mirrorOf: null, mirrorRatio: 1, exchange: 'bybit', mode: 'paper' },
    'role',
  ],
  [
    'mirror ratio zero',
    Account,
    { name: 'a', role: 'mirror', mirrorOf: 'm', mirrorRatio: 0, exchange: 'bybit', mode: 'paper' },
    'mirrorRatio',
  ],
  ['position size negative', Position, { ...position, size: -1 }, 'size'],
  ['position mark NaN', Position, { ...position, markPrice: Number.NaN }, 'markPrice'],
  ['position entry Infinity', Position, { ...position, entryPrice: Number.POSITIVE_INFINITY }, 'entryPrice'],
  ['position TP as string', Position, { ...position, takeProfit: '65000' }, 'takeProfit'],
  ['position TP missing (must be explicit null)', Position, { ...position, takeProfit: undefined }, 'takeProfit'],
  ['position symbol lower case', Position, { ...position, symbol: 'btcusdt' }, 'symbol'],
  ['position side buy', Position, { ...position, side: 'buy' }, 'side'],
  ['tiered position unknown tier', TieredPosition, { ...tiered, tier: 'HOT' }, 'tier'],
  ['tiered position negative distance', TieredPosition, { ...tiered, distanceToSlPct: -1 }, 'distanceToSlPct'],
  [
    'order filled negative',
    Order,
    {
      account: 'main',
      id: '1',
      clientOrderId: null,
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      price: 1,
      qty: 1,
      filledQty: -1,
      reduceOnly: false,
      status: 'open',
      takeProfit: null,
      stopLoss: null,
      createdAt: 1,
    },
    'filledQty',
  ],
  ['action close 0 %', ActionRequest, { ...action, action: { kind: 'close', percent: 0 } }, 'action.percent'],
  ['action close 101 %', ActionRequest, { ...action, action: { kind: 'close', percent: 101 } }, 'action.percent'],
  ['action unknown kind', ActionRequest, { ...action, action: { kind: 'open' } }, 'action.kind'],
  ['action TP/SL with neither', ActionRequest, { ...action, action: { kind: 'set-tpsl' } }, 'action.takeProfit'],
  ['action limit close without price', ActionRequest, { ...action, action: { kind: 'close-limit' } }, 'action.price'],
  ['action unknown field', ActionRequest, { ...action, quantity: 1 }, ''],
  ['action key too short', ActionRequest, { ...action, idempotencyKey: 'abc' }, 'idempotencyKey'],
  ['execute key too short', ExecuteRequest, { ...execute, idempotencyKey: 'abc' }, 'idempotencyKey'],
  ['execute key with slash', ExecuteRequest, { ...execute, idempotencyKey: 'abc/def/ghi' }, 'idempotencyKey'],
  ['execute both quantity and risk', ExecuteRequest, { ...execute, riskAmount: 10 }, 'quantity'],
  ['execute neither quantity nor risk', ExecuteRequest, { ...execute, quantity: undefined }, 'quantity'],
  [
    'execute risk without SL',
    ExecuteRequest,
    { ...execute, quantity: undefined, riskAmount: 10, stopLoss: null },
    'stopLoss',
  ],
  ['execute limit without price', ExecuteRequest, { ...execute, orderType: 'limit' }, 'price'],
  ['execute market with price', ExecuteRequest, { ...execute, price: 60_000 }, 'price'],
  ['execute negative quantity', ExecuteRequest, { ...execute, quantity: -0.01 }, 'quantity'],
  ['execute unknown field', ExecuteRequest, { ...execute, leverage: 100 }, ''],
  ['execute empty accounts', ExecuteRequest, { ...execute, accounts: [] }, 'accounts'],
  ['query use_cache yes', TradingQuery, { use_cache: 'yes' }, 'use_cache'],
  ['query unknown param', TradingQuery, { limit: '5' }, ''],
  ['client resume negative', ClientMessage, { type: 'resume', lastSeq: -1 }, 'lastSeq'],
  ['client unknown type', ClientMessage, { type: 'subscribe' }, 'type'],
  [
    'event seq zero',
    StreamEvent,
    { type: 'tier-changed', seq: 0, at: 1, account: 'main', symbol: 'BTCUSDT', side: 'long', from: null, to: 'URGENT' },
    'seq',
  ],
  [
    'event unknown tier',
    StreamEvent,
    { type: 'tier-changed', seq: 1, at: 1, account: 'main', symbol: 'BTCUSDT', side: 'long', from: null, to: 'HOT' },
    'to',
  ],
];

describe('protocol schemas reject malformed values, naming the path', () => {
  it.each(rejected)('%s', (_name, schema, value, path) => {
    const result = schema.safeParse(value);
    expect(result.success).toBe(false);
    if (!result.success) {
      const paths = result.error.issues.map((i) => i.path.join('.'));
      expect(paths).toContain(path);
      expect(describeIssues(result.error)).toContain(path ? `${path}:` : '(root):');
    }
  });
});

describe('protocol schemas accept well-formed values', () => {
  it.each([
    ['position', Position, position],
    ['tiered position', TieredPosition, tiered],
    ['execute by quantity', ExecuteRequest, execute],
    ['execute by risk', ExecuteRequest, { ...execute, quantity: undefined, riskAmount: 25 }],
    ['limit execute', ExecuteRequest, { ...execute, orderType: 'limit', price: 60_000 }],
    ['action close (all by default)', ActionRequest, action],
    ['action clear the SL', ActionRequest, { ...action, action: { kind: 'set-tpsl', stopLoss: null } }],
    [
      'action trailing from a price',
      ActionRequest,
      { ...action, action: { kind: 'trailing', distance: 50, activePrice: 61_000 } },
    ],
    ['action on named accounts', ActionRequest, { ...action, accounts: ['main', 'mirror1'] }],
    ['hello', ServerMessage, { type: 'hello', protocol: 1, serverVersion: '0.1.0', lastSeq: 0, instance: 'run-1' }],
    ['error frame', ServerMessage, { type: 'error', code: 'BAD_MESSAGE', message: 'not JSON' }],
    ['resume', ClientMessage, { type: 'resume', lastSeq: 12 }],
  ] as [string, z.ZodType, unknown][])('%s', (_name, schema, value) => {
    expect(schema.safeParse(value).success).toBe(true);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['False', false],
    ['0', false],
  ])('use_cache=%s parses as %s', (raw, expected) => {
    expect(TradingQuery.parse({ use_cache: raw }).use_cache).toBe(expected);
  });
});

describe('position flags', () => {
  it('the new flags parse; a flag this side does not know is left out, the position kept', () => {
    const flags = ['NO_SL', 'UNKNOWN_INSTRUMENT', 'LEVELS_INVERTED', 'FROM_A_NEWER_COMPANION'];
    expect(TieredPosition.parse({ ...tiered, flags }).flags).toEqual([
      'NO_SL',
      'UNKNOWN_INSTRUMENT',
      'LEVELS_INVERTED',
    ]);
    expect(TieredPosition.safeParse({ ...tiered, flags: [1] }).success).toBe(false);
  });

  it('every flag has its wording', () => {
    for (const f of PositionFlag.options) expect(POSITION_FLAG_TEXT[f]).toMatch(/\w/);
  });
});
