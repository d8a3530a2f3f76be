// One actor per HTTPRoute / GRPCRoute with a parent of ours. Route conditions (per-parent Accepted,
// ResolvedRefs, PartiallyInvalid) are the translator's; the actor's state says whether the data plane
// serves the route yet (live = programmed) and, once it does, what those conditions say is wrong
// (accepted.degraded.unresolvedRefs for a missing backend, …), which /debug shows.
// The actor adds one condition of its own: DNSReady=False on our parents[] entries while the edge cannot
// publish one of the route's hostnames (a DNS record or ingress rule we do not own holds it); removed
// when that clears.
import { createProgrammableMachine, type ResourceContext, type ResourcePhase } from './shared/resource.js';
import type { Condition, ResourceStatus } from '../src/core/types.js';
import type { HostnameConflict } from '../src/core/ports.js';
import { DNS_READY } from './shared/verdict-health.js';

export { DNS_READY };
const MAX_MESSAGE = 2048;

type ParentEntry = {
  parentRef?: { group?: string; kind?: string; namespace?: string; name?: string };
  conditions?: Condition[];
};

/** "Gateway/ns/name" (or "ListenerSet/ns/name") of a parentRef that points at one, else undefined. */
function parentKeyOf(ref: ParentEntry['parentRef'], routeNamespace: string): string | undefined {
  const kind = ref?.kind ?? 'Gateway';
  if (
    !ref?.name ||
    (ref.group ?? 'gateway.networking.k8s.io') !== 'gateway.networking.k8s.io' ||
    // Stryker disable next-line ConditionalExpression: another kind's key is never among our parents' keys (only Gateways and ListenerSets are); this says what the key means
    (kind !== 'Gateway' && kind !== 'ListenerSet')
  )
    return undefined;
  return `${kind}/${ref.namespace ?? routeNamespace}/${ref.name}`;
}

export function dnsReadyCondition(conflicts: HostnameConflict[], observedGeneration: number | undefined): Condition {
  const sorted = [...conflicts].sort((a, b) => a.hostname.localeCompare(b.hostname));
  const message = sorted.map((c) => `${c.hostname} ${c.message}`).join('; ');
  return {
    type: DNS_READY,
    status: 'False',
    reason: sorted.some((c) => c.reason === 'HostnameTaken') ? 'HostnameTaken' : 'ZoneNotFound',
    message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message,
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
    lastTransitionTime: '',
  };
}

/** The verdict plus DNSReady=False on each accepted parents[] entry of ours (its Gateway or ListenerSet is one of ours). */
export function withEdgeConflicts(verdict: ResourceStatus, edge: ResourceContext['edgeConflicts']): ResourceStatus {
  if (!edge || edge.conflicts.length === 0) return verdict;
  const ours = new Set(edge.gateways);
  const parents = ((verdict.status.parents ?? []) as ParentEntry[]).map((p) => {
    const accepted = p.conditions?.find((c) => c.type === 'Accepted' && c.status === 'True');
    const key = parentKeyOf(p.parentRef, verdict.namespace);
    if (!accepted || !key || !ours.has(key)) return p;
    // `accepted` was found among them, so the entry has conditions.
    const kept = p.conditions!.filter((c) => c.type !== DNS_READY);
    return { ...p, conditions: [...kept, dnsReadyCondition(edge.conflicts, accepted.observedGeneration)] };
  });
  return { ...verdict, status: { ...verdict.status, parents } };
}

export function routeStatus(phase: ResourcePhase, context: ResourceContext): ResourceStatus | undefined {
  return phase === 'pending' || !context.verdict
    ? undefined
    : withEdgeConflicts(context.verdict, context.edgeConflicts);
}

export const routeMachine = createProgrammableMachine('route', routeStatus, { edgeConflicts: true });
