// Size limits of the Gateway API v1.6.1 route CRDs. A real API server refuses an object over them before we
// see it; standalone reads plain files, so the translator enforces them itself: a route over any limit is
// rejected whole (Accepted=False/UnsupportedValue) and cannot exhaust the control plane or the proxy for
// every other tenant. test/translate/limits.test.ts checks this table against the CRDs.
import type { RouteKind } from '../gatewayapi/constants.js';
import { isRecord } from '../gatewayapi/values.js';

/** maxItems of the route CRDs' arrays ("[]" stands for every element). */
export const ROUTE_MAX_ITEMS: Record<RouteKind, Record<string, number>> = {
  HTTPRoute: {
    'spec.hostnames': 16,
    'spec.parentRefs': 32,
    'spec.rules': 16,
    'spec.rules[].matches': 64,
    'spec.rules[].matches[].headers': 16,
    'spec.rules[].matches[].queryParams': 16,
    'spec.rules[].filters': 16,
    'spec.rules[].backendRefs': 16,
    'spec.rules[].backendRefs[].filters': 16,
  },
  GRPCRoute: {
    'spec.hostnames': 16,
    'spec.parentRefs': 32,
    'spec.rules': 16,
    'spec.rules[].matches': 64,
    'spec.rules[].matches[].headers': 16,
    'spec.rules[].filters': 16,
    'spec.rules[].backendRefs': 16,
    'spec.rules[].backendRefs[].filters': 16,
  },
};

/**
 * Regex limits of our own (the CRDs have none beyond string length). The proxy bounds what matching one
 * request may cost (proxy/router/regex.ts); these bound what a route's regexes cost to compile and hold:
 * re2js takes ~10 µs and ~270 bytes per RE2 instruction, and one route within the CRD limits may carry
 * 16 × 64 × 33 regexes. A pattern over REGEX_MAX_PROGRAM_SIZE instructions drops its rule (PartiallyInvalid);
 * so does a rule whose regexes would bring its route past ROUTE_MAX_REGEXES or ROUTE_REGEX_INSTRUCTIONS
 * (rules kept in order).
 * 256 keeps one compile within the proxy's 4 ms compile slices and on re2js's bit-state backtracker (≤ 500).
 */
export const REGEX_MAX_PROGRAM_SIZE = 256;
export const ROUTE_REGEX_INSTRUCTIONS = 16_384;
/**
 * Regexes a route may write, counted before any is compiled (a route within the CRD limits may write 33,792,
 * ~1.6 s of compiling on the control plane's loop): a rule that would bring its route past it is dropped.
 */
export const ROUTE_MAX_REGEXES = 1_024;

/**
 * Compiling is what checking a pattern costs, ~2 µs per instruction of the program it makes, and a short
 * pattern can make a huge one ("a{1000}" repeated: 585,000 instructions from a 4 KiB header value, 1.3 s).
 * So a pattern's program size is estimated from its text first (regex-size.ts): one estimated over
 * REGEX_ESTIMATE_LIMIT is refused without compiling, and a rule whose patterns' estimates would bring its
 * route past ROUTE_REGEX_WORK is dropped without compiling any: ≤ ~0.2 s of compiling per route.
 */
export const REGEX_ESTIMATE_LIMIT = ROUTE_REGEX_INSTRUCTIONS;
export const ROUTE_REGEX_WORK = 4 * ROUTE_REGEX_INSTRUCTIONS;

/** The largest maxItems / maxLength anywhere in the route CRDs: bounds for every other array and string. */
export const ANY_ARRAY_MAX_ITEMS = 64;
export const ANY_STRING_MAX_LENGTH = 4096;

/** The first limit the route's spec breaks, as a message naming the field, or undefined. */
export function routeLimitViolation(kind: RouteKind, spec: unknown): string | undefined {
  // Nearly every route is within its limits: checking that builds no field names; a violation is looked
  // up again by the code that names it.
  return withinLimits(kind, spec) ? undefined : describeRouteLimitViolation(kind, spec);
}

/** The same answer as routeLimitViolation, by the walk that names fields (exported for the equivalence test). */
export function describeRouteLimitViolation(kind: RouteKind, spec: unknown): string | undefined {
  for (const [path, max] of Object.entries(ROUTE_MAX_ITEMS[kind])) {
    for (const { at, value } of valuesAt(spec, path.split('.').slice(1))) {
      if (Array.isArray(value) && value.length > max)
        return `${at} has ${value.length} items, at most ${max} are allowed`;
    }
  }
  return oversized(spec, 'spec');
}

/** Generic bounds, so no field the table does not name can be abused either. */
function oversized(value: unknown, at: string): string | undefined {
  if (typeof value === 'string') {
    return value.length > ANY_STRING_MAX_LENGTH
      ? `${at} is ${value.length} characters long, at most ${ANY_STRING_MAX_LENGTH} are allowed`
      : undefined;
  }
  if (Array.isArray(value)) {
    if (value.length > ANY_ARRAY_MAX_ITEMS)
      return `${at} has ${value.length} items, at most ${ANY_ARRAY_MAX_ITEMS} are allowed`;
    for (let i = 0; i < value.length; i++) {
      const found = oversized(value[i], `${at}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (isRecord(value)) {
    for (const [key, child] of Object.entries(value)) {
      const found = oversized(child, `${at}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** Every value at a dotted path below `node`, expanding "[]" segments over array elements. */
function valuesAt(node: unknown, segments: string[], at = 'spec'): Array<{ at: string; value: unknown }> {
  if (segments.length === 0) return [{ at, value: node }];
  const [head, ...rest] = segments;
  const isEach = head!.endsWith('[]');
  const key = isEach ? head!.slice(0, -2) : head!;
  if (!isRecord(node)) return [];
  const child = node[key];
  if (!isEach) return valuesAt(child, rest, `${at}.${key}`);
  if (!Array.isArray(child)) return [];
  return child.slice(0, ANY_ARRAY_MAX_ITEMS).flatMap((item, i) => valuesAt(item, rest, `${at}.${key}[${i}]`));
}

interface Segment {
  key: string;
  each: boolean;
}

const SEGMENTS: Record<RouteKind, Array<{ segments: Segment[]; max: number }>> = {
  HTTPRoute: segmentsOf(ROUTE_MAX_ITEMS.HTTPRoute),
  GRPCRoute: segmentsOf(ROUTE_MAX_ITEMS.GRPCRoute),
};

function segmentsOf(table: Record<string, number>): Array<{ segments: Segment[]; max: number }> {
  return Object.entries(table).map(([path, max]) => ({
    max,
    segments: path
      .split('.')
      .slice(1)
      .map((s) => (s.endsWith('[]') ? { key: s.slice(0, -2), each: true } : { key: s, each: false })),
  }));
}

/** True when describeRouteLimitViolation would find nothing: the same walk, without building names. */
function withinLimits(kind: RouteKind, spec: unknown): boolean {
  for (const { segments, max } of SEGMENTS[kind]) {
    if (!arraysWithin(spec, segments, 0, max)) return false;
  }
  return !isOversized(spec);
}

function arraysWithin(node: unknown, segments: Segment[], i: number, max: number): boolean {
  if (i === segments.length) return !(Array.isArray(node) && node.length > max);
  if (!isRecord(node)) return true;
  const { key, each } = segments[i]!;
  const child = node[key];
  if (!each) return arraysWithin(child, segments, i + 1, max);
  if (!Array.isArray(child)) return true;
  const n = Math.min(child.length, ANY_ARRAY_MAX_ITEMS);
  for (let j = 0; j < n; j++) if (!arraysWithin(child[j], segments, i + 1, max)) return false;
  return true;
}

function isOversized(value: unknown): boolean {
  if (typeof value === 'string') return value.length > ANY_STRING_MAX_LENGTH;
  if (Array.isArray(value)) return value.length > ANY_ARRAY_MAX_ITEMS || value.some(isOversized);
  if (isRecord(value)) {
    for (const key in value) if (Object.hasOwn(value, key) && isOversized(value[key])) return true;
  }
  return false;
}
