import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadSecrets, secretEnvName } from './index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tierwatch-config-'));
function file(name: string, text: string, mode = 0o600): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

describe('loadConfig', () => {
  it('no file at all means paper exchange, one main and one mirror', () => {
    const cfg = loadConfig({ env: {} });
    expect(cfg.server.port).toBe(8787);
    expect(cfg.accounts.map((a) => [a.name, a.role, a.mode])).toEqual([
      ['main', 'main', 'paper'],
      ['mirror1', 'mirror', 'paper'],
    ]);
    expect(cfg.paper.positionsPerAccount).toBeGreaterThan(0);
  });

  it("accepts demo mode (Bybit's demo trading) and defaults allowWithdrawalKey to false", () => {
    const cfg = loadConfig({ env: { COMPANION__ACCOUNTS: '[{"name":"main","mode":"demo"}]' } });
    expect(cfg.accounts[0]).toMatchObject({ mode: 'demo', allowWithdrawalKey: false });
  });

  it('reads YAML and JSON files', () => {
    expect(loadConfig({ env: {}, file: file('a.yaml', 'server:\n  port: 9000\n') }).server.port).toBe(9000);
    expect(loadConfig({ env: {}, file: file('a.json', '{"server":{"port":9001}}') }).server.port).toBe(9001);
  });

  it('environment variables mirror the structure and win over the file', () => {
    const cfg = loadConfig({
      file: file('b.json', '{"server":{"port":9001}}'),
      env: {
        COMPANION__SERVER__PORT: '9100',
        COMPANION__PAPER__POSITIONS_PER_ACCOUNT: '7',
        COMPANION__LOG__LEVEL: 'warn',
      },
    });
    expect(cfg.server.port).toBe(9100);
    expect(cfg.paper.positionsPerAccount).toBe(7);
    expect(cfg.log.level).toBe('warn');
  });

  it.each([
    ['port out of range', { COMPANION__SERVER__PORT: '70000' }, /server\.port = 70000/],
    ['port not a number', { COMPANION__SERVER__PORT: 'abc' }, /server\.port = "abc"/],
    ['unknown section', { COMPANION__TURBO__MODE: 'true' }, /Unrecognized key.*turbo/],
    ['bad log level', { COMPANION__LOG__LEVEL: 'loud' }, /log\.level = "loud".*expected one of/],
    [
      'bad account mode',
      { COMPANION__ACCOUNTS: '[{"name":"main","mode":"mainnet"}]' },
      /accounts\.0\.mode = "mainnet"/,
    ],
    [
      'mirror without a main',
      { COMPANION__ACCOUNTS: '[{"name":"m","role":"mirror"}]' },
      /accounts\.0\.mirrorOf = missing: a mirror must follow a main account/,
    ],
    [
      'duplicate names',
      { COMPANION__ACCOUNTS: '[{"name":"main"},{"name":"main","role":"mirror"}]' },
      /accounts\.1\.name.*duplicate/,
    ],
    ['bad account name', { COMPANION__ACCOUNTS: '[{"name":"my main"}]' }, /accounts\.0\.name = "my main"/],
  ])('rejects %s, naming the field and value', (_name, env, message) => {
    expect(() => loadConfig({ env })).toThrow(ConfigError);
    expect(() => loadConfig({ env })).toThrow(message);
  });

  // The monitor prices every position from the main account's market: every account must trade on it.
  const sim = 'http://127.0.0.1:9100';
  it.each([
    ['live', {}, 'demo', {}, null],
    ['demo', {}, 'live', { baseUrl: 'https://api.bytick.com' }, null],
    ['paper', {}, 'paper', {}, null],
    ['paper', { baseUrl: sim }, 'paper', { baseUrl: `${sim}/` }, null],
    ['testnet', {}, 'testnet', {}, null],
    [
      'live',
      {},
      'testnet',
      {},
      'accounts.1.mode = "testnet": trades on Bybit\'s testnet, but main on Bybit\'s live market: the companion prices every position from one market',
    ],
    [
      'testnet',
      {},
      'demo',
      {},
      'accounts.1.mode = "demo": trades on Bybit\'s live market, but main on Bybit\'s testnet: the companion prices every position from one market',
    ],
    [
      'live',
      {},
      'paper',
      {},
      'accounts.1.mode = "paper": trades on the built-in paper exchange, but main on Bybit\'s live market: the companion prices every position from one market',
    ],
    [
      'paper',
      {},
      'paper',
      { baseUrl: sim },
      `accounts.1.baseUrl = "${sim}": trades on the paper exchange at ${sim}, but main on the built-in paper exchange: the companion prices every position from one market`,
    ],
    // A baseUrl that is no URL keeps its own error, named by its field.
    ['paper', { baseUrl: 'not a url' }, 'paper', {}, 'accounts.0.baseUrl = "not a url": Invalid URL'],
    ['paper', {}, 'paper', { baseUrl: 'http://' }, 'accounts.1.baseUrl = "http://": Invalid URL'],
  ] as const)('main %s %j with a mirror %s %j: %s', (mainMode, mainExtra, mirrorMode, mirrorExtra, error) => {
    const accounts = [
      { name: 'main', mode: mainMode, ...mainExtra },
      { name: 'm', role: 'mirror', mode: mirrorMode, ...mirrorExtra },
    ];
    const env = { COMPANION__ACCOUNTS: JSON.stringify(accounts) };
    if (error === null) expect(loadConfig({ env }).accounts).toHaveLength(2);
    else {
      expect(() => loadConfig({ env })).toThrow(ConfigError);
      expect(() => loadConfig({ env })).toThrow(error);
    }
  });

  // COMPANION_SECRET__<ACCOUNT>__* upper-cases the name and writes - as _: two names that map to one variable
  // would share one set of credentials, so two "accounts" would trade one exchange account twice.
  it.each([
    ['main', 'Main', 'COMPANION_SECRET__MAIN__*'],
    ['a-b', 'a_b', 'COMPANION_SECRET__A_B__*'],
    ['desk-1', 'DESK_1', 'COMPANION_SECRET__DESK_1__*'],
    ['x_Y', 'X-y', 'COMPANION_SECRET__X_Y__*'],
  ])('rejects accounts %s and %s: both read %s', (first, second, variables) => {
    const env = { COMPANION__ACCOUNTS: JSON.stringify([{ name: first }, { name: second, role: 'mirror' }]) };
    expect(() => loadConfig({ env })).toThrow(ConfigError);
    expect(() => loadConfig({ env })).toThrow(
      `accounts.1.name = "${second}": shares its credentials (${variables}) with accounts.0.name "${first}"`,
    );
  });

  it.each([
    ['main', 'mirror1'],
    ['a-b', 'ab'],
    ['a_b', 'a_b_c'],
  ])('accepts accounts %s and %s, whose credentials differ', (first, second) => {
    const env = { COMPANION__ACCOUNTS: JSON.stringify([{ name: first }, { name: second, role: 'mirror' }]) };
    expect(loadConfig({ env }).accounts.map((a) => a.name)).toEqual([first, second]);
  });

  it('names every collision against the first account that took the variables', () => {
    const env = {
      COMPANION__ACCOUNTS: JSON.stringify([
        { name: 'main' },
        { name: 'MAIN', role: 'mirror' },
        { name: 'Main', role: 'mirror' },
      ]),
    };
    let message = '';
    try {
      loadConfig({ env });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('accounts.1.name = "MAIN": shares its credentials');
    expect(message).toContain('accounts.2.name = "Main": shares its credentials');
    expect(message.match(/with accounts\.0\.name "main"/g)).toHaveLength(2);
  });

  it('never echoes a credential put in the config by mistake', () => {
    const env = { COMPANION__ACCOUNTS: '[{"name":"main","apiKey":"SUPERSECRET","secret":"ALSOSECRET"}]' };
    expect(() => loadConfig({ env })).toThrow(/accounts\.0: Unrecognized keys: "apiKey", "secret"/);
    try {
      loadConfig({ env });
    } catch (err) {
      expect(String(err)).not.toMatch(/SUPERSECRET|ALSOSECRET/);
    }
  });

  it('names a file that is not valid YAML or JSON', () => {
    expect(() => loadConfig({ env: {}, file: file('bad.json', '{port:') })).toThrow(/bad\.json: not valid/);
    expect(() => loadConfig({ env: {}, file: join(tmp, 'missing.yaml') })).toThrow(/cannot read it \(ENOENT\)/);
  });
});

describe('loadSecrets', () => {
  it.each([
    ['main', 'API_KEY', 'COMPANION_SECRET__MAIN__API_KEY'],
    ['mirror-1', 'SECRET', 'COMPANION_SECRET__MIRROR_1__SECRET'],
    ['Desk_b-2', 'API_KEY', 'COMPANION_SECRET__DESK_B_2__API_KEY'],
  ] as const)('account %s reads its %s from %s', (account, part, variable) => {
    expect(secretEnvName(account, part)).toBe(variable);
  });

  it('reads credentials from the environment', () => {
    const s = loadSecrets(['main', 'mirror-1'], {
      env: { COMPANION_SECRET__MIRROR_1__API_KEY: 'k', COMPANION_SECRET__MIRROR_1__SECRET: 's' },
    });
    expect(s.get('mirror-1')).toEqual({ apiKey: 'k', secret: 's' });
    expect(s.has('main')).toBe(false);
  });

  it('refuses a half-set pair without printing its value', () => {
    expect(() => loadSecrets(['main'], { env: { COMPANION_SECRET__MAIN__API_KEY: 'supersecret' } })).toThrow(
      /set both COMPANION_SECRET__MAIN__API_KEY and COMPANION_SECRET__MAIN__SECRET/,
    );
    try {
      loadSecrets(['main'], { env: { COMPANION_SECRET__MAIN__API_KEY: 'supersecret' } });
    } catch (err) {
      expect(String(err)).not.toContain('supersecret');
    }
  });

  it('reads a secrets file readable by its owner only', () => {
    const path = file('secrets.json', JSON.stringify({ main: { apiKey: 'k', secret: 's' } }));
    expect(loadSecrets(['main'], { file: path, env: {} }).get('main')).toEqual({ apiKey: 'k', secret: 's' });
  });

  it.each([
    [
      'group-readable',
      JSON.stringify({ main: { apiKey: 'k', secret: 's' } }),
      0o640,
      /readable by group or others \(mode 640\)/,
    ],
    ['not JSON', 'apiKey=k', 0o600, /not valid JSON/],
    ['wrong shape', JSON.stringify({ main: { key: 'supersecret' } }), 0o600, /expected \{ "<account>"/],
    [
      'unknown account',
      JSON.stringify({ other: { apiKey: 'k', secret: 's' } }),
      0o600,
      /"other" is not a configured account/,
    ],
  ])('rejects a secrets file that is %s', (name, text, mode, message) => {
    const path = file(`secrets-${name}.json`, text, mode);
    expect(() => loadSecrets(['main'], { file: path, env: {} })).toThrow(message);
    try {
      loadSecrets(['main'], { file: path, env: {} });
    } catch (err) {
      expect(String(err)).not.toContain('supersecret');
    }
  });

  it('names a secrets file that is a directory or missing, with its path', () => {
    const dir = join(tmp, 'secrets-dir');
    mkdirSync(dir, { mode: 0o700 });
    expect(() => loadSecrets(['main'], { file: dir, env: {} })).toThrow(
      `secretsFile = ${JSON.stringify(dir)}: is a directory, not a file`,
    );
    const missing = join(tmp, 'no-secrets.json');
    expect(() => loadSecrets(['main'], { file: missing, env: {} })).toThrow(
      `secretsFile = ${JSON.stringify(missing)}: no such file`,
    );
  });

  it('a secrets file that is not valid JSON is reported without echoing any of its text', () => {
    const path = file('s-bad.json', `{"main":{"apiKey":"k","secret":'TOPSECRETVALUE'}}`);
    let message = '';
    try {
      loadSecrets(['main'], { file: path, env: {} });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain('not valid JSON');
    expect(message).not.toContain('TOPSECRET');
  });
});
