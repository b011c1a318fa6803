import { describe, expect, it } from 'vitest';
import { closeCauses, closeReasonOf, type ExchangeCloseReason } from './close-cause.ts';

type Row = Record<string, unknown>;
/** A filled closing order as /v5/order/history lists it (only the fields read). */
const order = (o: Row = {}): Row => ({
  symbol: 'BTCUSDT',
  side: 'Sell',
  orderStatus: 'Filled',
  reduceOnly: true,
  closeOnTrigger: false,
  stopOrderType: '',
  createType: 'CreateByUser',
  orderLinkId: '',
  avgPrice: '99.5',
  triggerPrice: '0',
  updatedTime: '2000',
  ...o,
});

describe('closeReasonOf', () => {
  it.each<[name: string, row: Row, reason: ExchangeCloseReason]>([
    ['stopOrderType TakeProfit', order({ stopOrderType: 'TakeProfit', createType: 'CreateByTakeProfit' }), 'tp'],
    ['partial take-profit', order({ stopOrderType: 'PartialTakeProfit' }), 'tp'],
    ['createType alone: CreateByTakeProfit', order({ createType: 'CreateByTakeProfit' }), 'tp'],
    ['stopOrderType StopLoss', order({ stopOrderType: 'StopLoss', createType: 'CreateByStopLoss' }), 'sl'],
    ['partial stop-loss', order({ stopOrderType: 'PartialStopLoss' }), 'sl'],
    ['createType alone: CreateByStopLoss', order({ createType: 'CreateByStopLoss' }), 'sl'],
    ['trailing stop', order({ stopOrderType: 'TrailingStop', createType: 'CreateByTrailingStop' }), 'trailing-stop'],
    ['liquidation order', order({ createType: 'CreateByLiq' }), 'liquidation'],
    [
      'liquidation wins over a stop type',
      order({ createType: 'CreateByLiq', stopOrderType: 'StopLoss' }),
      'liquidation',
    ],
    ['auto-deleveraging', order({ createType: 'CreateByAdl_PassThrough' }), 'liquidation'],
    ['bust fill in the executions', { execType: 'BustTrade', createType: 'CreateByUser' }, 'liquidation'],
    ['ADL fill in the executions', { execType: 'AdlTrade' }, 'liquidation'],
    ['our execution id (tw-)', order({ orderLinkId: 'tw-0123456789abcdef' }), 'action'],
    ['our mirror close (twmc-)', order({ orderLinkId: 'twmc-lq3-0' }), 'action'],
    [
      'a TP with our id is still a TP (the exchange fired it)',
      order({ stopOrderType: 'TakeProfit', orderLinkId: 'tw-x' }),
      'tp',
    ],
    ['someone else’s id', order({ orderLinkId: 'mybot-1' }), 'manual'],
    ['no id, by the user', order(), 'manual'],
    ['a tw lookalike without the dash', order({ orderLinkId: 'twitter' }), 'manual'],
  ])('%s → %s', (_name, row, reason) => {
    expect(closeReasonOf(row)).toBe(reason);
  });
});

describe('closeCauses', () => {
  const symbols = new Set(['BTCUSDT', 'ETHUSDT']);
  it('picks the newest closing fill per symbol and side, with its price and trigger level', () => {
    const rows = [
      order({ stopOrderType: 'StopLoss', triggerPrice: '99.6', avgPrice: '99.5', updatedTime: '3000' }),
      order({ updatedTime: '2500' }),
      order({ symbol: 'ETHUSDT', side: 'Buy', stopOrderType: 'TakeProfit', triggerPrice: '10', avgPrice: '9.9' }),
    ];
    expect(closeCauses(rows, symbols, 1000)).toEqual([
      { symbol: 'BTCUSDT', side: 'long', reason: 'sl', price: 99.5, level: 99.6, clientOrderId: null, at: 3000 },
      { symbol: 'ETHUSDT', side: 'short', reason: 'tp', price: 9.9, level: 10, clientOrderId: null, at: 2000 },
    ]);
  });

  it.each<[name: string, row: Row]>([
    ['before since (an older close of the same symbol)', order({ updatedTime: '999' })],
    ['another symbol', order({ symbol: 'XRPUSDT' })],
    ['not filled', order({ orderStatus: 'Cancelled' })],
    ['an opening order (not reduce-only, no trigger)', order({ reduceOnly: false })],
    [
      'an execution that closed nothing',
      { symbol: 'BTCUSDT', side: 'Sell', execType: 'Trade', closedSize: '0', execTime: '2000' },
    ],
  ])('ignores %s', (_name, row) => {
    expect(closeCauses([row], symbols, 1000)).toEqual([]);
  });

  it('a trigger price of 0 gives no level (the caller uses the position’s own)', () => {
    const [c] = closeCauses([order({ stopOrderType: 'StopLoss' })], symbols, 0);
    expect(c?.level).toBeNull();
  });

  it('reads executions: a closing fill and its price', () => {
    const row = {
      symbol: 'BTCUSDT',
      side: 'Sell',
      execType: 'Trade',
      closedSize: '1',
      execPrice: '98',
      execTime: '2000',
      orderLinkId: 'tw-1',
    };
    expect(closeCauses([row], symbols, 0)).toMatchObject([{ reason: 'action', price: 98, clientOrderId: 'tw-1' }]);
  });
});
