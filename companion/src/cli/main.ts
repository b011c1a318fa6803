import { ConfigError } from '../config/index.ts';
import type { RunningCompanion } from '../runtime.ts';
import { parseStartArgs, UsageError } from './args.ts';
import { buildExtension, EXTENSION_DIR, extensionNeedsBuild } from './extension-build.ts';

/**
 * The companion's command line: `start` (the product), `sim` (a standalone paper exchange) and `accounts`
 * (add, list, check and remove exchange accounts; see accounts.ts).
 * Exit codes: 0 done, 1 runtime failure, 2 bad usage or invalid config.
 */
async function main(argv: string[]): Promise<void> {
  const [command = 'start', ...rest] = argv;
  if (command === 'start') return start(rest);
  if (command === 'accounts') {
    const { accountsMain } = await import('./accounts.ts');
    process.exitCode = await accountsMain(rest, { input: process.stdin, output: process.stdout, env: process.env });
    return;
  }
  if (command === 'sim') {
    const { simMain } = await import('../paper/cli.ts');
    return simMain(rest);
  }
  throw new UsageError(`unknown command "${command}"; use "start", "sim" or "accounts"`);
}

async function start(argv: string[]): Promise<void> {
  const args = parseStartArgs(argv);
  // Imported after argument parsing so `--help`-style mistakes answer instantly.
  const { loadConfig } = await import('../config/index.ts');
  const { startConfigFile } = await import('./config-file.ts');
  const config = loadConfig({
    // The file `pnpm accounts add` wrote, when no other is named.
    file: startConfigFile(args.config),
    overrides: args.port === undefined ? {} : { 'server.port': args.port },
  });
  if (args.buildExtension && extensionNeedsBuild()) {
    if (!args.json) console.error('Building the extension (first start or sources changed)...');
    buildExtension();
  }
  const { startCompanion } = await import('../runtime.ts');
  const companion = await startCompanion(config);
  // Before the ready line: whoever reads it may stop the companion at once, and must get a clean close
  // (journal closed, data dir lock removed), not the default signal death.
  const stop = async (signal: string) => {
    companion.logger.info({ signal }, 'shutting down');
    await companion.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  const ready = {
    url: companion.url,
    token: companion.token,
    extensionDir: EXTENSION_DIR,
    paperExchange: companion.paperExchangeUrl ? { url: companion.paperExchangeUrl } : null,
  };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(ready)}\n`);
  } else {
    console.log(
      [
        '',
        `  Tierwatch companion listening on ${ready.url}`,
        ready.paperExchange
          ? `  Exchange: paper (Bybit v5 dialect) at ${ready.paperExchange.url}`
          : '  Exchange: Bybit',
        `  Pairing token: ${ready.token}`,
        '',
        ...accountTable(companion),
        '',
        '  Load the extension: chrome://extensions → Developer mode → "Load unpacked" →',
        `    ${ready.extensionDir}`,
        '  then paste the pairing token in its options page.',
        '',
      ].join('\n'),
    );
  }
}

/** One line per account: mode, markets, positions, and what the key check found. */
function accountTable(c: RunningCompanion): string[] {
  const rows = c.accounts.map((a) => {
    const key = c.keyHealth(a.name);
    const status = key
      ? `key ${key.status}${key.canTrade ? '' : ', monitoring only'}${key.warnings[0] ? ` (${key.warnings[0]})` : ''}`
      : 'embedded paper exchange';
    const markets = c.exchange.marketFor(a.name).symbols().length;
    return [a.name, a.mode, `${markets} markets`, `${c.monitor.positions(a.name).length} positions`, status];
  });
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ')}`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError || err instanceof ConfigError) {
    console.error(`tierwatch: ${err.message}`);
    process.exit(2);
  }
  console.error('tierwatch: failed:', err);
  process.exit(1);
});
