/**
 * The one mapping from an account name to the environment variables holding its credentials:
 * COMPANION_SECRET__<ACCOUNT>__API_KEY / __SECRET, the name upper-cased with - as _. It is not one-to-one
 * (`main` and `Main`, `a-b` and `a_b` map alike), so the config refuses names that collide under it
 * (schema.ts); everything that reads or names these variables goes through here.
 */
/** `*` names the pair, for messages. */
export type SecretPart = 'API_KEY' | 'SECRET' | '*';

/** `desk-1` → `DESK_1`: the account's segment of its variables' names. */
export function secretEnvSegment(account: string): string {
  return account.toUpperCase().replace(/-/g, '_');
}

/** `desk-1`, `API_KEY` → `COMPANION_SECRET__DESK_1__API_KEY`. */
export function secretEnvName(account: string, part: SecretPart): string {
  return `COMPANION_SECRET__${secretEnvSegment(account)}__${part}`;
}
