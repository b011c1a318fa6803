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
  })
  .strict();

export type HttpConfig = z.infer<typeof HttpConfig>;
export type HttpConfigInput = z.input<typeof HttpConfig>;
