import { parseArgs } from 'node:util';
import { startPaperExchange } from './index.ts';

/**
 * `pnpm sim --port P --accounts N --positions K --seed S [--latency-ms L] [--json]`: the paper exchange on
 * its own, for the companion in another process or for poking at with ccxt/curl. Exit 2 on bad usage.
 */

export class SimUsageError extends Error {}

export interface SimArgs {
  port: number;
  accounts: number;
  positions: number;
  seed: number;
  latencyMs: number;
  /** Multiplies every symbol's realistic volatility (1 = a real market's pace). */
  volatility: number;
  json: boolean;
  help: boolean;
}

const USAGE =
  'usage: pnpm sim [--port P] [--accounts N] [--positions K] [--seed S] [--latency-ms L] [--volatility F] [--json]';

function int(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new SimUsageError(`--${name} must be an integer, got "${raw}"`);
  const v = Number(raw);
  if (v < min || v > max) throw new SimUsageError(`--${name} must be between ${min} and ${max}, got ${v}`);
  return v;
}

function factor(raw: string | undefined): number {
  if (raw === undefined) return 1;
  const v = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(v >= 0) || v > 10_000)
    throw new SimUsageError(`--volatility must be a number between 0 and 10000, got "${raw}"`);
  return v;
}

export function parseSimArgs(argv: string[]): SimArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        accounts: { type: 'string' },
        positions: { type: 'string' },
        seed: { type: 'string' },
        'latency-ms': { type: 'string' },
        volatility: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    throw new SimUsageError(`${(e as Error).message}\n${USAGE}`);
  }
  const s = (k: string) => values[k] as string | undefined;
  return {
    port: int('port', s('port'), 0, 0, 65535),
    accounts: int('accounts', s('accounts'), 2, 1, 50),
    positions: int('positions', s('positions'), 20, 0, 500),
    seed: int('seed', s('seed'), 42, -2147483648, 2147483647),
    latencyMs: int('latency-ms', s('latency-ms'), 0, 0, 60_000),
    volatility: factor(s('volatility')),
    json: values.json === true,
    help: values.help === true,
  };
}

export async function simMain(argv: string[]): Promise<void> {
  let args: SimArgs;
  try {
    args = parseSimArgs(argv);
  } catch (e) {
    if (!(e instanceof SimUsageError)) throw e;
    console.error(`tierwatch sim: ${e.message}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const ex = await startPaperExchange({
    port: args.port,
    accounts: args.accounts,
    positionsPerAccount: args.positions,
    seed: args.seed,
    latency: { fixedMs: args.latencyMs },
    volatility: args.volatility,
  });
  const ready = { url: ex.url, accounts: ex.accounts };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(ready)}\n`);
  } else {
    console.log(
      [
        '',
        `  Paper exchange (Bybit v5 dialect) at ${ex.url}`,
        `  ${args.positions} positions per account, seed ${args.seed}, latency ${args.latencyMs} ms, volatility x${args.volatility}`,
        ...ex.accounts.map((a) => `    ${a.name.padEnd(10)} apiKey ${a.apiKey}  secret ${a.secret}`),
        `  Streams: ${ex.url.replace('http', 'ws')}/v5/public/linear, /v5/private, /v5/trade`,
        `  Control API: ${ex.url}/sim/stats, /sim/price, /sim/time/step, /sim/faults, /sim/latency, /sim/streams/*`,
        '',
      ].join('\n'),
    );
  }
  const stop = async () => {
    await ex.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
