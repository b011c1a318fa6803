import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The production source tree as files and their relative imports, read as text: what the layout tests hold
 * against the rules (no test kit or test runner in production code, no import cycle, files and functions
 * that read in one sitting). Test files, test kits and build configs are not production code.
 */

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** Where production code lives, from the repository's root. */
const PRODUCTION_ROOTS = [
  'shared/src',
  'companion/src',
  'companion/scripts',
  'extension/entrypoints',
  'extension/utils',
  'extension/scripts',
  'extension/manifest-key.ts',
];

const SOURCE = /\.(ts|tsx|mts|mjs)$/;
const TEST_CODE = [/\.test\.tsx?$/, /(^|\/)test-support\//, /^test\//];

/** A test, a test kit, or anything under test/ (benchmarks and their helpers included). */
export const isTestCode = (file: string): boolean => TEST_CODE.some((re) => re.test(file));

export const isProduction = (file: string): boolean =>
  SOURCE.test(file) && !isTestCode(file) && !/\.d\.m?ts$|\.config\.ts$/.test(file);

function walk(rel: string, out: string[]): void {
  const abs = path.join(ROOT, rel);
  if (!existsSync(abs)) throw new Error(`layout: ${rel} does not exist (update PRODUCTION_ROOTS)`);
  if (statSync(abs).isFile()) {
    out.push(rel);
    return;
  }
  for (const name of readdirSync(abs)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    walk(path.posix.join(rel, name), out);
  }
}

/** Every source file of the packages, their tests and test kits included (test/ is not a package). */
export function packageFiles(): string[] {
  const all: string[] = [];
  for (const r of ['shared/src', 'companion', 'extension']) walk(r, all);
  return all.filter((f) => SOURCE.test(f) && !/\.d\.m?ts$/.test(f)).sort();
}

export function productionFiles(): string[] {
  const all: string[] = [];
  for (const r of PRODUCTION_ROOTS) walk(r, all);
  return all.filter(isProduction).sort();
}

// `import x from '…'`, `export … from '…'`, `import '…'`, `import('…')`.
const SPECIFIER =
  /(?:^|[\s;])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*\(?\s*['"]([^'"]+)['"]/gm;

/** Every module specifier a file names, comments and strings elsewhere aside (good enough for our style). */
export function specifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(SPECIFIER)].map((m) => (m[1] ?? m[2])!);
}

/** A relative specifier resolved to a file of the tree (from the root), or null when it names none. */
export function resolveRelative(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`]) {
    const abs = path.join(ROOT, candidate);
    if (existsSync(abs) && statSync(abs).isFile()) return candidate;
  }
  return null;
}

export interface ImportGraph {
  /** file -> the files of the tree it imports (relative imports only). */
  edges: Map<string, string[]>;
  /** file -> every specifier it names, as written. */
  named: Map<string, string[]>;
}

export function importGraph(files: readonly string[]): ImportGraph {
  const edges = new Map<string, string[]>();
  const named = new Map<string, string[]>();
  for (const f of files) {
    const specs = specifiers(readFileSync(path.join(ROOT, f), 'utf8'));
    named.set(f, specs);
    edges.set(
      f,
      specs.map((s) => resolveRelative(f, s)).filter((t): t is string => t !== null),
    );
  }
  return { edges, named };
}

/** Strongly connected components of more than one file (or a file importing itself): the import cycles. */
export function cycles(edges: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || (edges.get(v) ?? []).includes(v)) found.push(scc.sort());
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}
