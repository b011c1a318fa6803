import { describe, expect, it } from 'vitest';
import {
  cycles,
  importGraph,
  isProduction,
  isTestCode,
  packageFiles,
  productionFiles,
  resolveRelative,
  specifiers,
} from './source-tree.ts';

const TEST_RUNNERS = /^(vitest|@vitest\/|wxt\/testing)/;

describe('production code and its imports', () => {
  const files = productionFiles();
  const { edges, named } = importGraph(files);

  it('reads the tree it is meant to (a scanner that finds nothing would pass everything)', () => {
    expect(files).toContain('companion/src/runtime.ts');
    expect(files).toContain('shared/src/view/stream.ts');
    expect(files).toContain('extension/utils/background-core.ts');
    expect(files.some((f) => f.includes('test-support/') || f.endsWith('.test.ts'))).toBe(false);
    expect(edges.get('companion/src/runtime.ts')?.length).toBeGreaterThan(5);
  });

  it('imports no test runner', () => {
    const offenders = files.flatMap((f) =>
      (named.get(f) ?? []).filter((s) => TEST_RUNNERS.test(s)).map((s) => `${f} -> ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it('imports no test kit and nothing under test/', () => {
    const offenders = files.flatMap((f) => (edges.get(f) ?? []).filter(isTestCode).map((t) => `${f} -> ${t}`));
    expect(offenders).toEqual([]);
  });

  it('imports ccxt only in the exchange layer (companion/src/exchange/)', () => {
    const offenders = files.filter(
      (f) =>
        !f.startsWith('companion/src/exchange/') &&
        (named.get(f) ?? []).some((s) => s === 'ccxt' || s.startsWith('ccxt/')),
    );
    expect(offenders).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(cycles(edges)).toEqual([]);
  });

  it("has no cycle between the companion's concept folders (the layers stand on one another)", () => {
    const folderOf = (f: string) => /^companion\/src\/([^/]+)\//.exec(f)?.[1] ?? null;
    const folders = new Map<string, Set<string>>();
    for (const [f, targets] of edges) {
      const from = folderOf(f);
      if (from === null) continue;
      const out = folders.get(from) ?? new Set<string>();
      for (const t of targets) {
        const to = folderOf(t);
        if (to !== null && to !== from) out.add(to);
      }
      folders.set(from, out);
    }
    expect(folders.size).toBeGreaterThan(8);
    expect(cycles(new Map([...folders].map(([k, v]) => [k, [...v]])))).toEqual([]);
  });
});

describe('package code', () => {
  it("imports nothing from test/: a package's tests use its own kits; cross-package tests live in test/", () => {
    const { edges } = importGraph(packageFiles());
    const offenders = [...edges].flatMap(([f, targets]) =>
      targets.filter((t) => t.startsWith('test/')).map((t) => `${f} -> ${t}`),
    );
    expect(offenders).toEqual([]);
  });
});

describe('the scanner', () => {
  it('finds static, re-exported, side-effect and dynamic imports, not commented ones', () => {
    const src = [
      "import type { A } from './a.ts';",
      "export { b } from '../b.ts';",
      "import './side.ts';",
      "const c = await import('./c.ts');",
      "// import { d } from './d.ts';",
      "/* import { e } from './e.ts'; */",
    ].join('\n');
    expect(specifiers(src)).toEqual(['./a.ts', '../b.ts', './side.ts', './c.ts']);
  });

  it('sees a cycle, and a file importing itself', () => {
    const edges = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['d']],
      ['e', ['a']],
    ]);
    expect(cycles(edges)).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('resolves a relative import to the file it names', () => {
    expect(resolveRelative('companion/src/cli/main.ts', '../runtime.ts')).toBe('companion/src/runtime.ts');
    expect(resolveRelative('companion/src/cli/main.ts', 'hono')).toBeNull();
  });

  it('counts a test kit as test code', () => {
    expect(isTestCode('companion/test-support/monitor.ts')).toBe(true);
    expect(isTestCode('test/bench/stats.ts')).toBe(true);
    expect(isProduction('companion/test-support/monitor.ts')).toBe(false);
    expect(isProduction('companion/src/monitor/monitor.test.ts')).toBe(false);
    expect(isProduction('companion/src/monitor/monitor.ts')).toBe(true);
  });
});
