import { PROTOCOL_VERSION, type Snapshot } from '@tierwatch/shared';
import type { Clock } from '../core/clock.ts';
import type { WsConfig } from './config.ts';
import { SharedView } from './shared-view.ts';
import { SharedSnapshot } from './snapshot.ts';
import { ViewPump, type ViewTarget } from './view-pump.ts';

/**
 * What the snapshot needs from the rest of the companion (the read model: the monitor's book, the account
 * list, each account's freshness).
 */
export type SnapshotParts = Pick<
  Snapshot,
  'accounts' | 'positions' | 'tierCounts' | 'stats' | 'guardMode' | 'freshness'
>;

export interface LiveViewDeps {
  config: WsConfig;
  clock: Clock;
  instance: string;
  snapshot: () => SnapshotParts;
  /** The served view, read a few times a second while sockets are open; absent: no positions-updated. */
  view: (() => Pick<SnapshotParts, 'positions' | 'freshness'>) | undefined;
  alerts: () => Snapshot['alerts'];
  targets: () => Iterable<ViewTarget>;
  onError: (err: unknown) => void;
}

/**
 * The hub's two ways of telling a socket the state: the shared snapshot (on connect, resnapshot) and the
 * pump of positions-updated after it. They share one view: a snapshot carries the view as published,
 * refreshed as it is built, so a socket sent it sits at that generation and the updates that follow are
 * measured from exactly what it holds.
 */
export function createLiveView(d: LiveViewDeps): { snapshots: SharedSnapshot; pump: ViewPump } {
  const view = new SharedView(d.config.viewMarkStepPct / 100);
  const snapshots = new SharedSnapshot((at, now) => {
    const parts = d.snapshot();
    if (d.view) {
      view.refresh(parts.positions, parts.freshness ?? [], now);
      parts.positions = view.positions();
      parts.freshness = view.freshness();
    }
    const snap: Snapshot = {
      type: 'snapshot',
      protocol: PROTOCOL_VERSION,
      seq: at,
      at: now,
      instance: d.instance,
      ...parts,
      alerts: d.alerts(),
    };
    return { frame: Buffer.from(JSON.stringify(snap)), gen: view.gen };
  }, d.config.snapshotMaxAgeMs);
  const read = d.view;
  const pump = new ViewPump({
    view,
    clock: d.clock,
    slotMs: 1000 / d.config.viewUpdatesPerSec,
    targets: d.targets,
    read: () => read?.() ?? { positions: [] },
    snapshotGen: () => snapshots.cachedGen,
    onError: d.onError,
  });
  return { snapshots, pump };
}
