// The translator is the pure core: what it loads at run time (imports that are not type-only, followed
// through every file) reaches no module that does I/O. It may load the proxy's config contract and the
// filter kinds' schema pieces (proxy/config, proxy/filters), never the proxy's servers, forwarding or admin.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Specifiers a file loads at run time: type-only imports and exports are erased by the compiler. */
function runtimeSpecifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && !typeOnlyImport(node))
      out.push(node.moduleSpecifier.text);
    if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!node.isTypeOnly && !allTypeElements(node.exportClause)) out.push(node.moduleSpecifier.text);
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      out.push(arg && ts.isStringLiteral(arg) ? arg.text : '(computed dynamic import)');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function typeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // a side-effect import
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return bindings !== undefined && ts.isNamedImports(bindings) && allTypeElements(bindings);
}

function allTypeElements(named: ts.NamedImports | ts.NamedExportBindings | undefined): boolean {
  if (!named || !('elements' in named)) return false;
  return named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

/** Every repository file and every package the module loads at run time, transitively. */
function runtimeClosure(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [resolve(ROOT, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of runtimeSpecifiers(file)) {
      if (!spec.startsWith('.')) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        continue;
      }
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      if (!existsSync(target)) throw new Error(`${relative(ROOT, file)} imports ${spec}, which is not a .ts file`);
      pending.push(target);
    }
  }
  return { files: [...files].map((f) => relative(ROOT, f)).sort(), packages: [...packages].sort() };
}

/** What pure code may load: computation only (node:crypto hashes, no I/O). */
const PURE_PACKAGES = new Set(['node:crypto', 're2js', 'zod']);

describe('the translator (src/translate/index.ts)', () => {
  const closure = runtimeClosure('src/translate/index.ts');

  it('loads only packages that compute (no fs, network, processes, clients)', () => {
    expect(closure.packages.filter((p) => !PURE_PACKAGES.has(p))).toEqual([]);
  });

  it('loads of the proxy only its config contract and the filter kinds that contract is built from', () => {
    const proxy = closure.files.filter((f) => f.startsWith('proxy/'));
    expect(proxy.filter((f) => !/^proxy\/(config|filters)\//.test(f))).toEqual([]);
    expect(proxy).toEqual(expect.arrayContaining(['proxy/config/schema.ts', 'proxy/filters/registry.ts']));
  });

  it('is read through its filter registry (the walk follows real imports)', () => {
    expect(closure.files).toEqual(
      expect.arrayContaining(['src/translate/filters/registry.ts', 'src/translate/filters/mirror.ts']),
    );
  });
});
