import type { TieredPosition } from '@tierwatch/shared';
import { positionKey } from '@tierwatch/shared';

/**
 * The stream's positions with fresher figures. The socket pushes tiers as they change, but a position's
 * mark, PnL and distances only with a snapshot or a CRITICAL event; while the popup or side panel is open it
 * reads the monitor's picture (GET /api/v1/monitor/positions, memory only) every few seconds and takes the
 * figures from there. The tier stays the stream's, so the tier bar, the groups, the badge and the
 * notifications never disagree; positions the stream does not hold are left to it. A position the stream
 * changed after the read went out (`base`: the stream's positions then; a CRITICAL event carries the whole
 * position) is newer than the read, and stays the stream's.
 */
export function withLiveFigures(
  positions: Record<string, TieredPosition>,
  live: readonly TieredPosition[] | null,
  base?: Record<string, TieredPosition>,
): Record<string, TieredPosition> {
  if (!live || live.length === 0) return positions;
  const out: Record<string, TieredPosition> = { ...positions };
  for (const p of live) {
    const key = positionKey(p);
    const known = positions[key];
    if (!known || (base !== undefined && base[key] !== known)) continue;
    out[key] = known.tier === p.tier ? p : { ...p, tier: known.tier };
  }
  return out;
}
