import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { errors as CcxtErrors, pro as CcxtPro } from 'ccxt';

/**
 * ccxt's Bybit class (REST and WebSocket) and its error classes, loaded alone. `import ccxt from 'ccxt'`
 * evaluates every one of ccxt's 110-odd exchanges: 50 MB of resident memory and 400 ms of start-up on its
 * own (66 MB in the monitor bench's child), for a companion that speaks only to Bybit. ccxt's package
 * exports only its root, so the two modules are loaded by path from the installed package: the very files
 * its root imports, so a test that imports the root sees the same classes (`instanceof` holds across).
 */

const dist = dirname(createRequire(import.meta.url).resolve('ccxt'));
const load = (file: string) => import(pathToFileURL(join(dist, '..', 'js', 'src', file)).href);
const [pro, errors] = await Promise.all([load('pro/bybit.js'), load('base/errors.js')]);

export const BybitPro: typeof CcxtPro.bybit = pro.default;
export const ccxtErrors: typeof CcxtErrors = errors;
