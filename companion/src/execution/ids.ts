import { createHash, randomBytes } from 'node:crypto';
import type { ActionRequest, ExecuteRequest } from '@tierwatch/shared';

/**
 * The client order id (Bybit orderLinkId, at most 36 characters) of one leg: derived from the idempotency
 * key and the account only, so the same request sent again (by a retrying client, or by us after a crash)
 * carries the same id and the exchange refuses it as a duplicate. 120 bits of SHA-256: collisions between
 * different keys are not a practical concern.
 */
export function clientOrderId(idempotencyKey: string, account: string, legKind?: string): string {
  // An action's legs also carry their kind, so an action that sends more than one order per account gets
  // distinct ids (an execution's ids stay what they were: the journal and exchange hold them).
  const seed =
    legKind === undefined ? `${idempotencyKey}\u0000${account}` : `${idempotencyKey}\u0000${account}\u0000${legKind}`;
  const h = createHash('sha256').update(seed).digest('hex');
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
export function requestHash(req: ExecuteRequest | ActionRequest): string {
  return createHash('sha256').update(canonical(req)).digest('hex').slice(0, 32);
}

/** Execution ids are opaque and unguessable (they appear in URLs). */
export function newExecutionId(): string {
  return `ex_${randomBytes(12).toString('base64url')}`;
}
