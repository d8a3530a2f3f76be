// Precompiled Gateway API matches. The request path only reads fields and runs compiled RE2 programs.
import type { ProxyMatch } from '../config/schema.js';
import { normalizeRoutePath } from './path.js';
import { REGEX_WORK_PER_REQUEST, regexMatches, RegexCache, type CompiledRegex, type RegexBudget } from './regex.js';

export const enum PathKind {
  Any,
  Exact,
  Prefix,
  Regex,
}

interface ValueMatcher {
  name: string;
  exact: string | undefined;
  re: CompiledRegex | undefined;
}

export interface CompiledMatch<R> {
  pathKind: PathKind;
  /** Exact path, or the prefix without its trailing slash. */
  pathValue: string;
  pathRe: CompiledRegex | undefined;
  /** The PathPrefix value as configured, for ReplacePrefixMatch. */
  matchedPrefix: string | undefined;
  method: string | undefined;
  headers: ValueMatcher[];
  query: ValueMatcher[];
  rule: R;
}

/**
 * What a match reads from the request. Header names are lower-case; values of repeated headers joined.
 * Regex evaluations are charged to it (regex.ts): a request's matching cost is bounded whatever the config.
 */
export interface MatchInput extends RegexBudget {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed on first use: only hosts with query matches pay for it. */
  query(): URLSearchParams;
}

/** The request's side of matching; a class, so the lazy query parse costs no closure per request. */
export class RequestMatchInput implements MatchInput {
  private params: URLSearchParams | undefined = undefined;
  regexWorkLeft = REGEX_WORK_PER_REQUEST;

  constructor(
    readonly method: string,
    readonly path: string,
    readonly headers: Record<string, string | string[] | undefined>,
    /** Raw query including the "?", or "". */
    private readonly rawQuery: string,
  ) {}

  query(): URLSearchParams {
    return (this.params ??= new URLSearchParams(this.rawQuery));
  }
}

export function compileMatch<R>(match: ProxyMatch, rule: R, regexes: RegexCache = new RegexCache()): CompiledMatch<R> {
  // Requests are matched by their normalised path (path.ts): Exact / PathPrefix values are compared in that form.
  const path =
    match.path && match.path.type !== 'RegularExpression'
      ? { ...match.path, value: normalizeRoutePath(match.path.value) }
      : match.path;
  let pathKind = PathKind.Any;
  // Stryker disable next-line StringLiteral: pathValue is read only for the Exact and Prefix kinds (here and segments.ts), which both set it
  let pathValue = '';
  let pathRe: CompiledRegex | undefined;
  if (path?.type === 'Exact') {
    pathKind = PathKind.Exact;
    pathValue = path.value;
  } else if (path?.type === 'PathPrefix') {
    pathValue = path.value.endsWith('/') ? path.value.slice(0, -1) : path.value;
    pathKind = pathValue === '' ? PathKind.Any : PathKind.Prefix;
  } else if (path?.type === 'RegularExpression') {
    pathKind = PathKind.Regex;
    pathRe = regexes.get(path.value);
  }
  return {
    pathKind,
    pathValue,
    pathRe,
    matchedPrefix: path?.type === 'PathPrefix' ? path.value : undefined,
    method: match.method?.toUpperCase(),
    headers: (match.headers ?? []).map((h) => valueMatcher(h.name.toLowerCase(), h.type, h.value, regexes)),
    query: (match.queryParams ?? []).map((q) => valueMatcher(q.name, q.type, q.value, regexes)),
    rule,
  };
}

function valueMatcher(
  name: string,
  type: 'Exact' | 'RegularExpression',
  value: string,
  regexes: RegexCache,
): ValueMatcher {
  return type === 'Exact' ? { name, exact: value, re: undefined } : { name, exact: undefined, re: regexes.get(value) };
}

/** Segment-aware prefix: "/foo" matches "/foo", "/foo/", "/foo/bar", never "/foobar". */
export function pathHasPrefix(path: string, prefix: string): boolean {
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || path.charCodeAt(prefix.length) === 47; /* / */
}

export function matches<R>(m: CompiledMatch<R>, input: MatchInput): boolean {
  switch (m.pathKind) {
    case PathKind.Exact:
      if (input.path !== m.pathValue) return false;
      break;
    case PathKind.Prefix:
      if (!pathHasPrefix(input.path, m.pathValue)) return false;
      break;
    case PathKind.Regex:
      if (!regexMatches(m.pathRe!, input.path, input)) return false;
      break;
    // Stryker disable next-line ConditionalExpression: the last case; without its `break` it falls out of the switch all the same
    case PathKind.Any:
      break;
  }
  if (m.method !== undefined && input.method !== m.method) return false;
  for (let i = 0; i < m.headers.length; i++) {
    const h = m.headers[i]!;
    const raw = input.headers[h.name];
    if (raw === undefined) return false;
    if (!valueMatches(h, typeof raw === 'string' ? raw : raw.join(', '), input)) return false;
  }
  if (m.query.length > 0) {
    const params = input.query();
    for (let i = 0; i < m.query.length; i++) {
      const q = m.query[i]!;
      // Gateway API: with repeated parameters only the first value is considered.
      const value = params.get(q.name);
      if (value === null || !valueMatches(q, value, input)) return false;
    }
  }
  return true;
}

function valueMatches(m: ValueMatcher, value: string, budget: RegexBudget): boolean {
  return m.exact !== undefined ? value === m.exact : regexMatches(m.re!, value, budget);
}
