import { describe, expect, it } from 'vitest';
import { closePercentAction, positiveNumber, setTpSlAction, trailingAction } from './action-inputs.ts';

describe('the action menu fields read as actions', () => {
  it.each([
    ['50', 50],
    [' 2.5 ', 2.5],
    ['0', null],
    ['-3', null],
    ['', null],
    ['abc', null],
    ['Infinity', null],
  ])('positiveNumber(%j) is %j', (s, n) => {
    expect(positiveNumber(s)).toBe(n);
  });

  it.each([
    ['50', { kind: 'close', percent: 50 }],
    ['100', { kind: 'close', percent: 100 }],
    ['100.5', null],
    ['0', null],
    ['', null],
  ])('Close %% with %j', (pct, action) => {
    expect(closePercentAction(pct)).toEqual(action);
  });

  it.each([
    ['110', '', { kind: 'set-tpsl', takeProfit: 110 }],
    ['', '90', { kind: 'set-tpsl', stopLoss: 90 }],
    ['110', '90', { kind: 'set-tpsl', takeProfit: 110, stopLoss: 90 }],
    ['', '', null],
    ['  ', ' ', null],
    ['110', 'x', null],
    ['-1', '90', null],
  ])('Edit TP/SL with tp %j and sl %j', (tp, sl, action) => {
    expect(setTpSlAction(tp, sl)).toEqual(action);
  });

  it.each([
    ['12', { kind: 'trailing', distance: 12 }],
    ['0', null],
    ['', null],
  ])('Trailing with %j', (trail, action) => {
    expect(trailingAction(trail)).toEqual(action);
  });
});
