import {
  createChart,
  type IChartApi,
  type ISeriesApi,
  LineSeries,
  LineStyle,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useRef } from 'preact/hooks';
import { type ChartLevel, type MarkPoint, priceDecimals, priceRange } from '../../utils/chart-data.ts';

/**
 * The detail view's price chart: TradingView's lightweight-charts, in a chunk of its own that only the
 * detail view imports (Detail.tsx loads this file with import()), so the popup's first load stays small.
 * The marks as a line, entry / TP / SL / liquidation as horizontal lines, all kept in view.
 */

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

const COLOURS: Record<ChartLevel['kind'], string> = {
  entry: '--fg',
  tp: '--tp',
  sl: '--sl',
  liq: '--liq',
};

export default function Chart({ points, levels }: { points: MarkPoint[]; levels: ChartLevel[] }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<'Line'> | null>(null);
  const range = useRef(priceRange(points, levels));
  range.current = priceRange(points, levels);

  useEffect(() => {
    if (!box.current) return;
    const c = createChart(box.current, {
      autoSize: true,
      layout: { background: { color: css('--bg') }, textColor: css('--fg'), attributionLogo: true },
      grid: { vertLines: { color: css('--line') }, horzLines: { color: css('--line') } },
      rightPriceScale: { borderColor: css('--line') },
      timeScale: { borderColor: css('--line'), timeVisible: true, secondsVisible: true },
    });
    const s = c.addSeries(LineSeries, {
      color: css('--accent'),
      lineWidth: 2,
      priceLineVisible: false,
      autoscaleInfoProvider: () =>
        range.current ? { priceRange: { minValue: range.current.min, maxValue: range.current.max } } : null,
    });
    chart.current = c;
    series.current = s;
    return () => {
      c.remove();
      chart.current = null;
      series.current = null;
    };
  }, []);

  useEffect(() => {
    const s = series.current;
    if (!s) return;
    const precision = priceDecimals([...levels.map((l) => l.price), ...points.slice(-1).map((p) => p.value)]);
    s.applyOptions({ priceFormat: { type: 'price', precision, minMove: 10 ** -precision } });
    const lines = levels.map((l) =>
      s.createPriceLine({
        price: l.price,
        color: css(COLOURS[l.kind]),
        lineWidth: l.kind === 'entry' ? 1 : 2,
        lineStyle: l.kind === 'entry' ? LineStyle.Dotted : l.kind === 'liq' ? LineStyle.Dashed : LineStyle.Solid,
        axisLabelVisible: true,
        title: l.title,
      }),
    );
    return () => {
      for (const line of lines) s.removePriceLine(line);
    };
  }, [levels]);

  useEffect(() => {
    series.current?.setData(points.map((p) => ({ time: p.time as UTCTimestamp, value: p.value })));
    chart.current?.timeScale().fitContent();
  }, [points]);

  return (
    <figure class="chart-fig">
      <div class="chart" ref={box} data-testid="detail-chart" />
      <figcaption class="sr-only">Mark price with entry, TP, SL and liquidation drawn as lines</figcaption>
    </figure>
  );
}
