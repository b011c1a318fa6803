import { z } from 'zod';

/**
 * The `ws:` section of the companion's config. Sizes are chosen for hundreds of positions: a burst of
 * tier changes across 400 positions fits the ring many times over, and a client that falls a whole queue
 * behind is far slower than any browser on loopback.
 */
export const WsConfig = z
  .object({
    /** Events kept for resume. A client whose lastSeq fell out of it gets a fresh snapshot instead. */
    ringSize: z.number().int().min(16).max(1_000_000).default(5_000),
    /**
     * Bytes a subscriber may have waiting in its socket (`ws.bufferedAmount`). Past it the hub stops
     * writing to that socket (the events stay in the ring) and catches it up once it drained.
     */
    queueBytes: z
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024),
    /** A subscriber stuck past `queueBytes` for this long is terminated; it reconnects and resumes. */
    stallTimeoutMs: z.number().int().positive().default(15_000),
    /** Protocol-level ping to every socket this often (browsers answer it themselves). */
    pingIntervalMs: z.number().int().positive().default(15_000),
    /** A socket that sent nothing (no pong, no message) for this long is closed. */
    idleTimeoutMs: z.number().int().positive().default(45_000),
    /** Alerts kept for the snapshot, newest last. */
    alertLimit: z.number().int().min(1).max(1_000).default(50),
    /** Largest client frame accepted; bigger ones close the socket (1009). Clients only send tiny frames. */
    maxClientFrameBytes: z
      .number()
      .int()
      .min(256)
      .default(16 * 1024),
    /** Sockets open at once; more are refused at open with 1013 (try again later). */
    maxClients: z.number().int().positive().default(200),
    /**
     * `resume` frames a socket may send at once, refilled at `resumesPerMinute`. The extension sends one
     * per sequence gap on its open socket (a gap on loopback is rare: a dropped frame, a bug), so a client
     * sending resume frames in a loop is broken or hostile: past the rate the socket is closed with 1008
     * ("resume rate exceeded") and the extension reconnects with `?lastSeq=`, which replays the same way.
     */
    resumeBurst: z.number().int().min(1).max(10_000).default(5),
    resumesPerMinute: z.number().int().min(1).max(60_000).default(12),
    /**
     * A snapshot built at a seq is shared by every socket that connects or resumes at that seq (built and
     * serialised once), for at most this long: positions move between events, so an old one is rebuilt.
     */
    snapshotMaxAgeMs: z.number().int().min(0).max(60_000).default(1_000),
    /**
     * positions-updated frames a socket is sent per second at most (coalesced; a change after a quiet
     * spell goes at once). 4 keeps an open popup within a quarter second of the book.
     */
    viewUpdatesPerSec: z.number().min(0.1).max(50).default(4),
    /**
     * A position's figures are sent again once its mark moved this many percent from what the socket was
     * last sent (any tier, flag, size, TP, SL or liquidation change goes at once). A distance moves by about
     * as many points as the mark moves in percent: 0.05 keeps a shown distance within ~0.05 points. The
     * bytes a socket carries fall with the square of it (a random walk takes 4× as long to go twice as far):
     * at 4,000 positions on a real market's pace (figures as rows), 0.05 carries ~33 KB/s a socket, 0.06 ~23.
     */
    viewMarkStepPct: z.number().min(0).max(10).default(0.05),
  })
  .strict()
  .refine((c) => c.idleTimeoutMs > c.pingIntervalMs, {
    message: 'idleTimeoutMs must be longer than pingIntervalMs',
    path: ['idleTimeoutMs'],
  });
export type WsConfig = z.infer<typeof WsConfig>;
export type WsConfigInput = z.input<typeof WsConfig>;
