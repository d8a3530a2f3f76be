// The three patch formats the API server accepts. Strategic merge is implemented for what kubectl sends:
// `$setElementOrder/<list>` with partial lists merged by key, `$patch: delete|replace`, `$retainKeys`,
// `$deleteFromPrimitiveList/<list>`; other lists are replaced (as JSON merge patch does, and as the API server
// does for custom resources).
import { badRequest, ApiError } from './errors.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export const PATCH_TYPES = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export function applyPatch(target: Json, patch: Json, contentType: string, strategicAllowed: boolean): Json {
  const type = contentType.split(';')[0]!.trim();
  if (type === PATCH_TYPES.merge) return mergePatch(target, patch);
  if (type === PATCH_TYPES.json) return jsonPatch(target, patch);
  if (type === PATCH_TYPES.strategic) {
    // A real API server answers 415 for custom resources; the double treats it as a merge patch there.
    return strategicAllowed ? strategicMerge(target, patch) : mergePatch(target, patch);
  }
  throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format: ${type}`);
}

/** RFC 7386. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Json = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function strategicMerge(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') return stripDirectives(patch);
  if (patch.$patch === 'delete') return undefined;
  let out: Json = isObject(target) ? { ...target } : {};
  if (Array.isArray(patch.$retainKeys)) {
    out = Object.fromEntries(Object.entries(out).filter(([k]) => patch.$retainKeys.includes(k)));
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = mergeList(out[k], v, patch[`$setElementOrder/${k}`]);
    else out[k] = strategicMerge(out[k], v);
  }
  for (const [k, v] of Object.entries(patch)) {
    const m = /^\$deleteFromPrimitiveList\/(.+)$/.exec(k);
    if (m && Array.isArray(out[m[1]!]) && Array.isArray(v)) out[m[1]!] = out[m[1]!].filter((x: Json) => !v.includes(x));
  }
  return out;
}

/** Merges a partial list by the key kubectl's element order names; without an order directive, replaces. */
function mergeList(current: Json, patch: Json[], order: Json): Json[] {
  const key = Array.isArray(order) && isObject(order[0]) ? Object.keys(order[0])[0] : undefined;
  if (!key || !Array.isArray(current))
    return patch.filter((x) => !(isObject(x) && x.$patch === 'delete')).map(stripDirectives);
  const byKey = new Map<string, Json>(current.map((x: Json) => [String(x?.[key]), x]));
  for (const item of patch) {
    const id = String(item?.[key]);
    if (item?.$patch === 'delete') byKey.delete(id);
    else byKey.set(id, strategicMerge(byKey.get(id), item));
  }
  const ordered = order.map((o: Json) => byKey.get(String(o[key]))).filter((x: Json) => x !== undefined);
  const rest = [...byKey.entries()].filter(([id]) => !order.some((o: Json) => String(o[key]) === id)).map(([, x]) => x);
  return [...ordered, ...rest];
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObject(v)) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => !k.startsWith('$'))
      .map(([k, x]) => [k, stripDirectives(x)]),
  );
}

/** RFC 6902 (add, remove, replace, move, copy, test). */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw badRequest('json patch must be an array of operations');
  let doc = structuredClone(target);
  for (const op of ops) {
    const path = parsePointer(op.path);
    if (op.op === 'test') {
      if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(op.value))
        throw new ApiError(422, 'Invalid', `test failed at ${op.path}`);
    } else if (op.op === 'remove') doc = removeAt(doc, path);
    else if (op.op === 'add' || op.op === 'replace') {
      if (op.op === 'replace') getAt(doc, path, true);
      doc = setAt(doc, path, structuredClone(op.value), op.op === 'add');
    } else if (op.op === 'move' || op.op === 'copy') {
      const from = parsePointer(op.from);
      const value = structuredClone(getAt(doc, from, true));
      if (op.op === 'move') doc = removeAt(doc, from);
      doc = setAt(doc, path, value, true);
    } else throw badRequest(`unknown json patch op ${String(op.op)}`);
  }
  return doc;
}

function parsePointer(p: unknown): string[] {
  if (typeof p !== 'string' || (p !== '' && !p.startsWith('/'))) throw badRequest(`bad json pointer ${String(p)}`);
  return p === ''
    ? []
    : p
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(doc: Json, path: string[], required = false): Json {
  let cur = doc;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || !(seg in cur)) {
      if (required)
        throw new ApiError(422, 'Invalid', `the server rejected our request: path /${path.join('/')} does not exist`);
      return undefined;
    }
    cur = cur[seg];
  }
  return cur;
}

function setAt(doc: Json, path: string[], value: Json, insert: boolean): Json {
  if (path.length === 0) return value;
  const parent = getAt(doc, path.slice(0, -1), true);
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (insert) parent.splice(index, 0, value);
    else parent[index] = value;
  } else parent[last] = value;
  return doc;
}

function removeAt(doc: Json, path: string[]): Json {
  const parent = getAt(doc, path.slice(0, -1), true);
  const last = path[path.length - 1]!;
  getAt(doc, path, true);
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete parent[last];
  return doc;
}

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
