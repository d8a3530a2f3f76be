// The double's storage: one resourceVersion counter for everything (like etcd's revision), objects per
// resource type, and an event history that watches resume from until it is compacted (then: 410 Gone).
// Semantics follow the API server: generation bumps on spec changes only, the status subresource is the only
// way to change status, stale resourceVersions get 409, no-op writes do not bump the resourceVersion.
import { randomUUID } from 'node:crypto';
import { groupVersion, type ResourceType } from './resources.js';
import { ApiError, alreadyExists, conflict, gone, invalid, notFound } from './errors.js';
import { applyDefaults } from './defaults.js';

export type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  rv: number;
  type: EventType;
  resource: ResourceType;
  object: Obj;
  /** The object before a MODIFIED (selector-filtered watches turn it into ADDED/DELETED). */
  old?: Obj;
}

const typeKey = (t: ResourceType) => `${t.plural}.${t.group}`;
const objKey = (ns: string, name: string) => `${ns}/${name}`;

export class Store {
  rv = 0;
  /** Events at or below this revision are gone from history: watches from there get 410. */
  compactedRv = 0;
  private readonly objects = new Map<string, Map<string, Obj>>();
  private history: StoreEvent[] = [];
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  constructor(private readonly historyLimit = 10_000) {}

  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get(t: ResourceType, ns: string, name: string): Obj | undefined {
    const found = this.bucket(t).get(objKey(ns, name));
    return found && structuredClone(found);
  }

  list(t: ResourceType, ns?: string): Obj[] {
    const all = [...this.bucket(t).values()].filter((o) => !ns || o.metadata.namespace === ns);
    return structuredClone(
      all.sort((a, b) =>
        objKey(a.metadata.namespace ?? '', a.metadata.name).localeCompare(
          objKey(b.metadata.namespace ?? '', b.metadata.name),
        ),
      ),
    );
  }

  /** Events after `rv` for one type, or 410 if that history was compacted. */
  eventsSince(t: ResourceType, rv: number): StoreEvent[] {
    if (rv < this.compactedRv) throw gone(`too old resource version: ${rv} (${this.compactedRv})`);
    return this.history.filter((e) => e.rv > rv && e.resource === t);
  }

  /** Drops all history: every watch resuming from an older revision gets 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history = [];
  }

  create(t: ResourceType, ns: string, input: Obj): Obj {
    const meta = { ...(input.metadata ?? {}) };
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomUUID().slice(0, 5)}`;
    if (!meta.name) throw invalid(`${t.kind} "": metadata.name: Required value: name or generateName is required`);
    if (t.namespaced) this.requireNamespace(ns);
    if (this.bucket(t).has(objKey(ns, meta.name))) throw alreadyExists(t.plural, meta.name, t.group);
    const obj: Obj = { ...structuredClone(input), metadata: meta };
    if (t.hasStatus) delete obj.status;
    this.initialise(t, obj, ns);
    return this.commit(t, 'ADDED', obj);
  }

  /** PUT of the main resource (status kept) or of the status subresource (only status taken). */
  update(t: ResourceType, ns: string, name: string, input: Obj, subresource?: 'status'): Obj {
    const current = this.bucket(t).get(objKey(ns, name));
    if (!current) throw notFound(t.plural, name, t.group);
    const rv = input.metadata?.resourceVersion;
    if (rv === undefined || rv === '') {
      if (t.hasGeneration)
        throw invalid(
          `${t.kind} "${name}": metadata.resourceVersion: Invalid value: 0x0: must be specified for an update`,
        );
    } else if (rv !== current.metadata.resourceVersion) {
      throw conflict(t.plural, name, t.group);
    }
    const next = subresource === 'status' ? this.withStatus(t, current, input) : this.withSpec(t, current, input);
    if (sameContent(current, next)) return structuredClone(current);
    return this.commit(t, 'MODIFIED', next, current);
  }

  delete(t: ResourceType, ns: string, name: string): Obj {
    const current = this.bucket(t).get(objKey(ns, name));
    if (!current) throw notFound(t.plural, name, t.group);
    if (t.plural === 'namespaces' && !t.group) this.deleteNamespaceContents(name);
    return this.commit(t, 'DELETED', structuredClone(current), current);
  }

  /** Resource types known to the store (for namespace cascades); set by the server. */
  types: ResourceType[] = [];

  private initialise(t: ResourceType, obj: Obj, ns: string): void {
    setTypeMeta(t, obj);
    if (t.namespaced) obj.metadata.namespace = ns;
    else delete obj.metadata.namespace;
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (t.hasGeneration) obj.metadata.generation = 1;
    else delete obj.metadata.generation;
    if (t.kind === 'Namespace' && !t.group) {
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name };
      obj.spec = { finalizers: ['kubernetes'], ...obj.spec };
      obj.status = { phase: 'Active' };
    }
    this.defaults(t, obj);
  }

  private withSpec(t: ResourceType, current: Obj, input: Obj): Obj {
    const next: Obj = structuredClone(input);
    setTypeMeta(t, next);
    next.metadata = {
      ...next.metadata,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      name: current.metadata.name,
      resourceVersion: current.metadata.resourceVersion,
    };
    if (current.metadata.namespace) next.metadata.namespace = current.metadata.namespace;
    if (t.hasStatus) next.status = structuredClone(current.status);
    if (t.kind === 'Namespace' && !t.group) {
      next.metadata.labels = { ...next.metadata.labels, 'kubernetes.io/metadata.name': current.metadata.name };
    }
    this.defaults(t, next);
    if (t.hasGeneration) {
      const specChanged = !sameContent(withoutMetaStatus(current), withoutMetaStatus(next));
      next.metadata.generation = (current.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    }
    return next;
  }

  private withStatus(t: ResourceType, current: Obj, input: Obj): Obj {
    const next = structuredClone(current);
    if (input.status === undefined) delete next.status;
    else next.status = structuredClone(input.status);
    this.defaults(t, next); // the API server defaults the whole object, status included
    return next;
  }

  private defaults(t: ResourceType, obj: Obj): void {
    const schema = t.schemas?.[t.versions[0]!];
    if (schema) applyDefaults(obj, schema);
  }

  private commit(t: ResourceType, type: EventType, obj: Obj, old?: Obj): Obj {
    this.rv += 1;
    obj.metadata.resourceVersion = String(this.rv);
    const key = objKey(obj.metadata.namespace ?? '', obj.metadata.name);
    if (type === 'DELETED') this.bucket(t).delete(key);
    else this.bucket(t).set(key, obj);
    const event: StoreEvent = {
      rv: this.rv,
      type,
      resource: t,
      object: structuredClone(obj),
      old: old && structuredClone(old),
    };
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedRv = dropped[dropped.length - 1]!.rv;
    }
    for (const fn of this.listeners) fn(event);
    return structuredClone(obj);
  }

  private requireNamespace(ns: string): void {
    const nsType = this.types.find((x) => x.kind === 'Namespace' && !x.group);
    if (!ns) throw new ApiError(400, 'BadRequest', 'the namespace of the object must be set');
    if (nsType && !this.bucket(nsType).has(objKey('', ns))) {
      throw new ApiError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
    }
  }

  private deleteNamespaceContents(ns: string): void {
    for (const t of this.types.filter((x) => x.namespaced)) {
      for (const o of this.list(t, ns)) this.delete(t, ns, o.metadata.name);
    }
  }

  private bucket(t: ResourceType): Map<string, Obj> {
    let b = this.objects.get(typeKey(t));
    if (!b) this.objects.set(typeKey(t), (b = new Map()));
    return b;
  }
}

/** Objects are stored in the storage (first served) version; reads relabel them to the version asked for. */
function setTypeMeta(t: ResourceType, obj: Obj): void {
  obj.apiVersion = groupVersion(t.group, t.versions[0]!);
  obj.kind = t.kind;
}

function withoutMetaStatus(o: Obj): Obj {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

function sameContent(a: Obj, b: Obj): boolean {
  return stableJson(a) === stableJson(b);
}

export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, val) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val).sort(([x], [y]) => x.localeCompare(y)))
      : val,
  );
}
