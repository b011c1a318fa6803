import { z } from 'zod';
import { Account } from './account.ts';
import { ExecuteResult, ProtocolError } from './execute.ts';
import { DataSource, GuardMode, MonitorStats } from './monitor.ts';
import { AccountName, EpochMs, Price, SymbolName } from './primitives.ts';
import { Tier, TierCounts } from './tier.ts';
import { PositionSide, TieredPosition } from './trading.ts';

/** Bumped on any incompatible change to a message below; sent in `hello` and `snapshot`. */
export const PROTOCOL_VERSION = 1;

/** Identifies one position across accounts: account + symbol + side (Bybit one-way or hedge mode). */
export const PositionKey = z.object({ account: AccountName, symbol: SymbolName, side: PositionSide });
export type PositionKey = z.infer<typeof PositionKey>;

/**
 * Why a position closed, as the exchange tells it (its order and execution history): its take-profit, its
 * stop-loss, a trailing stop, a liquidation (or another close forced by the exchange: ADL, takeover), a
 * Tierwatch action (the close carries a client order id the companion sent), or by hand (any other order
 * of the trader's). `unknown` only when the exchange explains nothing.
 */
export const CloseReason = z.enum(['tp', 'sl', 'trailing-stop', 'liquidation', 'action', 'manual', 'unknown']);
export type CloseReason = z.infer<typeof CloseReason>;

const Seq = z.number().int().positive();
const base = { seq: Seq, at: EpochMs };

/** Events published on the companion's bus and pushed to every socket, in `seq` order. */
export const StreamEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('tier-changed'), ...base, ...PositionKey.shape, from: Tier.nullable(), to: Tier }),
  z.object({
    type: z.literal('critical'),
    ...base,
    position: TieredPosition,
    reason: z.enum(['near-tp', 'near-sl']),
  }),
  /**
   * A position now has LIQ_BEFORE_SL (opened so, or its SL, leverage or margin changed): its liquidation
   * price comes before its SL, so the SL cannot fire. Not sent for positions found so at start-up; their
   * flag is in the snapshot.
   */
  z.object({ type: z.literal('liquidation-before-sl'), ...base, position: TieredPosition }),
  z.object({
    type: z.literal('tp-hit'),
    ...base,
    ...PositionKey.shape,
    price: Price,
    level: Price,
  }),
  z.object({
    type: z.literal('sl-hit'),
    ...base,
    ...PositionKey.shape,
    price: Price,
    level: Price,
  }),
  z.object({
    type: z.literal('position-closed'),
    ...base,
    ...PositionKey.shape,
    reason: CloseReason,
    /** The closing fill's average price, when the exchange's history gave it. */
    price: Price.optional(),
  }),
  z.object({
    type: z.literal('position-resized'),
    ...base,
    ...PositionKey.shape,
    fromSize: z.number().positive(),
    toSize: z.number().positive(),
  }),
  z.object({
    type: z.literal('missing-sl'),
    ...base,
    ...PositionKey.shape,
    action: z.enum(['alerted', 'replaced', 'replace-failed']),
  }),
  z.object({
    type: z.literal('mirror-drift'),
    ...base,
    main: AccountName,
    mirror: AccountName,
    symbol: SymbolName,
    side: PositionSide,
    action: z.enum(['alerted', 'closed', 'close-failed']),
  }),
  z.object({
    type: z.literal('execution-started'),
    ...base,
    executionId: z.string(),
    symbol: SymbolName,
    side: PositionSide,
  }),
  z.object({ type: z.literal('execution-finished'), ...base, result: ExecuteResult }),
  /** A finished execution learned more: its market legs' fills (quantity, average price) read back. */
  z.object({ type: z.literal('execution-updated'), ...base, result: ExecuteResult }),
  z.object({
    type: z.literal('guard-mode'),
    ...base,
    mode: GuardMode,
    reason: z.enum(['execution-started', 'execution-finished', 'timeout', 'error']),
  }),
  z.object({ type: z.literal('stats'), ...base, stats: MonitorStats }),
  /**
   * An account's key needs the trader: it expires within days (sent once a day from 7 days before), or the
   * exchange now refuses it and every read of the account fails (sent once, when that starts).
   */
  z.object({
    type: z.literal('key-health'),
    ...base,
    account: AccountName,
    status: z.enum(['expiring', 'refused']),
    expiresAt: EpochMs.nullable(),
    message: z.string(),
  }),
  /** A stream's data source switched: to poll when it went stale or down, back to stream once live. */
  z.object({
    type: z.literal('source-changed'),
    ...base,
    /** 'public' (tickers) or an account's name. */
    stream: z.string(),
    account: z.string().nullable(),
    from: DataSource,
    to: DataSource,
    reason: z.enum(['live', 'stale', 'down']),
  }),
]);
export type StreamEvent = z.infer<typeof StreamEvent>;
export type StreamEventType = StreamEvent['type'];
/** An event before the hub stamps it with its sequence number. */
export type BusEvent = StreamEvent extends infer E ? (E extends StreamEvent ? Omit<E, 'seq'> : never) : never;

export const Alert = z.object({
  seq: Seq,
  at: EpochMs,
  severity: z.enum(['critical', 'warning', 'info']),
  kind: z.string(),
  account: AccountName.nullable(),
  symbol: SymbolName.nullable(),
  /** The position's side, when the alert is about one position (older companions leave it out). */
  side: PositionSide.optional(),
  message: z.string(),
});
export type Alert = z.infer<typeof Alert>;

export const Hello = z.object({
  type: z.literal('hello'),
  protocol: z.literal(PROTOCOL_VERSION),
  serverVersion: z.string(),
  /** The newest sequence number the server has issued (0 before any event). */
  lastSeq: z.number().int().nonnegative(),
  /**
   * This run of the companion. Sequence numbers restart with it, so a client resumes with `lastSeq` and
   * `instance` together; after a restart it gets a fresh snapshot instead of another run's events.
   */
  instance: z.string().min(1).max(64),
});

/**
 * How fresh one account's data is, as the popup shows it: `live` while its reads (or its stream) answer;
 * `stale` once they fail or fall silent past what its cadence allows (its rows show their age); `down` when
 * nothing about it is known at all yet. `problem` is in words a trader reads (the raw error goes to the
 * companion's log and the stats' `lastError`).
 */
export const AccountFreshness = z.object({
  account: AccountName,
  status: z.enum(['live', 'stale', 'down']),
  /** When the companion last had good data for this account (a read or a push); null before any. */
  dataAt: EpochMs.nullable(),
  problem: z.string().max(300).nullable(),
});
export type AccountFreshness = z.infer<typeof AccountFreshness>;

export const Snapshot = z.object({
  type: z.literal('snapshot'),
  protocol: z.literal(PROTOCOL_VERSION),
  /** The snapshot reflects every event up to and including this one; events that follow start at seq+1. */
  seq: z.number().int().nonnegative(),
  at: EpochMs,
  /** As in `hello`: the run of the companion whose sequence numbers `seq` counts. */
  instance: z.string().min(1).max(64),
  accounts: z.array(Account),
  positions: z.array(TieredPosition),
  tierCounts: TierCounts,
  stats: MonitorStats.nullable(),
  guardMode: GuardMode,
  alerts: z.array(Alert),
  /** Every account's freshness (older companions leave it out). */
  freshness: z.array(AccountFreshness).optional(),
});
export type Snapshot = z.infer<typeof Snapshot>;

export const ErrorFrame = z.object({ type: z.literal('error'), ...ProtocolError.shape });

/**
 * The answer to a client's `{type:'ping'}`: proof of life for clients that cannot see protocol-level pings
 * (browsers), carrying the newest seq so a quiet client can tell it missed nothing. Deliberately not part
 * of `ServerMessage`: clients that predate it drop it as unknown (after it has reset their silence timer).
 */
export const Pong = z.object({
  type: z.literal('pong'),
  at: EpochMs,
  lastSeq: z.number().int().nonnegative(),
});
export type Pong = z.infer<typeof Pong>;

/**
 * The figures of a position that move with its mark, what changes between two pushes of an unchanged
 * one, as a row: [position key ("account:symbol:side", see positionKey), markPrice, unrealisedPnl,
 * distanceToTpPct, distanceToSlPct, tier]. A row, not an object: at thousands of moving positions figures
 * are nearly all a socket carries, and field names would be over half of their bytes. `figuresRow` and
 * `readFiguresRow` (view/figures.ts) are the only code that knows the order.
 */
export const PositionFigures = z.tuple([
  z.string().regex(/^[^:]+:[^:]+:(long|short)$/, 'must be a position key account:symbol:side'),
  Price,
  z.number(),
  z.number().nonnegative().nullable(),
  z.number().nonnegative().nullable(),
  Tier,
]);
export type PositionFigures = z.infer<typeof PositionFigures>;

/**
 * The served view as it changes, per socket (handbook decision 9). Not a sequenced event: each socket is
 * sent its own, coalesced (at most `ws.viewUpdatesPerSec` a second) and holding only what changed past a
 * small threshold since what that socket was last sent. It is state, not history: applying it twice, or
 * missing one that a later one supersedes, changes nothing. It is only sent to a socket that has been sent
 * every event up to `seq`, so it never runs ahead of an event the client has not seen.
 *
 * - `positions`: positions new to this socket, or whose fields beyond the figures changed (size, TP, SL,
 *   liquidation, leverage, flags), in full.
 * - `figures`: positions whose mark-driven figures changed past the threshold, nothing else.
 * - `removed`: positions this socket was sent that the book no longer holds (their `position-closed`
 *   event says why and is what notifies).
 * - `accounts`: the freshness of every account whose status or problem changed (all of them in the first
 *   update after a snapshot).
 */
export const PositionsUpdated = z.object({
  type: z.literal('positions-updated'),
  /** The newest event seq this view reflects (the socket's last sent event). */
  seq: z.number().int().nonnegative(),
  at: EpochMs,
  positions: z.array(TieredPosition),
  figures: z.array(PositionFigures),
  removed: z.array(PositionKey),
  accounts: z.array(AccountFreshness),
});
export type PositionsUpdated = z.infer<typeof PositionsUpdated>;

/** Everything the server sends on the socket. */
export const ServerMessage = z.union([Hello, Snapshot, ErrorFrame, StreamEvent, PositionsUpdated]);
export type ServerMessage = z.infer<typeof ServerMessage>;

/** Everything a client may send. `resume` with the last seq seen replays what was missed. */
export const ClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string().min(1).max(200) }).strict(),
  z.object({ type: z.literal('resume'), lastSeq: z.number().int().nonnegative() }).strict(),
  z.object({ type: z.literal('ping') }).strict(),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
