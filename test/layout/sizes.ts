import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ROOT } from './source-tree.ts';

/** A function (declaration, method, arrow, accessor, constructor) and how many lines it spans. */
export interface FunctionSize {
  file: string;
  name: string;
  line: number;
  lines: number;
}

const nameOf = (node: ts.Node, sf: ts.SourceFile): string => {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name) return named.name.getText(sf);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  // An arrow or function expression takes the name it is bound to, or that of the call it is passed to.
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(sf);
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(sf);
  if (parent && ts.isCallExpression(parent)) return `(callback of ${parent.expression.getText(sf).slice(0, 40)})`;
  return '(anonymous)';
};

/** Every function of a source file with the lines it spans, inner functions listed on their own too. */
export function functionSizes(file: string, source = readFileSync(path.join(ROOT, file), 'utf8')): FunctionSize[] {
  const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, kind);
  const out: FunctionSize[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ file, name: nameOf(node, sf), line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

export const lineCount = (file: string): number =>
  readFileSync(path.join(ROOT, file), 'utf8').replace(/\n$/, '').split('\n').length;
