import { describe, expect, it } from 'vitest';
import { parseSimArgs, SimUsageError } from './cli.ts';

describe('pnpm sim arguments', () => {
  it('parses every flag, with defaults', () => {
    expect(parseSimArgs([])).toEqual({
      port: 0,
      accounts: 2,
      positions: 20,
      seed: 42,
      latencyMs: 0,
      volatility: 1,
      json: false,
      help: false,
    });
    expect(
      parseSimArgs([
        '--port',
        '9100',
        '--accounts',
        '3',
        '--positions',
        '400',
        '--seed',
        '7',
        '--latency-ms',
        '25',
        '--volatility',
        '60',
        '--json',
      ]),
    ).toEqual({
      port: 9100,
      accounts: 3,
      positions: 400,
      seed: 7,
      latencyMs: 25,
      volatility: 60,
      json: true,
      help: false,
    });
  });
  it.each([
    [['--port', 'abc'], /--port must be an integer/],
    [['--positions', '501'], /--positions must be between 0 and 500/],
    [['--accounts', '0'], /--accounts must be between 1 and 50/],
    [['--volatility', '20000'], /--volatility must be a number/],
    [['--volatility', 'fast'], /--volatility must be a number/],
    [['--bogus'], /Unknown option/],
    [['stray'], /positional/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseSimArgs(argv)).toThrow(SimUsageError);
    expect(() => parseSimArgs(argv)).toThrow(message);
  });
});
