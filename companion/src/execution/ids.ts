import { createHash, randomBytes } from 'node:crypto';
import type { ExecuteRequest } from '@tierwatch/shared';

/**
 * The client order id (Bybit orderLinkId, at most 36 characters) of one leg: derived from the idempotency
 * key and the account only, so the same request sent again (by a retrying client, or by us after a crash)
 * carries the same id and the exchange refuses it as a duplicate. 120 bits of SHA-256: collisions between
 * different keys are not a practical concern.
 */
export function clientOrderId(idempotencyKey: string, account: string): string {
  const h = createHash('sha256').update(`${idempotencyKey}\u0000${account}`).digest('hex');
  return `tw-${h.slice(0, 30)}`;
}

/** Stable JSON: object keys sorted, so two equal requests hash the same whatever order their keys came in. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** Identifies a request body: the same key with a different body is a conflict, not a retry. */
export function requestHash(req: ExecuteRequest): string {
  return createHash('sha256').update(canonical(req)).digest('hex').slice(0, 32);
}

/** Execution ids are opaque and unguessable (they appear in URLs). */
export function newExecutionId(): string {
  return `ex_${randomBytes(12).toString('base64url')}`;
}
