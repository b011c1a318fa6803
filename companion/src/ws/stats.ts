/** What the hub reports (`hub.stats()`): its sockets, its ring and its counters since start. */
export interface WsHubStats {
  clients: number;
  lagging: number;
  /** Bytes waiting in the sockets' own buffers (`ws.bufferedAmount`), all subscribers together. */
  bufferedBytes: number;
  lastSeq: number;
  ringSize: number;
  ringOldestSeq: number | null;
  replays: number;
  /** `resume` frames honoured (within the rate). */
  resumes: number;
  /** Snapshot frames sent, and how many of them were built (the rest shared one built at the same seq). */
  snapshots: number;
  snapshotBuilds: number;
  resnapshots: number;
  /** Rounds of positions-updated (one read of the book each), and frames encoded for them (one per cursor). */
  viewRounds: number;
  viewFrameBuilds: number;
  lagged: number;
  stalledClosed: number;
  idleClosed: number;
  /** Sockets closed (1008) for sending resume frames past `resumesPerMinute`. */
  resumeRateClosed: number;
  refused: number;
  badMessages: number;
}

/** The hub's counters since start (the part of WsHubStats it counts itself, the rest it reads). */
export type HubCounters = Pick<
  WsHubStats,
  | 'replays'
  | 'resumes'
  | 'snapshots'
  | 'resnapshots'
  | 'lagged'
  | 'stalledClosed'
  | 'idleClosed'
  | 'resumeRateClosed'
  | 'refused'
  | 'badMessages'
>;

export const zeroCounters = (): HubCounters => ({
  replays: 0,
  resumes: 0,
  snapshots: 0,
  resnapshots: 0,
  lagged: 0,
  stalledClosed: 0,
  idleClosed: 0,
  resumeRateClosed: 0,
  refused: 0,
  badMessages: 0,
});
