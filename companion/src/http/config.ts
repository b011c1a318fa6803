import { z } from 'zod';

/** A Chrome extension id: 32 letters a-p (the extension's public key hash, as the manifest `key` fixes it). */
export const ExtensionId = z.string().regex(/^[a-p]{32}$/, 'must be a Chrome extension id (32 letters a-p)');

export const HttpConfig = z
  .object({
    /**
     * Extensions allowed to call the companion (their `chrome-extension://<id>` Origin). Empty: any
     * chrome-extension:// origin is accepted, since web pages cannot forge that scheme and the pairing token
     * still authenticates every request; configure the id to pin it to one build.
     */
    extensionIds: z.array(ExtensionId).max(16).default([]),
    /** Largest request body accepted on any route (413 beyond). */
    bodyLimitBytes: z
      .number()
      .int()
      .min(1_024)
      .max(10 * 1024 * 1024)
      .default(64 * 1024),
    /**
     * A connection that has not sent a complete request head this long after opening (or after starting
     * a request) is closed: idle sockets that never send a request cannot pile up.
     */
    headersTimeoutMs: z.number().int().min(100).max(300_000).default(10_000),
    /** The whole request (head and body) must arrive within this (Node's requestTimeout; not the answer). */
    requestTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    /** An idle keep-alive connection is closed after this. */
    keepAliveTimeoutMs: z.number().int().min(100).max(300_000).default(5_000),
    /**
     * Connections open at once, WebSockets included (the hub's own `ws.maxClients` and idle handling come on
     * top). Lowered to leave `fdReserve` below the process's file-descriptor limit. At the cap the oldest
     * connection that sent no request (or idles between keep-alive requests) is closed to make room, so a
     * flood of idle sockets never locks out the extension.
     */
    maxConnections: z.number().int().min(8).max(1_000_000).default(1_024),
    /** File descriptors kept for the companion's own use: exchange connections, the journal, logs. */
    fdReserve: z.number().int().min(0).max(100_000).default(256),
    /** The process's file-descriptor limit, when it cannot be read (Linux /proc, else `ulimit -n`). */
    fdLimit: z.number().int().positive().optional(),
  })
  .strict()
  .refine((c) => c.headersTimeoutMs <= c.requestTimeoutMs, {
    message: 'headersTimeoutMs must not be longer than requestTimeoutMs',
    path: ['headersTimeoutMs'],
  });

export type HttpConfig = z.infer<typeof HttpConfig>;
export type HttpConfigInput = z.input<typeof HttpConfig>;
