// The parents stage (GatewayClasses, Gateways with their data ports, ListenerSets) remembered across
// translate() calls. Between two syncs usually one route changed; the Gateways did not, and reusing their
// IRs as the very same objects is what lets every later stage recognise unchanged work by identity: a
// route's IR (memo.ts), a Gateway's listeners by hostname (proxyconfig.ts).
//
// Reused while every object the stage reads is the same (sameButStatus), in the same order, and the options
// but the clock are equal. The stage never reads Services, EndpointSlices, routes or the clock. Its results are never
// changed after it (attachedRoutes are counted into a map of their own, routes.ts), so sharing them between
// calls shares values, as memo.ts does for rules.
import type { K8sObject, Snapshot, TranslateOptions } from '../core/types.js';
import type { ClassResult } from './classes.js';
import type { GatewayIR } from './gateways.js';
import type { ListenerSetIR } from './listener-sets.js';

export interface ParentsStage {
  classes: Map<string, ClassResult>;
  gateways: Map<string, GatewayIR>;
  listenerSets: Map<string, ListenerSetIR>;
}

interface Entry {
  options: string;
  lists: ReadonlyArray<readonly K8sObject[]>;
  stage: ParentsStage;
}

/** The latest stages, newest first: callers that alternate between snapshots (tests, render) keep theirs. */
const recent: Entry[] = [];
const KEPT_STAGES = 4;

/** What the stage reads from the snapshot (attachment reads the namespaces' labels and these lists too). */
function stageLists(s: Snapshot): ReadonlyArray<readonly K8sObject[]> {
  return [
    s.gatewayClasses,
    s.gateways,
    s.listenerSets ?? [],
    s.namespaces,
    s.secrets,
    s.referenceGrants,
    s.configMaps ?? [],
  ];
}

/** The options as the stage sees them: all but the clock, which only statuses read. */
function stageOptions(options: TranslateOptions): string {
  const { now: _now, ...rest } = options;
  return JSON.stringify(rest, Object.keys(rest).sort());
}

function sameItems(a: readonly K8sObject[], b: readonly K8sObject[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameButStatus(a[i]!, b[i]!)) return false;
  return true;
}

/**
 * The same object for the stage: the same instance, or a copy that differs only in what the stage never
 * reads — its status and the API server's bookkeeping. Writing a Gateway's status (attachedRoutes moves with
 * every route added) replaces the object in every source; that must not make every route's IR stale.
 * Statuses read the current object's status and generation, not the IR's (statuses.ts).
 */
function sameButStatus(a: K8sObject, b: K8sObject): boolean {
  if (a === b) return true;
  if (a.spec !== b.spec && (jsonOrUndefined(a.spec) ?? '') !== (jsonOrUndefined(b.spec) ?? ' ')) return false;
  const content = contentButStatus(a);
  return content !== undefined && content === contentButStatus(b);
}

function contentButStatus(o: K8sObject): string | undefined {
  const { resourceVersion: _v, managedFields: _f, ...metadata } = o.metadata;
  return jsonOrUndefined({ ...o, spec: undefined, status: undefined, metadata });
}

function jsonOrUndefined(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // cyclic (YAML aliases): never the same as anything
  }
}

/**
 * The IR with the snapshot's own copy of its object: a reused stage may hold an earlier copy (same but for
 * status), and statuses read the object's status and generation.
 */
export function withCurrentObject<T extends { obj: K8sObject }>(list: readonly K8sObject[] = [], ir: T): T {
  if (list.includes(ir.obj)) return ir;
  const { name, namespace } = ir.obj.metadata;
  const current = list.find((o) => o.metadata?.name === name && o.metadata.namespace === namespace);
  return current ? { ...ir, obj: current } : ir;
}
/** The stage from an earlier call whose inputs were the same instances, else computed (and remembered). */
export function memoParentsStage(
  snapshot: Snapshot,
  options: TranslateOptions,
  compute: () => ParentsStage,
): ParentsStage {
  const lists = stageLists(snapshot);
  const opts = stageOptions(options);
  const known = recent.find((e) => e.options === opts && e.lists.every((list, i) => sameItems(list, lists[i]!)));
  if (known) return known.stage;
  // Copies: the snapshot's arrays belong to the caller.
  const entry = { options: opts, lists: lists.map((l) => [...l]), stage: compute() };
  recent.unshift(entry);
  recent.length = Math.min(recent.length, KEPT_STAGES);
  return entry.stage;
}
