import { parseArgs } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface StartArgs {
  port: number | undefined;
  json: boolean;
  config: string | undefined;
  buildExtension: boolean;
}

/** `start [--port N] [--json] [--config FILE] [--no-extension-build]` */
export function parseStartArgs(argv: string[]): StartArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        json: { type: 'boolean', default: false },
        config: { type: 'string' },
        'no-extension-build': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(String(values.port)) || port > 65535) {
      throw new UsageError(`--port must be a whole number from 0 to 65535 (0 picks a free port), got "${values.port}"`);
    }
  }
  return {
    port,
    json: values.json === true,
    config: values.config as string | undefined,
    buildExtension: values['no-extension-build'] !== true,
  };
}
