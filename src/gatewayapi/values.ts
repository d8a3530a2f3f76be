// Defensive readers for untrusted Kubernetes objects: the translator never throws on malformed input,
// it reads what is well-formed and treats the rest as absent.
import type { K8sObject } from '../core/types.js';

export type Json = Record<string, unknown>;

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function record(v: unknown): Json {
  return isRecord(v) ? v : {};
}

export function records(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

export function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

/** Plain string order (code units), the same on every machine, unlike localeCompare. */
export function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function nsName(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/**
 * A namespaced object's namespace: one left out or empty is "default", as kubectl apply would put it. Loaders
 * default it already (withDefaultNamespace, by the same rule); the translator may be given objects that went
 * through none.
 */
export function namespaceOf(obj: K8sObject): string {
  return obj.metadata.namespace || 'default';
}

/**
 * The spec's tie-break wherever two objects claim one thing: older first, then "namespace/name". An object
 * without a creationTimestamp (a hand-written manifest) counts as the youngest.
 */
export function byAge(a: K8sObject, b: K8sObject): number {
  const created = (o: K8sObject) => timestamp(o.metadata.creationTimestamp) || '~';
  const key = (o: K8sObject) => nsName(namespaceOf(o), o.metadata.name);
  return byString(created(a), created(b)) || byString(key(a), key(b));
}

/**
 * An RFC 3339 time as a string. YAML gives strings; @kubernetes/client-node gives Date objects, which are
 * written back without the milliseconds the API server would not have sent.
 */
export function timestamp(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v.toISOString().replace(/\.000Z$/, 'Z');
  return undefined;
}
