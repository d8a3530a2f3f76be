// Which Kubernetes API calls the controller makes, derived from the source of src/kubernetes (and any other
// file under src/ that uses its REST client or client-node informers).
// The adapter exports no list of its API calls, so this reads the code: every `rest.<method>(path, …)`
// call, with the path expression resolved through template literals, local constants/fields and the
// adapter's own path helpers (collectionPath/objectPath/withQuery), plus list+watch of every resource the
// informers watch (the real watchedResources()). A call whose path cannot be resolved is reported, never
// silently dropped, so a new call style makes the RBAC test fail loudly instead of passing vacuously.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { watchedResources } from '../../../src/kubernetes/resources.js';
import { ROOT } from './render.js';

export const ADAPTER_DIR = join(ROOT, 'src', 'kubernetes');

export interface ApiCall {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespaced: boolean;
  named: boolean;
  /** file:line of the call in src/kubernetes. */
  site: string;
}

export interface DerivedCalls {
  calls: ApiCall[];
  /** Calls whose path could not be resolved (file:line and the expression). */
  unresolved: string[];
  /** Discovery reads (/api, /apis/<group>/<version>): allowed to every authenticated user by default. */
  discovery: string[];
}

const VERBS: Record<string, string> = {
  get: 'get',
  list: 'list',
  create: 'create',
  replace: 'update',
  patch: 'patch',
  delete: 'delete',
};
const PLACEHOLDER = '{}';

export function deriveApiCalls(files = kubernetesClientFiles()): DerivedCalls {
  const out: DerivedCalls = { calls: [], unresolved: [], discovery: [] };
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const name = relative(ROOT, file);
    if (/\bmakeInformer\s*[<(]/.test(text)) out.calls.push(...informerCalls(`${name} (makeInformer)`));
    for (const call of restCalls(text)) {
      const site = `${name}:${lineOf(text, call.index)}`;
      const paths = resolvePath(call.args[0] ?? '', text, 0, call.index);
      if (paths.length === 0) out.unresolved.push(`${site}: rest.${call.method}(${call.args[0]})`);
      for (const path of paths) {
        const parsed = parsePath(path);
        if (parsed === 'discovery') out.discovery.push(`${site}: GET ${path}`);
        else if (!parsed) out.unresolved.push(`${site}: rest.${call.method}(${path})`);
        else addOnce(out.calls, { ...parsed, verb: verbOf(call.method, parsed.named), site });
      }
    }
  }
  return out;
}

/** Every source file that talks to the API server: src/kubernetes/**, plus any other file under src/ that
 * uses the adapter's REST client or client-node's informers (e.g. the controller wiring). */
export function kubernetesClientFiles(): string[] {
  const files = listTs(join(ROOT, 'src'));
  return files.filter(
    (f) => f.startsWith(`${ADAPTER_DIR}/`) || /\bKubeRest\b|\bmakeInformer\b/.test(readFileSync(f, 'utf8')),
  );
}

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listTs(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
    .sort();
}

function addOnce(calls: ApiCall[], call: ApiCall): void {
  const key = (c: ApiCall) =>
    JSON.stringify([c.verb, c.group, c.resource, c.subresource, c.namespaced, c.named, c.site]);
  if (!calls.some((c) => key(c) === key(call))) calls.push(call);
}

function informerCalls(site: string): ApiCall[] {
  // Every resource the informers may watch: the parameters ConfigMap too (in one namespace, by name).
  const params = { namespace: PLACEHOLDER, name: PLACEHOLDER };
  return watchedResources({ paramsConfigMap: params }).flatMap((r) =>
    ['list', 'watch'].map((verb) => ({
      verb,
      group: r.group,
      resource: r.plural,
      namespaced: r.namespace !== undefined,
      named: r.selector?.field?.startsWith('metadata.name=') === true,
      site,
    })),
  );
}

function verbOf(method: string, named: boolean): string {
  return method === 'get' && !named ? 'list' : VERBS[method]!;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** `rest.<method>(...)` / `this.o.rest.<method>(...)` calls with their top-level argument texts. */
function restCalls(text: string): Array<{ method: string; index: number; args: string[] }> {
  const calls: Array<{ method: string; index: number; args: string[] }> = [];
  const re = /\brest\.(get|list|create|replace|patch|delete)\s*(?:<[^()]*?>)?\s*\(/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const body = balanced(text, m.index + m[0].length - 1);
    calls.push({ method: m[1]!, index: m.index, args: splitTopLevel(body) });
  }
  return calls;
}

/** Text between the bracket at `open` and its match (strings and template literals respected). */
function balanced(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '`' || ch === "'" || ch === '"') i = skipString(text, i);
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch) && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

function skipString(text: string, start: number): number {
  const quote = text[start]!;
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (quote === '`' && text.startsWith('${', i)) i += balanced(text, i + 1).length + 2;
    else if (text[i] === quote) return i;
  }
  return text.length;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '`' || ch === "'" || ch === '"') i = skipString(text, i);
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (text.slice(start).trim()) parts.push(text.slice(start).trim());
  return parts;
}

/**
 * Path templates ("{}" for anything computed) an expression at position `at` of the file can evaluate to;
 * [] when unknown. Identifiers resolve to their nearest binding before `at` (a rough lexical scope).
 */
function resolvePath(expr: string, file: string, depth: number, at: number): string[] {
  const e = expr.trim();
  if (depth > 6) return [];
  if (/^['"]/.test(e)) return [e.slice(1, -1)];
  if (e.startsWith('`')) return resolveTemplate(e.slice(1, -1), file, depth, at);
  const call = /^(\w+)\s*\(/.exec(e);
  if (call) {
    const args = splitTopLevel(balanced(e, call[0].length - 1));
    if (call[1] === 'withQuery') return resolvePath(args[0] ?? '', file, depth + 1, at);
    if (call[1] === 'collectionPath' || call[1] === 'objectPath') return helperPaths(call[1], args, file);
    if (call[1] === 'groupVersionPath') return ['/apis/{}/{}'];
    if (call[1] === 'encodeURIComponent' || call[1] === 'String') return [PLACEHOLDER];
    return [];
  }
  const binding = bindingOf(e, file, at);
  if (binding?.kind === 'value') return resolvePath(binding.expr, file, depth + 1, binding.at);
  if (binding?.kind === 'parameter') return binding.args.flatMap((a) => resolvePath(a.expr, file, depth + 1, a.at));
  return [];
}

type Binding =
  { kind: 'value'; expr: string; at: number } | { kind: 'parameter'; args: Array<{ expr: string; at: number }> };

/** What `name` / `this.name` is bound to at position `at`: a declared value, or a function parameter. */
function bindingOf(expr: string, file: string, at: number): Binding | undefined {
  const m = /^(this\.)?([A-Za-z_$][\w$]*)$/.exec(expr);
  if (!m) return undefined;
  if (m[1]) {
    const field = new RegExp(`this\\.${m[2]}\\s*=\\s*`).exec(file);
    return field ? { kind: 'value', expr: rhs(file, field.index + field[0].length), at: field.index } : undefined;
  }
  const name = m[2]!;
  const before = (re: RegExp) => [...file.matchAll(re)].filter((x) => x.index! < at).pop();
  const declaration = before(new RegExp(`(?:const|let|var)\\s+${name}(?:\\s*:[^=;]+)?\\s*=\\s*`, 'g'));
  const definition = before(
    new RegExp(`\\b([A-Za-z_$][\\w$]*)\\s*\\(([^()]*\\b${name}\\b[^()]*)\\)\\s*(?::[^{;]+)?\\{`, 'g'),
  );
  if (declaration && (!definition || declaration.index! > definition.index!)) {
    return { kind: 'value', expr: rhs(file, declaration.index! + declaration[0].length), at: declaration.index! };
  }
  if (!definition) return undefined;
  const [, fn, params] = definition;
  const index = splitTopLevel(params!).findIndex((p) => new RegExp(`^${name}\\b`).test(p));
  // Calls of the function itself (`fn(` or `this.fn(`), not of same-named methods on other objects.
  const calls = [...file.matchAll(new RegExp(`(?:^|[^.\\w$]|\\bthis\\.)${fn}\\s*\\(`, 'gm'))].filter(
    (c) => c.index! + c[0].length - 1 !== definition.index! + definition[0].indexOf('('),
  );
  const args = calls.flatMap((c) => {
    const arg = splitTopLevel(balanced(file, c.index! + c[0].length - 1))[index];
    return arg === undefined ? [] : [{ expr: arg, at: c.index! }];
  });
  return { kind: 'parameter', args };
}

function resolveTemplate(body: string, file: string, depth: number, at: number): string[] {
  let results = [''];
  for (let i = 0; i < body.length; i++) {
    if (body.startsWith('${', i)) {
      const inner = balanced(body, i + 1);
      const values = resolvePath(inner, file, depth + 1, at);
      // A computed path piece that is itself a path keeps its shape; anything else is one segment.
      const pieces = values.length > 0 && values.every((v) => v.startsWith('/')) ? values : [PLACEHOLDER];
      results = results.flatMap((r) => pieces.map((p) => r + p));
      i += inner.length + 2;
    } else {
      results = results.map((r) => r + body[i]);
    }
  }
  return results;
}

/** A module-level constant's value text (`const NAME = …`), for lookups in descriptors. */
function constant(name: string, file: string): string | undefined {
  const binding = bindingOf(name, file, file.length);
  return binding?.kind === 'value' ? binding.expr : undefined;
}

function rhs(file: string, start: number): string {
  return file.slice(start, topLevelEnd(file, start)).trim();
}

function topLevelEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '`' || ch === "'" || ch === '"') i = skipString(text, i);
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ';' && depth === 0) return i;
  }
  return text.length;
}

/** collectionPath(descriptor, ns?) / objectPath(descriptor, ns, name) → path templates. */
function helperPaths(helper: string, args: string[], file: string): string[] {
  const descriptors = descriptorsOf(args[0] ?? '', file);
  return descriptors.flatMap((d) => {
    const gv = d.group ? `/apis/${d.group}/${d.version}` : `/api/${d.version}`;
    const namespaced = d.namespaced && (helper === 'objectPath' || args.length > 1);
    const collection = `${gv}${namespaced ? '/namespaces/{}' : ''}/${d.plural}`;
    return helper === 'objectPath' ? [`${collection}/{}`] : [collection];
  });
}

interface Descriptor {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

/** A resource descriptor: an object literal (constants and lookup maps resolved) or a WatchedResource. */
function descriptorsOf(expr: string, file: string): Descriptor[] {
  const e = expr.trim();
  if (!e.startsWith('{')) {
    // A variable: the adapter's descriptors are WatchedResource values (resources.ts).
    return watchedResources().map((r) => ({
      group: r.group,
      version: r.version,
      plural: r.plural,
      namespaced: r.namespaced,
    }));
  }
  const fields = new Map(
    splitTopLevel(e.slice(1, -1)).map((kv) => {
      const [k, ...v] = kv.split(':');
      return [k!.trim(), v.join(':').trim()] as const;
    }),
  );
  const plurals = stringValues(fields.get('plural') ?? '', file);
  const [group = ''] = stringValues(fields.get('group') ?? "''", file);
  const [version = 'v1'] = stringValues(fields.get('version') ?? "'v1'", file);
  return plurals.map((plural) => ({ group, version, plural, namespaced: fields.get('namespaced') !== 'false' }));
}

/** String values an expression can take: a literal, a string constant, or any value of a lookup map. */
function stringValues(expr: string, file: string): string[] {
  const literal = /^['"]([^'"]*)['"]$/.exec(expr);
  if (literal) return [literal[1]!];
  const lookup = /^([A-Za-z_$][\w$]*)\[/.exec(expr);
  const name = lookup ? lookup[1]! : expr;
  const value = constant(name, file);
  if (value === undefined) return [];
  if (lookup || value.startsWith('{')) return [...value.matchAll(/:\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return stringValues(value, file);
}

/** "/apis/g/v/namespaces/{}/plural/{}/status" → the request it names; 'discovery' for discovery paths. */
function parsePath(path: string): Omit<ApiCall, 'verb' | 'site'> | 'discovery' | undefined {
  const segs = path.split('?')[0]!.split('/').filter(Boolean);
  let rest: string[];
  let group: string;
  if (segs[0] === 'api') [group, rest] = ['', segs.slice(2)];
  else if (segs[0] === 'apis') [group, rest] = [segs[1]!, segs.slice(3)];
  else return undefined;
  if (rest.length === 0) return 'discovery';
  const namespaced = rest[0] === 'namespaces' && rest.length >= 3;
  if (namespaced) rest = rest.slice(2);
  const [resource, name, subresource] = rest;
  if (!resource || resource === PLACEHOLDER || rest.length > 3) return undefined;
  return { group, resource, namespaced, named: name !== undefined, ...(subresource ? { subresource } : {}) };
}
