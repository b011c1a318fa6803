import { bustPrice, liqPrice, MMR } from '../engine/conditional.ts';
import type {
  Instrument,
  MarketState,
  PaperAccount,
  PaperExecution,
  PaperOrder,
  PaperPosition,
} from '../engine/types.ts';

/** Bybit's dialect: every number a string, absent values as "" (never null), times as ms strings. */

const money = (v: number): string => v.toFixed(8).replace(/\.?0+$/, '') || '0';
const px = (inst: Instrument, v: number | null): string => (v === null ? '' : v.toFixed(inst.priceDecimals));
const qy = (inst: Instrument, v: number): string => v.toFixed(inst.qtyDecimals);
/** Bybit's times are whole milliseconds (clients parse them with int()). */
const ms = (t: number): string => String(Math.floor(t));

export const envelope = (result: unknown, time: number, retCode = 0, retMsg = 'OK') => ({
  retCode,
  retMsg,
  result,
  retExtInfo: {},
  time,
});

export function instrumentInfo(inst: Instrument) {
  return {
    symbol: inst.symbol,
    contractType: 'LinearPerpetual',
    status: 'Trading',
    baseCoin: inst.baseCoin,
    quoteCoin: 'USDT',
    launchTime: ms(inst.launchTime),
    deliveryTime: '0',
    deliveryFeeRate: '',
    priceScale: String(inst.priceDecimals),
    leverageFilter: { minLeverage: '1', maxLeverage: inst.maxLeverage.toFixed(2), leverageStep: '0.01' },
    priceFilter: {
      minPrice: inst.tickSize.toFixed(inst.priceDecimals),
      maxPrice: (inst.tickSize * 1e8).toFixed(inst.priceDecimals),
      tickSize: inst.tickSize.toFixed(inst.priceDecimals),
    },
    lotSizeFilter: {
      maxOrderQty: qy(inst, inst.maxQty),
      minOrderQty: qy(inst, inst.minQty),
      qtyStep: qy(inst, inst.qtyStep),
      postOnlyMaxOrderQty: qy(inst, inst.maxQty),
      maxMktOrderQty: qy(inst, inst.maxQty),
      minNotionalValue: String(inst.minNotional),
    },
    unifiedMarginTrade: true,
    fundingInterval: 480,
    settleCoin: 'USDT',
    copyTrading: 'both',
    upperFundingRate: '0.005',
    lowerFundingRate: '-0.005',
  };
}

export function ticker(inst: Instrument, m: MarketState) {
  const tick = inst.tickSize;
  return {
    symbol: inst.symbol,
    lastPrice: px(inst, m.mark),
    indexPrice: px(inst, m.mark),
    markPrice: px(inst, m.mark),
    prevPrice24h: px(inst, m.open),
    price24hPcnt: ((m.mark - m.open) / m.open).toFixed(6),
    highPrice24h: px(inst, m.high),
    lowPrice24h: px(inst, m.low),
    prevPrice1h: px(inst, m.open),
    openInterest: '0',
    openInterestValue: '0',
    turnover24h: '0',
    volume24h: '0',
    fundingRate: '0.0001',
    nextFundingTime: ms(Math.ceil(m.updatedAt / 28_800_000) * 28_800_000),
    predictedDeliveryPrice: '',
    basisRate: '',
    deliveryFeeRate: '',
    deliveryTime: '0',
    ask1Size: qy(inst, inst.minQty * 100),
    bid1Price: px(inst, m.mark - tick),
    ask1Price: px(inst, m.mark + tick),
    bid1Size: qy(inst, inst.minQty * 100),
  };
}

export function position(inst: Instrument, p: PaperPosition, mark: number, partial = false) {
  const s = p.side === 'Buy' ? 1 : -1;
  const value = p.size * p.entryPrice;
  // Isolated-style estimates: bust where the initial margin is gone, liquidation MMR earlier.
  const bust = bustPrice(p);
  const liq = liqPrice(p);
  return {
    positionIdx: 0,
    riskId: 1,
    riskLimitValue: '2000000',
    symbol: p.symbol,
    side: p.side,
    size: qy(inst, p.size),
    avgPrice: px(inst, p.entryPrice),
    positionValue: money(value),
    tradeMode: 0,
    positionStatus: 'Normal',
    autoAddMargin: 0,
    adlRankIndicator: 2,
    leverage: String(p.leverage),
    positionBalance: money(value / p.leverage),
    markPrice: px(inst, mark),
    liqPrice: px(inst, Math.max(liq, 0)),
    bustPrice: px(inst, Math.max(bust, 0)),
    positionMM: money(value * MMR),
    positionIM: money(value / p.leverage),
    tpslMode: partial ? 'Partial' : 'Full',
    takeProfit: px(inst, p.takeProfit),
    stopLoss: px(inst, p.stopLoss),
    trailingStop: p.trailing ? px(inst, p.trailing.distance) : '0',
    activePrice: p.trailing?.activePrice ? px(inst, p.trailing.activePrice) : '',
    unrealisedPnl: money((mark - p.entryPrice) * p.size * s),
    curRealisedPnl: money(p.cumRealisedPnl),
    cumRealisedPnl: money(p.cumRealisedPnl),
    sessionAvgPrice: '',
    isReduceOnly: false,
    createdTime: ms(p.createdTime),
    updatedTime: ms(p.updatedTime),
    seq: Math.floor(p.updatedTime),
  };
}

export function order(inst: Instrument, o: PaperOrder) {
  const leaves = o.orderStatus === 'New' || o.orderStatus === 'PartiallyFilled' ? o.qty - o.cumExecQty : 0;
  return {
    orderId: o.orderId,
    orderLinkId: o.orderLinkId,
    blockTradeId: '',
    symbol: o.symbol,
    price: o.price === null ? '0' : px(inst, o.price),
    qty: qy(inst, o.qty),
    side: o.side,
    isLeverage: '',
    positionIdx: 0,
    orderStatus: o.orderStatus,
    cancelType: o.orderStatus === 'Cancelled' || o.orderStatus === 'Deactivated' ? 'CancelByUser' : 'UNKNOWN',
    rejectReason: 'EC_NoError',
    avgPrice: o.avgPrice === null ? '' : px(inst, o.avgPrice),
    leavesQty: qy(inst, leaves),
    leavesValue: money(leaves * (o.price ?? 0)),
    cumExecQty: qy(inst, o.cumExecQty),
    cumExecValue: money(o.cumExecValue),
    cumExecFee: money(o.cumExecFee),
    timeInForce: o.timeInForce,
    orderType: o.orderType,
    stopOrderType: o.stopOrderType,
    orderIv: '',
    triggerPrice: o.trigger ? px(inst, o.trigger.price) : '0',
    takeProfit: o.takeProfit === null ? '0' : px(inst, o.takeProfit),
    stopLoss: o.stopLoss === null ? '0' : px(inst, o.stopLoss),
    tpTriggerBy: o.takeProfit === null ? '' : 'MarkPrice',
    slTriggerBy: o.stopLoss === null ? '' : 'MarkPrice',
    triggerDirection: o.trigger?.direction ?? 0,
    triggerBy: o.trigger?.by ?? '',
    lastPriceOnCreated: '',
    reduceOnly: o.reduceOnly,
    closeOnTrigger: o.closeOnTrigger ?? o.stopOrderType !== '',
    smpType: 'None',
    smpGroup: 0,
    smpOrderId: '',
    tpslMode:
      o.stopOrderType === 'PartialTakeProfit' || o.stopOrderType === 'PartialStopLoss'
        ? 'Partial'
        : o.takeProfit !== null || o.stopLoss !== null
          ? (o.tpslMode ?? 'Full')
          : '',
    tpLimitPrice: '',
    slLimitPrice: '',
    placeType: '',
    createType: o.createType,
    createdTime: ms(o.createdTime),
    updatedTime: ms(o.updatedTime),
  };
}

export function execution(inst: Instrument, e: PaperExecution) {
  return {
    symbol: e.symbol,
    orderId: e.orderId,
    orderLinkId: e.orderLinkId,
    side: e.side,
    orderPrice: e.orderPrice === null ? '0' : px(inst, e.orderPrice),
    orderQty: qy(inst, e.orderQty),
    leavesQty: '0',
    createType: e.createType,
    orderType: e.orderType,
    stopOrderType: e.stopOrderType === '' ? 'UNKNOWN' : e.stopOrderType,
    execFee: money(e.execFee),
    execId: e.execId,
    execPrice: px(inst, e.execPrice),
    execQty: qy(inst, e.execQty),
    execType: e.execType ?? 'Trade',
    execValue: money(e.execPrice * e.execQty),
    execTime: ms(e.execTime),
    feeCurrency: 'USDT',
    isMaker: e.isMaker,
    feeRate: String(e.feeRate),
    tradeIv: '',
    markIv: '',
    markPrice: px(inst, e.markPrice),
    indexPrice: '',
    underlyingPrice: '',
    blockTradeId: '',
    closedSize: qy(inst, e.closedSize),
    seq: Math.floor(e.execTime),
  };
}

export function wallet(acc: PaperAccount, used: { positionIM: number; orderIM: number; upnl: number }) {
  const equity = acc.wallet + used.upnl;
  const im = used.positionIM + used.orderIM;
  const coin = {
    coin: 'USDT',
    equity: money(equity),
    usdValue: money(equity),
    walletBalance: money(acc.wallet),
    free: '',
    locked: '0',
    spotHedgingQty: '0',
    borrowAmount: '0',
    availableToWithdraw: '',
    accruedInterest: '0',
    totalOrderIM: money(used.orderIM),
    totalPositionIM: money(used.positionIM),
    totalPositionMM: money(used.positionIM * MMR * 10),
    unrealisedPnl: money(used.upnl),
    cumRealisedPnl: '0',
    bonus: '0',
    marginCollateral: true,
    collateralSwitch: true,
  };
  return {
    accountType: 'UNIFIED',
    accountLTV: '0',
    accountIMRate: equity > 0 ? (im / equity).toFixed(4) : '0',
    accountMMRate: equity > 0 ? ((used.positionIM * MMR * 10) / equity).toFixed(4) : '0',
    totalEquity: money(equity),
    totalWalletBalance: money(acc.wallet),
    totalMarginBalance: money(equity),
    totalAvailableBalance: money(Math.max(0, equity - im)),
    totalPerpUPL: money(used.upnl),
    totalInitialMargin: money(im),
    totalMaintenanceMargin: money(used.positionIM * MMR * 10),
    coin: [coin],
  };
}

/** A position that just closed, as Bybit's private stream reports it: side "" and zero size. */
export function closedPosition(inst: Instrument, mark: number, leverage: number, now: number) {
  return {
    positionIdx: 0,
    tradeMode: 0,
    riskId: 1,
    riskLimitValue: '2000000',
    symbol: inst.symbol,
    side: '',
    size: '0',
    entryPrice: '0',
    avgPrice: '0',
    sessionAvgPrice: '',
    leverage: String(leverage),
    positionValue: '0',
    positionBalance: '0',
    markPrice: px(inst, mark),
    positionIM: '0',
    positionMM: '0',
    takeProfit: '0',
    stopLoss: '0',
    trailingStop: '0',
    unrealisedPnl: '0',
    curRealisedPnl: '0',
    cumRealisedPnl: '0',
    createdTime: ms(now),
    updatedTime: ms(now),
    tpslMode: 'Full',
    liqPrice: '',
    bustPrice: '',
    positionStatus: 'Normal',
    adlRankIndicator: 0,
    autoAddMargin: 0,
    isReduceOnly: false,
    seq: Math.floor(now),
  };
}
