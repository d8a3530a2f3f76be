// Label selectors (=, ==, !=, in, notin, exists, !exists) and field selectors (=, ==, != on dotted paths such
// as metadata.name, metadata.namespace, type) as the API server parses them from list/watch query strings.
import { badRequest } from './errors.js';
import type { Obj } from './store.js';

export type Selector = (obj: Obj) => boolean;

const everything: Selector = () => true;

export function parseLabelSelector(text: string | null): Selector {
  if (!text) return everything;
  const terms = splitTerms(text).map(labelTerm);
  return (obj) => terms.every((t) => t(obj.metadata?.labels ?? {}));
}

export function parseFieldSelector(text: string | null): Selector {
  if (!text) return everything;
  const terms = text.split(',').map((raw) => {
    const m = /^\s*([A-Za-z0-9_.]+)\s*(==|!=|=)\s*(.*?)\s*$/.exec(raw);
    if (!m) throw badRequest(`invalid field selector: ${raw}`);
    const [, path, op, value] = m as unknown as [string, string, string, string];
    return (obj: Obj) => (String(readPath(obj, path) ?? '') === value) === (op !== '!=');
  });
  return (obj) => terms.every((t) => t(obj));
}

function readPath(obj: Obj, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((cur, seg) => (cur && typeof cur === 'object' ? (cur as Obj)[seg] : undefined), obj);
}

/** Splits on commas that are not inside a set's parentheses. */
function splitTerms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    if (text[i] === ')') depth--;
    if (text[i] === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter(Boolean);
}

function labelTerm(term: string): (labels: Record<string, string>) => boolean {
  let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (m) {
    const [, key, op, list] = m as unknown as [string, string, string, string];
    const values = list.split(',').map((v) => v.trim());
    return (l) => (op === 'in' ? key in l && values.includes(l[key]!) : !(key in l) || !values.includes(l[key]!));
  }
  m = /^([\w./-]+)\s*(==|!=|=)\s*([\w./-]*)$/.exec(term);
  if (m) {
    const [, key, op, value] = m as unknown as [string, string, string, string];
    return (l) => (op === '!=' ? l[key] !== value : l[key] === value);
  }
  m = /^(!?)([\w./-]+)$/.exec(term);
  if (m) {
    const [, not, key] = m as unknown as [string, string, string];
    return (l) => key in l !== (not === '!');
  }
  throw badRequest(`unable to parse requirement: ${term}`);
}
