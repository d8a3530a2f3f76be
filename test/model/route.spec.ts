// Model spec of the route machine (resource-spec.ts has the oracle it shares with the other resources): its
// verdicts, and the edge's hostname conflicts it reports as DNSReady=False on our parents.
import type { AnyEventObject } from 'xstate';
import type { Condition, ResourceStatus } from '../../src/core/types.js';
import { routeMachine } from '../../machines/route.js';
import { routeVerdict } from './fixtures.js';
import { DNS_READY } from './contracts.js';
import { resourceSpec } from './resource-spec.js';

const TAKEN = {
  hostname: 'a.example.com',
  reason: 'HostnameTaken',
  message: 'has A record(s) not managed by this controller; left untouched',
};
const edgeConflictEvents: AnyEventObject[] = [
  // Our Gateway's entry gets the condition…
  { type: 'edge.conflicts', conflicts: [TAKEN], gateways: ['Gateway/ns/gw'] },
  // …an entry for a Gateway that is not ours never does…
  { type: 'edge.conflicts', conflicts: [TAKEN], gateways: ['Gateway/other/gw'] },
  // …an entry for our ListenerSet gets it as well, the kind being part of the key…
  { type: 'edge.conflicts', conflicts: [TAKEN], gateways: ['ListenerSet/ns/gw'] },
  // …and it goes away when the hostname is free again.
  { type: 'edge.conflicts', conflicts: [], gateways: ['Gateway/ns/gw'] },
];

/** The route's status: the translator's, plus DNSReady=False/HostnameTaken on accepted parent entries for our Gateways and ListenerSets. */
function expectedRouteStatus(ctx: Record<string, unknown>): ResourceStatus {
  const verdict = ctx.verdict as ResourceStatus;
  const edge = ctx.edgeConflicts as { conflicts: (typeof TAKEN)[]; gateways: string[] } | undefined;
  if (!edge?.conflicts.length) return verdict;
  const s = structuredClone(verdict.status) as {
    parents: Array<{ parentRef: { kind: string; namespace: string; name: string }; conditions: Condition[] }>;
  };
  for (const p of s.parents) {
    const accepted = p.conditions.find((c) => c.type === 'Accepted' && c.status === 'True');
    const key = `${p.parentRef.kind}/${p.parentRef.namespace}/${p.parentRef.name}`;
    if (!accepted || !edge.gateways.includes(key)) continue;
    const message = `a.example.com has A record(s) not managed by this controller; left untouched`;
    p.conditions.push({
      type: DNS_READY,
      status: 'False',
      reason: 'HostnameTaken',
      message,
      observedGeneration: accepted.observedGeneration,
      lastTransitionTime: '',
    });
  }
  return { ...verdict, status: s };
}

const routeVerdicts = [
  routeVerdict({ accepted: true, spec: 1 }),
  routeVerdict({ accepted: true, spec: 1, resolved: false }),
  routeVerdict({ accepted: true, spec: 1, partial: true }),
  routeVerdict({ accepted: true, spec: 2 }),
  routeVerdict({ accepted: true, spec: 2, listenerSet: true }),
  routeVerdict({ accepted: false, spec: 2 }),
];

export const routeSpec = {
  ...resourceSpec('route', routeMachine, routeVerdicts, (_state, ctx) => expectedRouteStatus(ctx), edgeConflictEvents),
  // A conflict the edge reported before the route's first verdict is on its first written status: a route
  // that ignored it while pending would stay in the state the cover starts from, so the cover never shows it.
  paths: () => [[edgeConflictEvents[0]!, { type: 'verdict', status: routeVerdicts[0]!, generation: 1 }]],
};
