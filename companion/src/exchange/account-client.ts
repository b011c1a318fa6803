import type { Account, Balance, Order, Position, PositionSide } from '@tierwatch/shared';
import { AccountCalls, type AccountClientDeps, type Loose, type Page } from './account-calls.ts';
import type { Bybit } from './bybit.ts';
import { type CloseCause, closeCauses } from './close-cause.ts';
import { classifyError, type ExchangeCallError } from './errors.ts';
import { notWatched, toBalances, toOrder, toPositions } from './normalize.ts';
import type {
  AccountClient,
  CallOptions,
  FoundOrder,
  PlacedOrder,
  PlaceOrderRequest,
  TradingStopLevels,
} from './types.ts';

const POSITIONS_PAGE = 200;
const ORDERS_PAGE = 50;
/** Per-symbol execution lookups one close-cause call may make (a mass close is explained by the history page). */
const MAX_EXECUTION_LOOKUPS = 10;
/** Bybit one-way mode: every linear position has positionIdx 0. */
const ONE_WAY = 0;

/** One account's private calls through ccxt, each paced by the shared budget, counted, and classified. */
export class CcxtAccountClient implements AccountClient {
  private readonly calls: AccountCalls;

  constructor(
    readonly account: Account,
    private readonly ex: Bybit,
    deps: AccountClientDeps,
  ) {
    this.calls = new AccountCalls(account.name, deps);
  }

  /** Why the account is stopped (bad credentials), or null. */
  get stoppedBy(): ExchangeCallError | null {
    return this.calls.stoppedBy;
  }

  async fetchPositions(opts: CallOptions): Promise<Position[]> {
    const rows = await this.calls.pages('position-read', 'position/list', opts, POSITIONS_PAGE, (params) =>
      this.ex.privateGetV5PositionList({ category: 'linear', settleCoin: 'USDT', ...params }),
    );
    return toPositions(this.account.name, rows);
  }

  async fetchOpenOrders(opts: CallOptions): Promise<Order[]> {
    const rows = await this.calls.pages('order-read', 'order/realtime', opts, ORDERS_PAGE, (params) =>
      this.ex.privateGetV5OrderRealtime({ category: 'linear', settleCoin: 'USDT', ...params }),
    );
    return rows
      .filter((raw) => !notWatched(raw))
      .map((raw) => toOrder(this.account.name, this.ex.parseOrder(raw) as unknown as Loose));
  }

  async fetchBalances(opts: CallOptions): Promise<Balance[]> {
    const balance = await this.calls.call('account-read', 'account/wallet-balance', opts, () => this.ex.fetchBalance());
    return toBalances(this.account.name, balance as unknown as Loose);
  }

  /** Never retried here: a retry could place a second order. The execution layer looks the order up first. */
  async placeOrder(req: PlaceOrderRequest, opts: CallOptions): Promise<PlacedOrder> {
    const params: Loose = { clientOrderId: req.clientOrderId, positionIdx: ONE_WAY, reduceOnly: req.reduceOnly };
    if (req.takeProfit !== null) params.takeProfit = { triggerPrice: req.takeProfit };
    if (req.stopLoss !== null) params.stopLoss = { triggerPrice: req.stopLoss };
    const order = await this.calls.call(
      'order-write',
      'order/create',
      opts,
      () =>
        this.ex.createOrder(
          this.unified(req.symbol),
          req.type,
          req.side === 'long' ? 'buy' : 'sell',
          req.qty,
          req.type === 'limit' ? (req.price ?? undefined) : undefined,
          params,
        ),
      false,
    );
    return {
      orderId: String(order.id),
      clientOrderId: req.clientOrderId,
      status: 'open',
      qty: req.qty,
      filledQty: 0,
      avgPrice: null,
    };
  }

  async findOrder(clientOrderId: string, symbol: string, opts: CallOptions): Promise<FoundOrder | null> {
    const query = { category: 'linear', symbol, orderLinkId: clientOrderId };
    // Open and recently closed orders first, then the order history.
    for (const [endpoint, fetch] of [
      ['order/realtime', () => this.ex.privateGetV5OrderRealtime(query)],
      ['order/history', () => this.ex.privateGetV5OrderHistory(query)],
    ] as const) {
      const page = (await this.calls.call('order-read', endpoint, opts, fetch)) as Page;
      const raw = page.result?.list?.[0];
      if (raw) {
        const o = toOrder(this.account.name, this.ex.parseOrder(raw) as unknown as Loose);
        return {
          orderId: o.id,
          clientOrderId,
          status: o.status,
          qty: o.qty,
          filledQty: o.filledQty,
          avgPrice: Number(raw.avgPrice) > 0 ? Number(raw.avgPrice) : null,
          symbol: o.symbol,
          side: o.side,
          type: o.type,
          price: o.price,
          reduceOnly: o.reduceOnly,
          takeProfit: o.takeProfit,
          stopLoss: o.stopLoss,
        };
      }
    }
    return null;
  }

  async cancelOrder(orderId: string, symbol: string, opts: CallOptions): Promise<void> {
    await this.calls.call(
      'order-write',
      'order/cancel',
      opts,
      () => this.ex.cancelOrder(orderId, this.unified(symbol)),
      false,
    );
  }

  async setTradingStop(
    symbol: string,
    _side: PositionSide,
    levels: TradingStopLevels,
    opts: CallOptions,
  ): Promise<void> {
    const request: Loose = { category: 'linear', symbol, positionIdx: ONE_WAY, tpslMode: 'Full' };
    // "0" cancels a level on Bybit; an absent key leaves it as it is.
    if (levels.takeProfit !== undefined) request.takeProfit = String(levels.takeProfit ?? 0);
    if (levels.stopLoss !== undefined) request.stopLoss = String(levels.stopLoss ?? 0);
    if (levels.trailingStop !== undefined) request.trailingStop = String(levels.trailingStop ?? 0);
    if (levels.activePrice !== undefined && levels.activePrice !== null)
      request.activePrice = String(levels.activePrice);
    await this.calls.call('trading-stop', 'position/trading-stop', opts, () =>
      this.ex.privatePostV5PositionTradingStop(request),
    );
  }

  async fetchFeeRate(symbol: string, opts: CallOptions): Promise<{ taker: number; maker: number }> {
    const page = (await this.calls.call('account-read', 'account/fee-rate', opts, () =>
      this.ex.privateGetV5AccountFeeRate({ category: 'linear', symbol }),
    )) as Page;
    const row = page.result?.list?.find((r) => r.symbol === symbol);
    const taker = Number(row?.takerFeeRate);
    const maker = Number(row?.makerFeeRate);
    if (!row || !Number.isFinite(taker) || !Number.isFinite(maker))
      throw classifyError(new Error(`account/fee-rate answered no rate for ${symbol}`), this.account.name, 0);
    return { taker, maker };
  }

  async fetchFeeRates(opts: CallOptions): Promise<Map<string, { taker: number; maker: number }>> {
    const page = (await this.calls.call('account-read', 'account/fee-rate', opts, () =>
      this.ex.privateGetV5AccountFeeRate({ category: 'linear' }),
    )) as Page;
    const out = new Map<string, { taker: number; maker: number }>();
    for (const r of page.result?.list ?? []) {
      const taker = Number(r.takerFeeRate);
      const maker = Number(r.makerFeeRate);
      if (typeof r.symbol === 'string' && Number.isFinite(taker) && Number.isFinite(maker))
        out.set(r.symbol, { taker, maker });
    }
    return out;
  }

  /** Never retried here, like placeOrder: the execution layer reads the open orders back instead. */
  async cancelAllOrders(symbol: string, opts: CallOptions): Promise<void> {
    await this.calls.call(
      'order-write',
      'order/cancel-all',
      opts,
      () => this.ex.privatePostV5OrderCancelAll({ category: 'linear', symbol }),
      false,
    );
  }

  async closePosition(
    symbol: string,
    side: PositionSide,
    clientOrderId: string,
    opts: CallOptions,
  ): Promise<PlacedOrder> {
    const page = (await this.calls.call('position-read', 'position/list', opts, () =>
      this.ex.privateGetV5PositionList({ category: 'linear', symbol }),
    )) as Page;
    const size = Number(page.result?.list?.find((p) => Number(p.size) > 0)?.size ?? 0);
    if (!(size > 0))
      throw classifyError(new Error(`no open ${side} position on ${symbol} to close`), this.account.name, 0);
    return this.placeOrder(
      {
        symbol,
        side: side === 'long' ? 'short' : 'long',
        type: 'market',
        qty: size,
        price: null,
        takeProfit: null,
        stopLoss: null,
        reduceOnly: true,
        clientOrderId,
      },
      opts,
    );
  }

  async fetchCloseCauses(symbols: readonly string[], since: number, opts: CallOptions): Promise<CloseCause[]> {
    const wanted = new Set(symbols);
    // One page of the whole account's recent orders explains every close of one read in one call; only a
    // symbol it leaves out (pushed past the page by other orders, or a liquidation's bust fill) costs more.
    const history = (await this.calls.call('order-read', 'order/history', opts, () =>
      this.ex.privateGetV5OrderHistory({ category: 'linear', settleCoin: 'USDT', limit: ORDERS_PAGE }),
    )) as Page;
    const found = closeCauses(history.result?.list ?? [], wanted, since);
    const missing = symbols.filter((s) => !found.some((c) => c.symbol === s));
    for (const symbol of [...new Set(missing)].slice(0, MAX_EXECUTION_LOOKUPS)) {
      const page = (await this.calls.call('order-read', 'execution/list', opts, () =>
        this.ex.privateGetV5ExecutionList({ category: 'linear', symbol, startTime: Math.floor(since), limit: 100 }),
      )) as Page;
      found.push(...closeCauses(page.result?.list ?? [], new Set([symbol]), since));
    }
    return found;
  }

  private unified(symbol: string): string {
    return this.ex.market(symbol).symbol;
  }
}
