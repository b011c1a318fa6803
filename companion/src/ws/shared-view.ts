import {
  type AccountFreshness,
  figuresRow,
  type PositionKey,
  type PositionsUpdated,
  positionKey,
  refOf,
  type TieredPosition,
} from '@tierwatch/shared';
import { freshnessChanged, viewChange } from './view-change.ts';

interface Published {
  position: TieredPosition;
  /** The generation of its last change past the threshold, and of its last change beyond the figures. */
  gen: number;
  fullGen: number;
}

/** What one socket has of the view: every change up to `gen`; `allAccounts` once after a snapshot. */
export interface ViewCursor {
  gen: number;
  allAccounts: boolean;
}

/**
 * The served view, once for every socket (handbook decision 9). Each `refresh` compares the book with what
 * was last published and stamps each position that changed past the threshold with a new generation; a
 * socket that has been sent everything up to generation g is owed exactly the entries stamped after g.
 * So the threshold is measured against what that socket was last sent, and sockets at the same generation
 * (every socket keeping up) share one encoded frame; only a laggard has its own catch-up built.
 */
export class SharedView {
  gen = 0;
  private at = 0;
  private readonly published = new Map<string, Published>();
  /** Positions gone from the book, kept until every socket (and the cached snapshot) is past them. */
  private readonly removed = new Map<string, { ref: PositionKey; gen: number }>();
  private readonly accounts = new Map<string, { freshness: AccountFreshness; gen: number }>();
  private readonly frames = new Map<string, Buffer>();
  builds = 0;

  constructor(private readonly markStep: number) {}

  /** Takes the book as it is now; true when anything changed past the threshold (a new generation). */
  refresh(positions: readonly TieredPosition[], freshness: readonly AccountFreshness[], now: number): boolean {
    const next = this.gen + 1;
    let changed = false;
    const seen = new Set<string>();
    for (const p of positions) {
      const key = positionKey(p);
      seen.add(key);
      const prev = this.published.get(key);
      const change = prev ? viewChange(prev.position, p, this.markStep) : 'full';
      if (change === 'none') continue;
      changed = true;
      this.published.set(key, { position: p, gen: next, fullGen: change === 'full' ? next : (prev?.fullGen ?? next) });
      if (!prev) this.removed.delete(key);
    }
    if (seen.size !== this.published.size) {
      for (const [key, e] of this.published) {
        if (seen.has(key)) continue;
        this.published.delete(key);
        this.removed.set(key, { ref: refOf(e.position), gen: next });
        changed = true;
      }
    }
    for (const f of freshness) {
      const prev = this.accounts.get(f.account);
      if (prev && !freshnessChanged(prev.freshness, f)) continue;
      this.accounts.set(f.account, { freshness: f, gen: next });
      changed = true;
    }
    if (changed) {
      this.gen = next;
      this.at = now;
      this.frames.clear();
    }
    return changed;
  }

  /** The published positions and freshness: what a snapshot built now carries (cursor: this.gen). */
  positions(): TieredPosition[] {
    return [...this.published.values()].map((e) => e.position);
  }

  freshness(): AccountFreshness[] {
    return [...this.accounts.values()].map((a) => a.freshness);
  }

  /**
   * Whether a socket at `cursor` is owed anything. The accounts a snapshot's cursor asks for ride along
   * with its first real change (the snapshot itself holds them), never as an update of their own.
   */
  behind(cursor: ViewCursor): boolean {
    return cursor.gen < this.gen;
  }

  /** What a socket at `cursor` is owed, reflecting events up to `seq`; built once per (cursor, seq). */
  frame(cursor: ViewCursor, seq: number): Buffer {
    const id = `${cursor.gen}:${cursor.allAccounts}:${seq}`;
    let frame = this.frames.get(id);
    if (frame === undefined) {
      frame = Buffer.from(JSON.stringify(this.update(cursor, seq)));
      this.frames.set(id, frame);
      this.builds++;
    }
    return frame;
  }

  update(cursor: ViewCursor, seq: number): PositionsUpdated {
    const msg: PositionsUpdated = {
      type: 'positions-updated',
      seq,
      at: this.at,
      positions: [],
      figures: [],
      removed: [],
      accounts: [],
    };
    for (const e of this.published.values()) {
      if (e.gen <= cursor.gen) continue;
      if (e.fullGen > cursor.gen) msg.positions.push(e.position);
      else msg.figures.push(figuresRow(e.position));
    }
    for (const r of this.removed.values()) if (r.gen > cursor.gen) msg.removed.push(r.ref);
    for (const a of this.accounts.values())
      if (cursor.allAccounts || a.gen > cursor.gen) msg.accounts.push(a.freshness);
    return msg;
  }

  /** Forgets removals every socket has been sent (`oldest`: the lowest cursor still in use). */
  prune(oldest: number): void {
    for (const [key, r] of this.removed) if (r.gen <= oldest) this.removed.delete(key);
  }
}
