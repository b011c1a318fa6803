import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogFormat, prettyLogs } from './logger.ts';

const stream = (isTTY: boolean) => Object.assign(new PassThrough(), { isTTY });

function capture(format: LogFormat, isTTY: boolean): string {
  const out = stream(isTTY);
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const log = createLogger({ format, destination: out });
  log.info({ account: 'main', apiKey: 'AKIA-SECRET', nested: { secret: 's3cr3t' } }, 'companion listening');
  return text;
}

describe('log format', () => {
  it.each([
    ['auto on a terminal', 'auto', true, true],
    ['auto into a pipe or file', 'auto', false, false],
    ['json on a terminal', 'json', true, false],
    ['pretty into a pipe', 'pretty', false, true],
  ] as const)('%s', (_name, format, isTTY, expected) => {
    expect(prettyLogs(format, stream(isTTY))).toBe(expected);
  });

  it('JSON lines by default: one parseable object per event, credentials redacted', () => {
    const line = JSON.parse(capture('json', false).trim());
    expect(line).toMatchObject({ msg: 'companion listening', account: 'main', apiKey: '[redacted]' });
    expect(line.nested.secret).toBe('[redacted]');
  });

  it('pretty: a human line, with the same redaction', () => {
    const text = capture('pretty', false);
    expect(() => JSON.parse(text)).toThrow();
    expect(text).toMatch(/INFO.*companion listening/);
    expect(text).toContain('account: "main"');
    expect(text).not.toContain('AKIA-SECRET');
    expect(text).not.toContain('s3cr3t');
  });
});
