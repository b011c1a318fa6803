import { TradingQuery } from '@tierwatch/shared';
import type { Context } from 'hono';
import { AppError } from '../../core/app-error.ts';

export interface Selection<T> {
  /** The accounts this request reads, in configured order. */
  items: readonly T[];
  /** '' for all accounts, else the one account's name: the key of rendered-response memos. */
  key: string;
  useCache: boolean;
}

const ALLOWED = new Set(Object.keys(TradingQuery.shape));
const ALLOWED_LIST = [...ALLOWED].join(', ');

/**
 * `account_name` and `use_cache`, validated: unknown or repeated parameters are 400s naming the parameter,
 * an unknown account a 404. A request without a query string (the hot path) skips parsing altogether.
 */
export function parseSelection<T>(c: Context, all: readonly T[], byName: ReadonlyMap<string, T>): Selection<T> {
  if (!c.req.url.includes('?')) return { items: all, key: '', useCache: true };
  const raw = c.req.queries();
  const flat: Record<string, string> = {};
  for (const name of Object.keys(raw)) {
    if (!ALLOWED.has(name)) {
      throw new AppError('BAD_REQUEST', `unknown query parameter "${name}" (allowed: ${ALLOWED_LIST})`, [name]);
    }
    const values = raw[name]!;
    if (values.length > 1)
      throw new AppError('BAD_REQUEST', `${name}: given ${values.length} times, expected once`, [name]);
    flat[name] = values[0]!;
  }
  const query = TradingQuery.parse(flat); // a ZodError becomes a 400 naming the parameter
  const useCache = query.use_cache ?? true;
  if (query.account_name === undefined) return { items: all, key: '', useCache };
  const item = byName.get(query.account_name);
  if (item === undefined) {
    throw new AppError(
      'UNKNOWN_ACCOUNT',
      `unknown account "${query.account_name}" (configured: ${[...byName.keys()].join(', ')})`,
      ['account_name'],
    );
  }
  return { items: [item], key: query.account_name, useCache };
}
