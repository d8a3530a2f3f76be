// Pure helpers the resource machines use to derive and compare status objects. No I/O, no clock:
// times come in on events (stamped by the runtime's injected actors).
import type { Condition, ResourceStatus } from '../../src/core/types.js';

/** "Kind/namespace/name": the identity of a resource actor and of a status write. */
export function resourceKey(s: Pick<ResourceStatus, 'kind' | 'namespace' | 'name'>): string {
  let key = keys.get(s);
  // Stryker disable next-line ConditionalExpression: building the key again gives the same string (the cache saves time)
  if (key === undefined) keys.set(s, (key = `${s.kind}/${s.namespace}/${s.name}`));
  return key;
}

/**
 * Keys by status object. The translator hands an unchanged resource the same status object on every sync,
 * and the coordinator indexes records of thousands of resources with its key: the same string each time
 * is looked up as a property name once, where a string built afresh is looked up (internalised) again on
 * every use. Statuses are never changed once built, so a key cannot go stale.
 */
const keys = new WeakMap<object, string>();

type ConditionHolder = { conditions?: Condition[] };

function holders(status: Record<string, unknown>): ConditionHolder[] {
  const lists = [status.listeners, status.parents, status.ancestors].filter(Array.isArray) as ConditionHolder[][];
  return [status as ConditionHolder, ...lists.flat()];
}

/** Every condition of a status: top level, per listener, per route parent, per policy ancestor. */
export function allConditions(status: Record<string, unknown>): Condition[] {
  // Stryker disable next-line ArrayDeclaration: a stray item that is no condition passes no caller's condition test
  return holders(status).flatMap((h) => (Array.isArray(h.conditions) ? h.conditions : []));
}

/** Accepted=True on the object (GatewayClass, Gateway) or on any parent (routes) or ancestor (policies) entry. */
export function isAcceptedStatus(status: Record<string, unknown>): boolean {
  const accepted = (h: ConditionHolder) =>
    h.conditions?.some((c) => c.type === 'Accepted' && c.status === 'True') ?? false;
  if (Array.isArray(status.conditions)) return accepted(status as ConditionHolder);
  const entries = Array.isArray(status.parents) ? status.parents : status.ancestors;
  return Array.isArray(entries) && (entries as ConditionHolder[]).some(accepted);
}

/** The object's metadata.generation as the translator echoed it (max observedGeneration). */
export function specGeneration(status: Record<string, unknown>): number {
  return Math.max(0, ...allConditions(status).map((c) => c.observedGeneration ?? 0));
}

/** Stable JSON with sorted keys and without lastTransitionTime: equal strings = same status to write. */
export function statusFingerprint(value: unknown): string {
  return JSON.stringify(value, (key, v) => {
    if (key === 'lastTransitionTime') return undefined;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, (v as Record<string, unknown>)[k]]),
      );
    }
    return v;
  });
}

/** What JSON.stringify writes for a value inside an object: undefined, functions and symbols are left out. */
const omitted = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

/** NaN and the infinities are written as null. */
const asJsonPrimitive = (v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

function sameArrays(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  // In arrays JSON writes the omitted kinds as null.
  // Stryker disable next-line EqualityOperator: one past the end is undefined on both sides, written alike
  for (let i = 0; i < a.length; i++)
    if (!sameJson(omitted(a[i]) ? null : a[i], omitted(b[i]) ? null : b[i])) return false;
  return true;
}

function sameObjects(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  let count = 0;
  for (const key in a) {
    if (!Object.hasOwn(a, key) || key === 'lastTransitionTime' || omitted(a[key])) continue;
    count++;
    // A key b lacks, or holds an omitted value under, reads as undefined or that value: never the same as a's.
    if (!sameJson(a[key], b[key])) return false;
  }
  for (const key in b) if (Object.hasOwn(b, key) && key !== 'lastTransitionTime' && !omitted(b[key])) count--;
  return count === 0;
}

/** statusFingerprint(a) === statusFingerprint(b) for JSON data, without building either string: the
 * comparison stops at the first difference and allocates nothing. */
function sameJson(a: unknown, b: unknown): boolean {
  // Stryker disable next-line ConditionalExpression: a shortcut; identical values compare equal below too
  if (a === b) return true;
  // A value written through its toJSON (a Date) may equal a primitive (its ISO string): compare as written.
  if (hasToJson(a) || hasToJson(b)) return statusFingerprint(a) === statusFingerprint(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null)
    return asJsonPrimitive(a) === asJsonPrimitive(b);
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && sameArrays(a, b);
  return sameObjects(a as Record<string, unknown>, b as Record<string, unknown>);
}

function hasToJson(v: unknown): boolean {
  // Stryker disable next-line EqualityOperator,ConditionalExpression,LogicalOperator: comparing by fingerprint answers the same, slower
  return typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function';
}

/** Same status to write: equal but for lastTransitionTime (the status writer keeps or stamps those). A status
 * is never the same as a missing one (sameJson tells them apart). */
export function sameStatus(a: ResourceStatus, b: ResourceStatus | undefined): boolean {
  return sameJson(a, b);
}

export interface ProgrammedOverride {
  reason: string;
  listenerReason: string;
  message: string;
}

function overrideCondition(conditions: Condition[] | undefined, reason: string, message: string) {
  return conditions?.map((c) =>
    c.type === 'Programmed' && c.status === 'True'
      ? { ...c, status: 'False' as const, reason, message, lastTransitionTime: '' }
      : c,
  );
}

/**
 * Turns the translator's Programmed=True (on the Gateway and on each listener) into Programmed=False:
 * the translator assumes the config is live, the actor knows whether it is. False stays False. The new
 * condition's lastTransitionTime is left "" for the status writer to stamp.
 */
export function overrideProgrammed(status: ResourceStatus, o: ProgrammedOverride): ResourceStatus {
  const s = status.status as { conditions?: Condition[]; listeners?: ConditionHolder[] };
  const listeners = s.listeners?.map((l) => ({
    ...l,
    conditions: overrideCondition(l.conditions, o.listenerReason, o.message),
  }));
  const next: Record<string, unknown> = { ...s, conditions: overrideCondition(s.conditions, o.reason, o.message) };
  if (listeners) next.listeners = listeners;
  return { ...status, status: next };
}
