import type { Order, StreamState, TieredPosition } from '@tierwatch/shared';
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { createApi } from '../../utils/api.ts';
import { appendMark, type ChartLevel, type MarkPoint } from '../../utils/chart-data.ts';
import { loadSettings } from '../../utils/settings.ts';

// What a position's detail view reads while it is open: the chart's code, the marks, the open orders.

export type ChartProps = { points: MarkPoint[]; levels: ChartLevel[] };

/** The chart's code loads only here, in its own chunk (null until it has). */
export function useChartComponent(): ComponentType<ChartProps> | null {
  const [Chart, setChart] = useState<ComponentType<ChartProps> | null>(null);
  useEffect(() => {
    let gone = false;
    void import('./Chart.tsx').then((m) => {
      if (!gone) setChart(() => m.default);
    });
    return () => {
      gone = true;
    };
  }, []);
  return Chart;
}

/** The chart's line: each mark the stream brings (the background pushes every positions-updated here). */
export function useMarks(stream: StreamState, p: TieredPosition | undefined): MarkPoint[] {
  const [points, setPoints] = useState<MarkPoint[]>(() => (p ? appendMark([], stream.at, p.markPrice) : []));
  const mark = p?.markPrice;
  useEffect(() => {
    if (mark !== undefined) setPoints((pts) => appendMark(pts, stream.at, mark));
  }, [mark, stream.at]);
  return points;
}

/**
 * Open orders on the position's symbol, once on opening and on each `refresh()`: a cached orders read may
 * cost the exchange a call, so nothing re-reads them by itself.
 */
export function useOpenOrders(keyOf: string, account: string) {
  const [orders, setOrders] = useState<Order[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [asked, setAsked] = useState(0);
  useEffect(() => {
    let gone = false;
    setOrders(null);
    void loadSettings().then(async (s) => {
      try {
        const res = await createApi({ baseUrl: s.baseUrl, token: s.token }).orders({
          account_name: account,
          use_cache: true,
        });
        if (gone) return;
        const symbol = keyOf.split(':')[1];
        setOrders(res.data.filter((o) => o.symbol === symbol));
        setError(null);
      } catch (err) {
        if (!gone) setError(err instanceof Error ? err.message : String(err));
      }
    });
    return () => {
      gone = true;
    };
  }, [keyOf, account, asked]);
  return { orders, error, refresh: () => setAsked((n) => n + 1) };
}
