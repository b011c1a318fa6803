import { describe, expect, it } from 'vitest';
import { functionSizes, lineCount } from './sizes.ts';
import { productionFiles } from './source-tree.ts';

/**
 * Files and functions that read in one sitting: no production file over 300 lines, no function over 80.
 * The lists below are the ones still waiting for their split (work under way elsewhere); a new offender
 * fails, and one that got split should leave its list.
 */
const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 80;

const FILES_AWAITING_SPLIT = new Set<string>([
  'companion/src/monitor/monitor.ts',
  'companion/src/monitor/streams.ts',
  'extension/entrypoints/popup/Trade.tsx',
]);

const FUNCTIONS_AWAITING_SPLIT = new Set<string>([
  'extension/entrypoints/background.ts (callback of defineBackground)',
  'extension/entrypoints/popup/App.tsx App',
  'extension/entrypoints/popup/Detail.tsx Detail',
  'extension/entrypoints/popup/Monitor.tsx Monitor',
  'extension/entrypoints/popup/PositionActions.tsx PositionActions',
  'extension/entrypoints/popup/Trade.tsx Trade',
  'extension/entrypoints/popup/TradeSteps.tsx Confirm',
]);

const code = productionFiles().filter((f) => /\.tsx?$/.test(f));

describe('files and functions that read in one sitting', () => {
  it(`no production file over ${MAX_FILE_LINES} lines`, () => {
    const long = code.filter((f) => lineCount(f) > MAX_FILE_LINES && !FILES_AWAITING_SPLIT.has(f));
    expect(long.map((f) => `${f}: ${lineCount(f)} lines`)).toEqual([]);
  });

  it(`no production function over ${MAX_FUNCTION_LINES} lines`, () => {
    const long = code
      .flatMap((f) => functionSizes(f))
      .filter((s) => s.lines > MAX_FUNCTION_LINES && !FUNCTIONS_AWAITING_SPLIT.has(`${s.file} ${s.name}`));
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
