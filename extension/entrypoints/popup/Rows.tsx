import type { TieredPosition } from '@tierwatch/shared';
import { positionKey } from '@tierwatch/shared';
import { useState } from 'preact/hooks';
import { formatPct, formatPnl, formatPrice, formatQty } from '../../utils/display.ts';
import { liquidationDistancePct, markValue, mirrorSync, nearSide, roiPct } from '../../utils/metrics.ts';
import { type Family, flagNotes, gaugePosition } from '../../utils/view.ts';
import { AlertControls } from './AlertControls.tsx';
import { PositionActions } from './PositionActions.tsx';

/**
 * One family of the glance: the main leg's row, its mirrors folded into one line under it ("mirror1 ×0.5
 * in sync", or what drifted), expanded on demand. A row reads like Bybit's positions panel (entry, mark,
 * liquidation, leverage, value, PnL and ROI) above the SL↔TP gauge; a click opens its detail view.
 */

interface FamilyProps {
  family: Family;
  ratios: Map<string, number>;
  focus: string | null;
  onOpen: (key: string) => void;
  /** "stale 42 s" for a leg whose account's data is not live (freshness.ts), else null. */
  staleOf: (account: string) => string | null;
}

export function FamilyRows({ family, ratios, focus, onOpen, staleOf }: FamilyProps) {
  const focusInMirrors = family.mirrors.some((m) => positionKey(m) === focus);
  const [expanded, setExpanded] = useState(focusInMirrors);
  const syncs = family.mirrors.map((m) => ({ m, ratio: ratios.get(m.account) ?? null }));
  const states = syncs.map(({ m, ratio }) => ({ m, ratio, sync: mirrorSync(family.main, m, ratio) }));
  const drift = states.some((s) => !s.sync.inSync);
  return (
    <div class="family">
      <Row p={family.main} focus={focus} onOpen={onOpen} stale={staleOf(family.main.account)} />
      <AlertControls family={family.key} />
      <PositionActions family={family} />
      {states.length > 0 && (
        <button
          type="button"
          class={`mirrors${drift ? ' drift' : ''}`}
          aria-expanded={expanded || focusInMirrors}
          onClick={() => setExpanded(!expanded)}
          data-testid="mirror-line"
          data-drift={drift}
        >
          <span aria-hidden="true">↳ </span>
          {states.map(({ m, ratio, sync }, i) => (
            <span key={m.account}>
              {i > 0 && ' · '}
              {m.account} ×{ratio ?? '?'} {sync.inSync ? 'in sync' : sync.text}
            </span>
          ))}
          <span class="chev" aria-hidden="true">
            {expanded || focusInMirrors ? '▾' : '▸'}
          </span>
        </button>
      )}
      {(expanded || focusInMirrors) &&
        states.map(({ m, ratio }) => (
          <Row key={m.account} p={m} focus={focus} onOpen={onOpen} mirrorRatio={ratio} stale={staleOf(m.account)} />
        ))}
    </div>
  );
}

interface RowProps {
  p: TieredPosition;
  focus: string | null;
  onOpen: (key: string) => void;
  mirrorRatio?: number | null;
  /** Its account's data is not live: how old the figures are ("stale 42 s"). */
  stale?: string | null;
}

export function Row({ p, focus, onOpen, mirrorRatio, stale = null }: RowProps) {
  const key = positionKey(p);
  const mirror = mirrorRatio !== undefined;
  const notes = flagNotes(p);
  const near = nearSide(p);
  const liqFirst = p.flags.includes('LIQ_BEFORE_SL');
  const roi = roiPct(p);
  const value = markValue(p);
  const open = () => onOpen(key);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the symbol button is the keyboard path to the same view
    // biome-ignore lint/a11y/noStaticElementInteractions: the whole row is a click target for the mouse
    <div
      class={`pos t-${p.tier}${near ? ` near-${near}` : ''}${mirror ? ' mirror' : ''}${focus === key ? ' focused' : ''}${liqFirst ? ' liq-first' : ''}${stale ? ' stale' : ''}`}
      data-testid="position-row"
      data-key={key}
      data-tier={p.tier}
      data-stale={stale !== null}
      data-near={near ?? ''}
      onClick={open}
    >
      <div class="line">
        <button
          type="button"
          class="sym"
          onClick={(e) => {
            e.stopPropagation();
            open();
          }}
          title="Details"
          data-testid="row-open"
        >
          {mirror ? `↳ ${p.account}` : p.symbol}
        </button>
        <span class={`side ${p.side}`}>
          {p.side}
          {p.leverage !== null && <span class="lev"> {p.leverage}×</span>}
        </span>
        <span class={`pnl ${p.unrealisedPnl >= 0 ? 'up' : 'down'}`} title="unrealised PnL and ROI">
          {formatPnl(p.unrealisedPnl)}
          {roi !== null && <span class="roi"> {formatSignedPct(roi)}</span>}
        </span>
        <span class="acct" title="account">
          {mirror ? `×${mirrorRatio ?? '?'}` : p.account}
        </span>
        {stale && (
          <span class="stale-mark" data-testid="row-stale" title="this account’s exchange data is not updating">
            {stale}
          </span>
        )}
      </div>
      <div class="figs" data-testid="row-figures">
        <span>
          <abbr title="size">qty</abbr> {formatQty(p.size)}
        </span>
        <span>
          <abbr title="entry price">entry</abbr> {formatPrice(p.entryPrice)}
        </span>
        <span>
          <abbr title="mark price">mark</abbr> {formatPrice(p.markPrice)}
        </span>
        <span class={liqFirst ? 'liq bad' : 'liq'} title={`liquidation ${formatPct(liquidationDistancePct(p))} away`}>
          <abbr title="liquidation price">liq</abbr> {formatPrice(p.liquidationPrice)}
        </span>
        <span>
          <abbr title="value at the mark, USDT">val</abbr> {value === null ? '—' : formatPnl(value).replace('+', '')}
        </span>
      </div>
      <Gauge p={p} near={near} />
      {notes.length > 0 && (
        <div class="flags" data-testid="position-flags">
          <span aria-hidden="true">⚠ </span>
          {notes.join(' · ')}
        </div>
      )}
    </div>
  );
}

const formatSignedPct = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v).toFixed(1)}%`;

export function Gauge({ p, near }: { p: TieredPosition; near: 'sl' | 'tp' | null }) {
  const at = gaugePosition(p);
  return (
    <div
      class="gauge"
      title={`mark ${formatPrice(p.markPrice)} · SL ${formatPrice(p.stopLoss)} · TP ${formatPrice(p.takeProfit)}`}
    >
      <span class={`gl sl${near === 'sl' ? ' hot' : ''}`}>
        {near === 'sl' && <span aria-hidden="true">▼ </span>}
        {p.stopLoss === null ? 'no SL' : `SL ${formatPct(p.distanceToSlPct)}`}
      </span>
      <span class={`bar${at === null ? ' none' : ''}`}>
        {at !== null && <i style={{ left: `${(at * 100).toFixed(1)}%` }} />}
      </span>
      <span class={`gl tp${near === 'tp' ? ' hot' : ''}`}>
        {p.takeProfit === null ? 'no TP' : `TP ${formatPct(p.distanceToTpPct)}`}
        {near === 'tp' && <span aria-hidden="true"> ▲</span>}
      </span>
    </div>
  );
}
