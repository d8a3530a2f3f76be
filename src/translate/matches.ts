// Route matches → proxy matches. HTTPRoute matches are validated and normalized (header names lower-cased,
// first of duplicate names wins, no path = PathPrefix "/"); GRPCRoute matches become HTTP matches.
import { RE2JS } from 're2js';
import type { z } from 'zod';
import type { Match } from '../../proxy/config/schema.js';
import { record, records, str } from '../gatewayapi/values.js';
import { REGEX_ESTIMATE_LIMIT, REGEX_MAX_PROGRAM_SIZE } from './limits.js';
import { regexSize } from './regex-size.js';

export type MatchInput = z.input<typeof Match>;
type StringMatchInput = NonNullable<MatchInput['headers']>[number];

/** A proxy match plus what GRPCRoute precedence needs (characters in service and method). */
export interface RankedMatch {
  match: MatchInput;
  grpc?: { service: number; method: number };
}

export class UnsupportedRule extends Error {}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,256}$/;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
export const DEFAULT_MATCH: MatchInput = { path: { type: 'PathPrefix', value: '/' } };

/** A raw value as a message names it: text as written, anything else as JSON (never "[object Object]"). */
const shown = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function invalid(msg: string): never {
  throw new UnsupportedRule(msg);
}

export function checkRegex(pattern: string): string {
  const size = regexSize(pattern);
  if (size.kind === 'invalid') return invalid(`regular expression "${pattern}" is not valid RE2 syntax`);
  if (size.kind === 'too big') {
    return invalid(
      `regular expression "${pattern}" would compile to more than ${REGEX_ESTIMATE_LIMIT} RE2 instructions, at most ${REGEX_MAX_PROGRAM_SIZE} are allowed`,
    );
  }
  if (size.size > REGEX_MAX_PROGRAM_SIZE) {
    return invalid(
      `regular expression "${pattern}" compiles to ${size.size} RE2 instructions, at most ${REGEX_MAX_PROGRAM_SIZE} are allowed`,
    );
  }
  return pattern;
}

/**
 * Regular expressions a raw rule writes (path or gRPC method, headers, query params), counted without
 * compiling any; a gRPC method regex counts for the three programs it is checked as.
 */
export function writtenRegexes(rule: Record<string, unknown>): number {
  let n = 0;
  for (const m of records(rule.matches)) {
    if (record(m.path).type === 'RegularExpression') n++;
    if (record(m.method).type === 'RegularExpression') n += 3;
    for (const v of [...records(m.headers), ...records(m.queryParams)]) if (v.type === 'RegularExpression') n++;
  }
  return n;
}

/**
 * The patterns a raw rule's translation checks: path, header and query regexes, and for a gRPC method regex
 * its service, its method and the path regex made of both. (A superset would do: it only warms the cache.)
 */
export function regexesToCheck(kind: 'HTTPRoute' | 'GRPCRoute', rule: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const m of records(rule.matches)) {
    const path = record(m.path);
    if (kind === 'HTTPRoute' && path.type === 'RegularExpression') out.push(str(path.value) ?? '/');
    const method = record(m.method);
    if (kind === 'GRPCRoute' && method.type === 'RegularExpression') {
      const service = str(method.service) ?? '';
      const name = str(method.method) ?? '';
      if (service) out.push(service);
      if (name) out.push(name);
      out.push(grpcPathRegex(service, name));
    }
    for (const v of [...records(m.headers), ...records(m.queryParams)]) {
      if (v.type === 'RegularExpression') out.push(str(v.value) ?? '');
    }
  }
  return out;
}

/** What a match's regexes weigh: the sum of their RE2 program sizes (0 without regexes). */
export function regexInstructions(match: MatchInput): number {
  let total = 0;
  if (match.path?.type === 'RegularExpression') total += compiledSize(match.path.value);
  for (const m of [...(match.headers ?? []), ...(match.queryParams ?? [])]) {
    if (m.type === 'RegularExpression') total += compiledSize(m.value);
  }
  return total;
}

/** The program size of a pattern checkRegex accepted (so compiled). */
function compiledSize(pattern: string): number {
  const size = regexSize(pattern);
  return size.kind === 'compiled' ? size.size : 0;
}

/** Throws UnsupportedRule for values the proxy could not honour. */
export function httpMatch(raw: Record<string, unknown>): RankedMatch {
  const match: MatchInput = { path: httpPath(raw.path) };
  const method = raw.method;
  if (method !== undefined)
    match.method =
      typeof method === 'string' && METHODS.has(method) ? method : invalid(`method ${shown(method)} is not supported`);
  const headers = stringMatches(raw.headers, true);
  if (headers.length) match.headers = headers;
  const query = stringMatches(raw.queryParams, false);
  if (query.length) match.queryParams = query;
  return { match };
}

function httpPath(raw: unknown): NonNullable<MatchInput['path']> {
  if (raw === undefined) return { type: 'PathPrefix', value: '/' };
  const p = record(raw);
  const type = p.type ?? 'PathPrefix';
  const value = str(p.value) ?? '/';
  if (type === 'RegularExpression') return { type, value: checkRegex(value) };
  if (type !== 'Exact' && type !== 'PathPrefix') return invalid(`path match type ${shown(type)} is not supported`);
  if (!value.startsWith('/')) invalid(`path "${value}" must start with "/"`);
  return { type, value };
}

function stringMatches(raw: unknown, lowerNames: boolean): StringMatchInput[] {
  const seen = new Set<string>();
  const out: StringMatchInput[] = [];
  for (const m of records(raw)) {
    const type = m.type ?? 'Exact';
    let name = str(m.name) ?? '';
    if (!HEADER_NAME.test(name)) invalid(`match name "${name}" is not valid`);
    if (lowerNames) name = name.toLowerCase();
    if (seen.has(name)) continue; // the spec: only the first match of a name counts
    seen.add(name);
    const value = str(m.value) ?? '';
    if (type === 'RegularExpression') out.push({ type, name, value: checkRegex(value) });
    else if (type === 'Exact') out.push({ type, name, value });
    else invalid(`match type ${shown(type)} is not supported`);
  }
  return out;
}

const SERVICE = /^\.?[A-Za-z_][A-Za-z_0-9]*(\.[A-Za-z_][A-Za-z_0-9]*)*$/;
const METHOD = /^[A-Za-z_][A-Za-z_0-9]*$/;

/**
 * GRPCRoute match → HTTP match: always POST; Exact service+method → path Exact "/svc/method"; service only →
 * PathPrefix "/svc/"; method only → RegularExpression "/[^/]+/method"; RegularExpression → path regex.
 */
export function grpcMatch(raw: Record<string, unknown>): RankedMatch {
  const m = record(raw.method);
  const service = str(m.service) ?? '';
  const method = str(m.method) ?? '';
  const match: MatchInput = { path: grpcPath(str(m.type) ?? 'Exact', service, method), method: 'POST' };
  const headers = stringMatches(raw.headers, true);
  if (headers.length) match.headers = headers;
  return { match, grpc: { service: service.length, method: method.length } };
}

function grpcPath(type: string, service: string, method: string): NonNullable<MatchInput['path']> {
  if (type === 'RegularExpression') {
    if (service) checkRegex(service);
    if (method) checkRegex(method);
    return { type, value: checkRegex(grpcPathRegex(service, method)) };
  }
  if (type !== 'Exact') return invalid(`GRPCRoute method match type ${type} is not supported`);
  if (service && !SERVICE.test(service)) invalid(`gRPC service "${service}" is not valid`);
  if (method && !METHOD.test(method)) invalid(`gRPC method "${method}" is not valid`);
  if (service && method) return { type: 'Exact', value: `/${service}/${method}` };
  if (service) return { type: 'PathPrefix', value: `/${service}/` };
  if (method) return { type: 'RegularExpression', value: `/[^/]+/${RE2JS.quote(method)}` };
  return { type: 'PathPrefix', value: '/' };
}

/** The path regex of a GRPCRoute RegularExpression method match (an empty part matches any). */
function grpcPathRegex(service: string, method: string): string {
  return `/(?:${service || '[^/]+'})/(?:${method || '[^/]+'})`;
}

/** Matches of one rule; a rule without matches has the default PathPrefix "/" (GRPCRoute: any POST). */
export function ruleMatches(kind: 'HTTPRoute' | 'GRPCRoute', raw: unknown): RankedMatch[] {
  const list = records(raw);
  if (kind === 'GRPCRoute') {
    return list.length
      ? list.map(grpcMatch)
      : [{ match: { path: { type: 'PathPrefix', value: '/' }, method: 'POST' }, grpc: { service: 0, method: 0 } }];
  }
  return list.length ? list.map(httpMatch) : [{ match: DEFAULT_MATCH }];
}
