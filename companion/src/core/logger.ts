import { type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

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

/** `json`: one JSON line per event; `pretty`: pino-pretty's human lines; `auto`: pretty on a terminal. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** Whether logs to `destination` are for a person: a terminal, unless JSON was asked for. */
export function prettyLogs(format: LogFormat, destination: NodeJS.WritableStream): boolean {
  return format === 'pretty' || (format === 'auto' && (destination as { isTTY?: boolean }).isTTY === true);
}

export function createLogger(
  opts: { level?: string; format?: LogFormat; destination?: NodeJS.WritableStream } = {},
): Logger {
  const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `headers["${k.toLowerCase()}"]`]);
  const destination = opts.destination ?? process.stderr;
  // Redaction is pino's, before any formatting: a pretty line leaks no more than a JSON one. The pretty
  // stream writes synchronously, like pino's default destination, so the last lines before an exit stay.
  const stream = prettyLogs(opts.format ?? 'json', destination)
    ? pretty({
        destination,
        sync: true,
        colorize: (destination as { isTTY?: boolean }).isTTY === true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
      })
    : destination;
  return pino({ level: opts.level ?? 'info', redact: { paths, censor: '[redacted]' }, base: undefined }, stream);
}

/** For tests and benchmarks: a logger that writes nowhere. */
export const silentLogger: Logger = pino({ level: 'silent' });
