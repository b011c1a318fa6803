import type { PositionFigures } from '../events.ts';
import type { TieredPosition } from '../trading.ts';
import { positionKey } from './keys.ts';

/** The figures a row carries (see PositionFigures), by name. */
export type Figures = Pick<
  TieredPosition,
  'markPrice' | 'unrealisedPnl' | 'distanceToTpPct' | 'distanceToSlPct' | 'tier'
>;

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/**
 * A position's figures as the row the wire carries, rounded a digit past what any display shows (a
 * distance to 0.001 points, PnL to 0.001 USDT; the popup shows two decimals): a double's seventeen digits
 * would be a third of the row. The mark is sent as the exchange gave it.
 */
export function figuresRow(p: TieredPosition): PositionFigures {
  return [
    positionKey(p),
    p.markPrice,
    round(p.unrealisedPnl, 3),
    p.distanceToTpPct === null ? null : round(p.distanceToTpPct, 3),
    p.distanceToSlPct === null ? null : round(p.distanceToSlPct, 3),
    p.tier,
  ];
}

/** A row back into its position key and named figures. */
export function readFiguresRow(row: PositionFigures): { key: string; figures: Figures } {
  const [key, markPrice, unrealisedPnl, distanceToTpPct, distanceToSlPct, tier] = row;
  return { key, figures: { markPrice, unrealisedPnl, distanceToTpPct, distanceToSlPct, tier } };
}
