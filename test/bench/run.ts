import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/**
 * `pnpm bench [name ...] [--json]`: runs each benchmark in test/bench/benches/<name>.ts. A benchmark's
 * default export resolves to its figures; with --json each prints as one line {"bench": name, ...figures}.
 */
type Figures = Record<string, unknown>;
type Bench = () => Promise<Figures>;

const benchDir = join(fileURLToPath(new URL('.', import.meta.url)), 'benches');
const available = readdirSync(benchDir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => basename(f, '.ts'))
  .sort();

const { values, positionals } = parseArgs({
  options: { json: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const names = positionals.length > 0 ? positionals : available;
const unknown = names.filter((n) => !available.includes(n));
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

function printTable(name: string, figures: Figures): void {
  console.log(`\n${name}`);
  const flat = Object.entries(figures).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.entries(v as Figures).map(([k2, v2]) => [`${k}.${k2}`, v2] as const)
      : [[k, v] as const],
  );
  const width = Math.max(...flat.map(([k]) => k.length));
  for (const [k, v] of flat)
    console.log(`  ${k.padEnd(width)}  ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
}

let failed = false;
for (const name of names) {
  const mod = (await import(join(benchDir, `${name}.ts`))) as { default: Bench };
  try {
    const figures = await mod.default();
    if (values.json) console.log(JSON.stringify({ bench: name, ...figures }));
    else printTable(name, figures);
  } catch (err) {
    failed = true;
    if (values.json) console.log(JSON.stringify({ bench: name, error: String((err as Error).message ?? err) }));
    else console.error(`\n${name}: failed: ${(err as Error).stack ?? err}`);
  }
}
process.exit(failed ? 1 : 0);
