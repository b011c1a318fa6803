import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * Structured logs (pino): one JSON line per event, cheap enough for the monitor's hot path. Anything that
 * could carry a credential is redacted by key wherever it appears, so a leaked log leaks no secret.
 */
export const REDACTED_KEYS = [
  'apiKey',
  'secret',
  'token',
  'authorization',
  'password',
  'X-BAPI-API-KEY',
  'X-BAPI-SIGN',
];

export function createLogger(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `headers["${k.toLowerCase()}"]`]);
  return pino(
    { level: opts.level ?? 'info', redact: { paths, censor: '[redacted]' }, base: undefined },
    opts.destination ?? process.stderr,
  );
}

/** For tests and benchmarks: a logger that writes nowhere. */
export const silentLogger: Logger = pino({ level: 'silent' });
