/**
 * A token bucket as a value: `burst` tokens at most, one back every `60_000 / perMinute` ms. Pure, so the
 * refill arithmetic is a table of rows; the subscriber keeps one per socket for its `resume` frames.
 */
export interface Bucket {
  tokens: number;
  at: number;
}

export interface BucketRate {
  burst: number;
  perMinute: number;
}

export const fullBucket = (rate: BucketRate, now: number): Bucket => ({ tokens: rate.burst, at: now });

/** Refills up to `now`, then takes one token: the new bucket, and whether a token was there to take. */
export function take(bucket: Bucket, rate: BucketRate, now: number): { bucket: Bucket; ok: boolean } {
  const elapsed = Math.max(0, now - bucket.at);
  const tokens = Math.min(rate.burst, bucket.tokens + (elapsed * rate.perMinute) / 60_000);
  if (tokens < 1) return { bucket: { tokens, at: now }, ok: false };
  return { bucket: { tokens: tokens - 1, at: now }, ok: true };
}
