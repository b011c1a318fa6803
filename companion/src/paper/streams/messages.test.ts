import { describe, expect, it } from 'vitest';
import { parsePublicTopic, pong, tickerDelta, topicFamily } from './messages.ts';

describe('tickerDelta', () => {
  it.each([
    ['nothing changed', { symbol: 'X', a: '1', b: '2' }, { symbol: 'X', a: '1', b: '2' }, null],
    ['one field', { symbol: 'X', a: '1', b: '2' }, { symbol: 'X', a: '1', b: '3' }, { symbol: 'X', b: '3' }],
    ['a new field', { symbol: 'X', a: '1' }, { symbol: 'X', a: '1', c: '9' }, { symbol: 'X', c: '9' }],
  ])('%s', (_n, prev, next, want) => {
    expect(tickerDelta(prev, next)).toEqual(want);
  });
});

describe('parsePublicTopic', () => {
  const known = (s: string) => s === 'BTCUSDT';
  it.each([
    ['tickers.BTCUSDT', { kind: 'tickers', symbol: 'BTCUSDT' }],
    ['kline.5.BTCUSDT', { kind: 'kline', interval: '5', symbol: 'BTCUSDT' }],
    ['kline.D.BTCUSDT', { kind: 'kline', interval: 'D', symbol: 'BTCUSDT' }],
    ['orderbook.1.BTCUSDT', { kind: 'orderbook', depth: 1, symbol: 'BTCUSDT' }],
    ['tickers.NOPEUSDT', null],
    ['kline.7.BTCUSDT', null],
    ['orderbook.2.BTCUSDT', null],
    ['publicTrade.BTCUSDT', null],
    ['tickers', null],
  ])('%s', (topic, want) => {
    expect(parsePublicTopic(topic, known)).toEqual(want);
  });
});

describe('pong shapes', () => {
  it('public: an ack with ret_msg pong; private: op pong with the time in args', () => {
    expect(pong('public', 'c1', 7, 5)).toEqual({
      success: true,
      ret_msg: 'pong',
      conn_id: 'c1',
      req_id: '7',
      op: 'ping',
    });
    expect(pong('private', 'c1', undefined, 5)).toEqual({ op: 'pong', args: ['5'], conn_id: 'c1' });
  });
});

describe('topicFamily', () => {
  it.each([
    ['tickers.BTCUSDT', 'tickers'],
    ['kline.5.BTCUSDT', 'kline'],
    ['order.linear', 'order'],
    ['wallet', 'wallet'],
  ])('%s -> %s', (t, f) => expect(topicFamily(t)).toBe(f));
});
