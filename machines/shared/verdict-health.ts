// What an accepted resource's conditions say is wrong with it, so its lifecycle state can say the same
// (accepted.degraded.<problem>) instead of looking live and healthy. Pure: reads the status the actor
// would write while the data plane serves it (the translator's verdict, plus the route's DNSReady).
import type { Condition, ResourceStatus } from '../../src/core/types.js';
import { allConditions } from './status.js';

/** Most urgent first: the state shows one problem; the conditions (and /debug's "why" line) show them all. */
export const VERDICT_PROBLEMS = ['conflicted', 'unresolvedRefs', 'partiallyInvalid'] as const;
export type VerdictProblem = (typeof VERDICT_PROBLEMS)[number];

/** Our route condition (machines/route.ts): False while the edge cannot publish one of the route's hostnames.
 * Custom condition types must be domain-prefixed (Kubernetes API conventions); ours is the controller's domain. */
export const DNS_READY = 'cloudflare-tunnel-gateway.dev/DNSReady';

const is = (c: Condition, type: string, status: Condition['status']) => c.type === type && c.status === status;

const RULES: Record<VerdictProblem, (c: Condition) => boolean> = {
  // A listener that conflicts with another, or a hostname someone else holds on Cloudflare.
  conflicted: (c) => is(c, 'Conflicted', 'True') || is(c, DNS_READY, 'False'),
  // A backend, certificate or other reference that does not resolve.
  unresolvedRefs: (c) => is(c, 'ResolvedRefs', 'False'),
  // Part of an accepted object is refused: a rule dropped, a listener or one parent not accepted.
  partiallyInvalid: (c) => is(c, 'PartiallyInvalid', 'True') || is(c, 'Accepted', 'False'),
};

/** The first problem the status's conditions (object, listeners, parents) show, or undefined when none. */
export function verdictProblem(status: ResourceStatus | undefined): VerdictProblem | undefined {
  if (!status) return undefined;
  const conditions = allConditions(status.status);
  return VERDICT_PROBLEMS.find((problem) => conditions.some(RULES[problem]));
}
