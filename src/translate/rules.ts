// Step 5a: route rules → proxy rules. Each rule is translated on its own so that one unsupported rule is
// dropped (PartiallyInvalid) while the others keep serving; backend problems never drop a rule.
import type { z } from 'zod';
import { Match, Rule } from '../../proxy/config/schema.js';
import type { K8sObject } from '../core/types.js';
import type { RouteKind } from '../gatewayapi/constants.js';
import { parseDuration } from '../gatewayapi/durations.js';
import { int, isRecord, record, records, str, namespaceOf } from '../gatewayapi/values.js';
import { resolveRef, toBackend, type BackendInput, type RefProblem } from './backends.js';
import type { Context } from './context.js';
import { needsPrefixMatch, translateFilters, type FilterInput } from './filters/index.js';
import {
  UnsupportedRule,
  regexInstructions,
  regexesToCheck,
  ruleMatches,
  writtenRegexes,
  type RankedMatch,
} from './matches.js';
import { REGEX_ESTIMATE_LIMIT, ROUTE_MAX_REGEXES, ROUTE_REGEX_INSTRUCTIONS, ROUTE_REGEX_WORK } from './limits.js';
import { estimatedProgramSize, warmRegexSteps } from './regex-size.js';
import type { Steps } from '../core/steps.js';

export type RuleInput = z.input<typeof Rule>;

export interface RuleIR {
  index: number;
  rule: RuleInput;
  matches: RankedMatch[];
}

export interface RouteRules {
  rules: RuleIR[];
  /** Messages of dropped rules. */
  invalid: string[];
  problems: RefProblem[];
  /** BackendTLSPolicy slots governing the Services the rules forward or mirror to (backend-tls.ts). */
  tlsSlots: string[];
}

/** What translating a rule reports besides the rule: reference problems and the TLS policy slots used. */
type Notes = Pick<RouteRules, 'problems' | 'tlsSlots'>;

/** The CRD default when spec.rules is absent: one rule matching PathPrefix "/" with no backends. */
const DEFAULT_RULES = [{}];

/**
 * Yields after each rule (one may hold 64 matches, each checked against the proxy's schema), and before it
 * after each fresh compile of its regexes: sized first (warmRegexSteps), the rule's translation finds them.
 */
export function* translateRulesSteps(ctx: Context, kind: RouteKind, route: K8sObject): Steps<RouteRules> {
  const ns = namespaceOf(route);
  const spec = record(route.spec);
  const raws: unknown[] = Array.isArray(spec.rules) ? spec.rules : DEFAULT_RULES;
  const out: RouteRules = { rules: [], invalid: [], problems: [], tlsSlots: [] };
  const admission = new RegexAdmission(kind);
  let instructions = 0;
  for (const [index, raw] of raws.entries()) {
    const id = `${kind.toLowerCase()}/${ns}/${route.metadata.name}/${index}`;
    try {
      yield* warmRegexSteps(admission.admit(record(raw)));
      // Reference problems are reported even for a dropped rule; the TLS policies it uses only if it is served.
      const notes: Notes = { problems: out.problems, tlsSlots: [] };
      const rule = translateRule(ctx, kind, ns, id, index, record(raw), notes);
      instructions = withinRegexBudget(rule, instructions);
      out.rules.push(rule);
      out.tlsSlots.push(...notes.tlsSlots);
    } catch (e) {
      if (!(e instanceof UnsupportedRule)) throw e;
      out.invalid.push(`rule ${index}: ${e.message}`);
    }
    yield;
  }
  return out;
}

/**
 * A route's regexes, admitted rule by rule before any is compiled: a rule is dropped when its regexes would
 * bring the route past ROUTE_MAX_REGEXES, or their estimated program sizes past ROUTE_REGEX_WORK (what
 * checking them may cost: a pattern estimated over REGEX_ESTIMATE_LIMIT is not compiled, so costs nothing).
 */
class RegexAdmission {
  private written = 0;
  private estimated = 0;

  constructor(private readonly kind: RouteKind) {}

  /** The rule's patterns, in the order its translation checks them; throws UnsupportedRule (counting nothing) when not admitted. */
  admit(raw: Record<string, unknown>): string[] {
    const written = this.written + writtenRegexes(raw);
    if (written > ROUTE_MAX_REGEXES) {
      throw new UnsupportedRule(
        `its regular expressions would bring the route to ${written}, at most ${ROUTE_MAX_REGEXES} are allowed per route`,
      );
    }
    const patterns = regexesToCheck(this.kind, raw);
    let estimated = this.estimated;
    for (const p of patterns) {
      const estimate = estimatedProgramSize(p);
      if (estimate <= REGEX_ESTIMATE_LIMIT) estimated += estimate;
    }
    if (estimated > ROUTE_REGEX_WORK) {
      throw new UnsupportedRule(
        `checking its regular expressions would bring the route to ${estimated} estimated RE2 instructions, at most ${ROUTE_REGEX_WORK} are checked per route`,
      );
    }
    this.written = written;
    this.estimated = estimated;
    return patterns;
  }
}

/** The route's regex instructions with this rule's added; throws when that is past the route's budget. */
function withinRegexBudget(rule: RuleIR, before: number): number {
  const total = rule.matches.reduce((sum, m) => sum + regexInstructions(m.match), before);
  if (total > ROUTE_REGEX_INSTRUCTIONS) {
    throw new UnsupportedRule(
      `its regular expressions would bring the route to ${total} RE2 instructions, at most ${ROUTE_REGEX_INSTRUCTIONS} are allowed per route`,
    );
  }
  return total;
}

function translateRule(
  ctx: Context,
  kind: RouteKind,
  ns: string,
  id: string,
  index: number,
  raw: Record<string, unknown>,
  notes: Notes,
): RuleIR {
  const matches = ruleMatches(kind, raw.matches);
  const filters = usable(translateFilters(ctx, kind, ns, raw.filters), notes);
  const backends = records(raw.backendRefs).map((ref) => backendOf(ctx, kind, ns, ref, notes));
  const allFilters = [...filters, ...backends.flatMap((b) => (b.filters ?? []) as FilterInput[])];
  if (needsPrefixMatch(allFilters) && matches.some((m) => m.match.path?.type !== 'PathPrefix')) {
    throw new UnsupportedRule('ReplacePrefixMatch needs every match of the rule to be a PathPrefix match');
  }
  const rule: RuleInput = { id, kind: kind === 'GRPCRoute' ? 'grpc' : 'http', backends };
  if (filters.length) rule.filters = filters;
  Object.assign(rule, timeouts(raw.timeouts), retry(raw.retry), sessionPersistence(raw.sessionPersistence));
  withinProxyLimits(rule, matches);
  return { index, rule, matches };
}

/** The proxy refuses a whole config that breaks its schema, so a rule that would is dropped here instead. */
function withinProxyLimits(rule: RuleInput, matches: RankedMatch[]): void {
  const bad = [Rule.safeParse(rule), ...matches.map((m) => Match.safeParse(m.match))].find((r) => !r.success);
  const issue = bad?.error?.issues[0];
  if (issue)
    throw new UnsupportedRule(
      `value at ${issue.path.join('.') || '(rule)'} is outside the proxy's limits: ${issue.message}`,
    );
}

function usable(result: ReturnType<typeof translateFilters>, notes: Notes): FilterInput[] {
  notes.problems.push(...result.problems);
  notes.tlsSlots.push(...result.tlsSlots);
  if (result.invalid) throw new UnsupportedRule(result.invalid);
  return result.filters;
}

function backendOf(
  ctx: Context,
  kind: RouteKind,
  ns: string,
  ref: Record<string, unknown>,
  notes: Notes,
): BackendInput {
  const resolved = resolveRef(ctx, kind, ns, ref);
  if (resolved.problem) notes.problems.push(resolved.problem);
  if (resolved.tlsSlot) notes.tlsSlots.push(resolved.tlsSlot);
  const weight = int(ref.weight) ?? 1;
  const backend = toBackend(resolved, Math.max(0, Math.min(1_000_000, weight)));
  const filters = usable(translateFilters(ctx, kind, ns, ref.filters), notes);
  if (filters.length) backend.filters = filters;
  return backend;
}

function duration(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined) throw new UnsupportedRule(`${what} "${String(value)}" is not a Gateway API duration`);
  return ms;
}

/** "0s" disables a timeout, so it is omitted. */
function timeouts(raw: unknown): Partial<RuleInput> {
  if (!isRecord(raw)) return {};
  const requestMs = duration(raw.request, 'timeouts.request');
  const backendRequestMs = duration(raw.backendRequest, 'timeouts.backendRequest');
  const t: NonNullable<RuleInput['timeouts']> = {};
  if (requestMs) t.requestMs = requestMs;
  if (backendRequestMs) t.backendRequestMs = backendRequestMs;
  return Object.keys(t).length ? { timeouts: t } : {};
}

function retry(raw: unknown): Partial<RuleInput> {
  if (!isRecord(raw)) return {};
  const codes = Array.isArray(raw.codes) ? raw.codes : [];
  if (!codes.every((c) => int(c) !== undefined && c >= 400 && c <= 599))
    throw new UnsupportedRule('retry.codes must be HTTP status codes 400-599');
  const attempts = int(raw.attempts) ?? 1;
  if (attempts < 0) throw new UnsupportedRule('retry.attempts must not be negative');
  const backoffMs = duration(raw.backoff, 'retry.backoff') ?? 0;
  // The proxy caps attempts at 10 and backoff at 60 s; larger asks are clamped rather than refused.
  return {
    retry: {
      codes: [...new Set(codes as number[])].sort((a, b) => a - b),
      attempts: Math.min(attempts, 10),
      backoffMs: Math.min(backoffMs, 60_000),
    },
  };
}

function sessionPersistence(raw: unknown): Partial<RuleInput> {
  if (!isRecord(raw)) return {};
  const type = raw.type ?? 'Cookie';
  if (type !== 'Cookie' && type !== 'Header')
    throw new UnsupportedRule(`sessionPersistence.type ${String(type)} is not supported`);
  const name = str(raw.sessionName) || (type === 'Cookie' ? 'gateway-session' : 'x-gateway-session');
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,256}$/.test(name))
    throw new UnsupportedRule(`sessionName "${name}" is not a valid token`);
  const lifetime = record(raw.cookieConfig).lifetimeType === 'Permanent' ? 'Permanent' : 'Session';
  const sp: NonNullable<RuleInput['sessionPersistence']> = { type, name, lifetime };
  const abs = duration(raw.absoluteTimeout, 'sessionPersistence.absoluteTimeout');
  if (abs !== undefined) sp.absoluteTimeoutMs = abs;
  return { sessionPersistence: sp };
}
