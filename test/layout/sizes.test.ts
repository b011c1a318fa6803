import { describe, expect, it } from 'vitest';
import { functionSizes, lineCount } from './sizes.ts';
import { productionFiles } from './source-tree.ts';

/**
 * Files and functions that read in one sitting: no production file over 300 lines, no function over 80
 * (issue 14). No exceptions: a file or function that grows past them is split by what it does.
 */
const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 80;

const code = productionFiles().filter((f) => /\.tsx?$/.test(f));

describe('files and functions that read in one sitting', () => {
  it(`no production file over ${MAX_FILE_LINES} lines`, () => {
    const long = code.filter((f) => lineCount(f) > MAX_FILE_LINES);
    expect(long.map((f) => `${f}: ${lineCount(f)} lines`)).toEqual([]);
  });

  it(`no production function over ${MAX_FUNCTION_LINES} lines`, () => {
    const long = code.flatMap((f) => functionSizes(f)).filter((s) => s.lines > MAX_FUNCTION_LINES);
    expect(long.map((s) => `${s.file}:${s.line} ${s.name}: ${s.lines} lines`)).toEqual([]);
  });

  it('measures what it is meant to (a measure that finds nothing would pass everything)', () => {
    const sizes = functionSizes(
      'x.ts',
      'export function outer() {\n  const inner = () => {\n    return 1;\n  };\n  return inner();\n}\nclass A {\n  m() {}\n}\n',
    );
    expect(sizes.map((s) => [s.name, s.lines])).toEqual([
      ['outer', 6],
      ['inner', 3],
      ['m', 1],
    ]);
  });
});
